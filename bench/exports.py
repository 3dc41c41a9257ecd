"""P9: the mask stage on one multi-image export (CVAT XML, COCO JSON) against per-image VOC
files of the same scenes: time and peak memory.

Usage: .venv/bin/python bench/exports.py [N ...]   (default: 1000)

The N demo scenes (320x240, see bench/_common.py) are read from their VOC files and written
again as one CVAT XML and one COCO JSON (tests/helpers/format_writers.py). Each format is then made
into masks by ``make_masks`` in chunks of masks.chunk_size, one call per chunk as the mask
jobs run it (so each chunk parses the export once), in a fresh process whose peak resident
memory (VmHWM) is read at the end, next to its peak after the imports. Best of two
interleaved runs per format.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from _common import (
    REPO,
    classes,
    default_config,
    demo_scenes,
    mask_settings,
    median_time,
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


def exports(count: int) -> Path:
    """The scenes' folder; cvat.xml and coco.json of every scene are written once beside it."""
    from streetseg.labels.formats.voc import parse_voc_xml
    from tests.helpers.format_writers import write_coco_json, write_cvat_xml

    scenes = demo_scenes(count)
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


def child(scenes: Path, fmt: str, out: Path) -> None:
    """Run the mask jobs of one format; print seconds, and resident MiB after imports and at
    peak."""
    from streetseg.labels.masks import make_masks

    ids = sorted(path.stem for path in scenes.glob("scene_*.jpg"))
    table, imported = classes(), peak_mib()
    started = time.perf_counter()
    for first in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[first : first + CHUNK_SIZE]
        make_masks(
            MaskChunk(
                chunk,
                [annotation_of(scenes, fmt, s) for s in chunk],
                [str(scenes / f"{s}.jpg") for s in chunk],
                [str(out / f"{s}.png") for s in chunk],
                out / f"stats-{first}.tsv",
            ),
            mask_settings(table),
            log=lambda *_: None,
        )
    seconds = time.perf_counter() - started
    print(json.dumps([seconds, imported, peak_mib()]))


def run(scenes: Path, fmt: str) -> list[float]:
    out = exports_of(scenes) / f"masks-{fmt}"
    command = [sys.executable, __file__, "--child", str(scenes), fmt, str(out)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(done.stdout.splitlines()[-1])


def main(sizes: list[int]) -> None:
    from streetseg.labels.formats.base import read_json

    rows = []
    for count in sizes:
        scenes = exports(count)
        coco = exports_of(scenes) / "coco.json"
        # Best of two interleaved runs each: the machine is shared and noisy.
        runs = [{fmt: run(scenes, fmt) for fmt in FORMATS} for _ in range(2)]
        results = {
            fmt: min((r[fmt] for r in runs), key=lambda result: result[0]) for fmt in FORMATS
        }
        voc = results["voc"][0]
        plain = median_time(lambda path=coco: json.loads(path.read_bytes()), repeats=3)
        checked = median_time(lambda path=coco: read_json(path, 1 << 32), repeats=3)
        tracemalloc.start()
        read_json(coco, 1 << 32)
        held = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        sizes_mb = {
            "cvat": (exports_of(scenes) / "cvat.xml").stat().st_size / 1e6,
            "coco": coco.stat().st_size / 1e6,
        }
        for fmt, (seconds, imported, peak) in results.items():
            size = f", file {sizes_mb[fmt]:.1f} MB" if fmt in sizes_mb else ""
            rows.append(
                (
                    f"{count:,} scenes, {fmt}",
                    f"{seconds:.1f} s ({1000 * seconds / count:.1f} ms a mask, "
                    f"**{seconds / voc:.2f}x** VOC); "
                    f"peak RSS {peak:.0f} MiB ({peak - imported:+.0f} after imports){size}",
                )
            )
            print(rows[-1][1], flush=True)
        rows.append(
            (
                f"{count:,} scenes, COCO parse",
                f"json.loads {1000 * plain:.0f} ms; read_json (duplicate-key check) "
                f"{1000 * checked:.0f} ms ({checked / plain:.2f}x); its peak Python memory "
                f"{held:.0f} MB, {held / sizes_mb['coco']:.1f}x the file",
            )
        )
    print_table(
        f"P9: masks from one export against per-image VOC files (chunks of {CHUNK_SIZE})", rows
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
    else:
        main([int(arg) for arg in sys.argv[1:]] or [1000])
