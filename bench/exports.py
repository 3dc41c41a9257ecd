"""P9: the mask stage on one multi-image export (CVAT XML, COCO JSON) against per-image VOC
files of the same scenes: time and peak memory.

Usage: .venv/bin/python bench/exports.py [--size WxH] [--rounds R] [N ...]
       .venv/bin/python bench/exports.py --one-job SCENES FORMAT OUT   (the first mask job
       alone, in a fresh process, on the slices an earlier run left: its peak memory)
(default: 1000 scenes of 320x240, one round; the best of R interleaved rounds is kept)

The N demo scenes (bench/_common.py) are read from their VOC files and written again as one
CVAT XML and one COCO JSON (tests/helpers/format_writers.py). VOC: ``make_masks`` over the
per-image files in chunks of masks.chunk_size. CVAT and COCO: the slices stage as the
workflow runs it, ``slice_export`` reading the export once into one slice per chunk (its own
process), then ``make_masks`` over each chunk's slice. The mask chunks of a format run in
turn in one fresh process, so its peak resident memory (VmHWM) bounds that of any one mask
job; it is printed with its peak after the imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    REPO,
    classes,
    default_config,
    demo_scenes,
    mask_settings,
    print_table,
)

from streetseg.labels.masks import MaskChunk

CHUNK_SIZE = default_config()["masks"]["chunk_size"]
FORMATS = {"voc": "{}.xml", "cvat": "cvat.xml", "coco": "coco.json"}


def exports_of(scenes: Path) -> Path:
    """Where cvat.xml, coco.json and the masks of this script go: beside the scenes' folder,
    not in it, which other bench scripts read as a data folder."""
    folder = scenes.parent / f"{scenes.name}-exports"
    folder.mkdir(exist_ok=True)
    return folder


def annotation_of(scenes: Path, fmt: str, sample: str) -> str:
    return str((scenes if fmt == "voc" else exports_of(scenes)) / FORMATS[fmt].format(sample))


def exports(count: int, width: int = 320, height: int = 240) -> Path:
    """The scenes' folder; cvat.xml and coco.json of every scene are written once beside it."""
    from streetseg.labels.formats.voc import parse_voc_xml
    from tests.helpers.format_writers import write_coco_json, write_cvat_xml

    scenes = demo_scenes(count, width, height)
    if not (exports_of(scenes) / "coco.json").exists():
        entries = []
        for path in sorted(scenes.glob("scene_*.xml")):
            annotation = parse_voc_xml(path)
            objects = [(obj.name, obj.vertices) for obj in annotation.objects]
            entries.append((f"{path.stem}.jpg", annotation.width, annotation.height, objects))
        write_cvat_xml(exports_of(scenes) / "cvat.xml", entries)
        write_coco_json(
            exports_of(scenes) / "coco.json", entries, [entry["name"] for entry in classes()]
        )
    return scenes


def peak_mib() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that over an exec
    from the parent, whose own peak would hide the child's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def chunks_of(scenes: Path) -> dict[str, list[str]]:
    ids = sorted(path.stem for path in scenes.glob("scene_*.jpg"))
    return {
        f"{i // CHUNK_SIZE:05d}": ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)
    }


def slice_of(scenes: Path, fmt: str, chunk: str) -> str:
    return str(exports_of(scenes) / f"slices-{fmt}" / f"{chunk}.slice.json")


def slice_child(scenes: Path, fmt: str) -> None:
    """The slice job of one export; print seconds, and resident MiB after imports and at peak."""
    from streetseg.labels.slicing import slice_export

    chunks, imported = chunks_of(scenes), peak_mib()
    started = time.perf_counter()
    slice_export(
        annotation_of(scenes, fmt, ""),
        {chunk: [f"{s}.jpg" for s in ids] for chunk, ids in chunks.items()},
        {chunk: slice_of(scenes, fmt, chunk) for chunk in chunks},
        {chunk: slice_of(scenes, fmt, chunk) + ".sha256" for chunk in chunks},
        progress=lambda *_: None,
    )
    print(json.dumps([time.perf_counter() - started, imported, peak_mib()]))


def child(scenes: Path, fmt: str, out: Path, first_only: bool = False) -> None:
    """Run the mask jobs of one format (``first_only``: the first, as one mask job alone);
    print seconds, and resident MiB after imports and at peak."""
    from streetseg.labels.masks import make_masks

    table, imported = classes(), peak_mib()
    started = time.perf_counter()
    chunks = chunks_of(scenes)
    for name, chunk in list(chunks.items())[: 1 if first_only else None]:
        sliced = slice_of(scenes, fmt, name) if fmt != "voc" else None
        make_masks(
            MaskChunk(
                chunk,
                [sliced or annotation_of(scenes, fmt, s) for s in chunk],
                [str(scenes / f"{s}.jpg") for s in chunk],
                [str(out / f"{s}.png") for s in chunk],
                out / f"stats-{name}.tsv",
            ),
            mask_settings(table),
            log=lambda *_: None,
        )
    seconds = time.perf_counter() - started
    print(json.dumps([seconds, imported, peak_mib()]))


def run(scenes: Path, fmt: str, what: str = "--child") -> list[float]:
    out = exports_of(scenes) / f"masks-{fmt}"
    command = [sys.executable, __file__, what, str(scenes), fmt, str(out)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(done.stdout.splitlines()[-1])


def run_format(scenes: Path, fmt: str) -> list:
    """[slice job or None, mask jobs], each [seconds, MiB after imports, peak MiB]."""
    return [None if fmt == "voc" else run(scenes, fmt, "--slice"), run(scenes, fmt)]


def main(sizes: list[int], width: int, height: int, rounds: int) -> None:
    rows = []
    for count in sizes:
        scenes = exports(count, width, height)
        tries = [{fmt: run_format(scenes, fmt) for fmt in FORMATS} for _ in range(rounds)]
        runs = {
            fmt: min((done[fmt] for done in tries), key=lambda r: r[1][0] + (r[0] or [0])[0])
            for fmt in FORMATS
        }
        voc = runs["voc"][1][0]
        for fmt, (sliced, (seconds, imported, peak)) in runs.items():
            total = seconds + (sliced[0] if sliced else 0)
            slicing = ""
            if sliced:
                size = (exports_of(scenes) / FORMATS[fmt]).stat().st_size / 1e6
                slicing = (
                    f"; slice job {sliced[0]:.1f} s, peak {sliced[2]:.0f} MiB "
                    f"({sliced[2] - sliced[1]:+.0f}) for a {size:.1f} MB file"
                )
            rows.append(
                (
                    f"{count:,} scenes {width}x{height}, {fmt}",
                    f"{total:.1f} s ({1000 * total / count:.2f} ms a mask, **{total / voc:.2f}x**"
                    f" VOC); mask jobs' peak {peak:.0f} MiB ({peak - imported:+.0f} after "
                    f"imports){slicing}",
                )
            )
            print(rows[-1][0], rows[-1][1], flush=True)
    print_table(
        f"P9: masks from one export against per-image VOC files (chunks of {CHUNK_SIZE})", rows
    )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] in (["--child"], ["--slice"], ["--one-job"]):
        scenes, fmt = Path(arguments[1]), arguments[2]
        if arguments[0] == "--slice":
            slice_child(scenes, fmt)
        else:
            child(scenes, fmt, Path(arguments[3]), first_only=arguments[0] == "--one-job")
    else:
        options = {"--size": "320x240", "--rounds": "1"}
        while arguments[:1] and arguments[0] in options:
            options[arguments[0]], arguments = arguments[1], arguments[2:]
        width, height = map(int, options["--size"].split("x"))
        sizes = [int(arg) for arg in arguments] or [1000]
        main(sizes, width, height, int(options["--rounds"]))
