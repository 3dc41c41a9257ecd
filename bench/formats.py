"""P10: mask speed per annotation format, against the Labelbox VOC reader (issue 16).

Usage: .venv/bin/python bench/formats.py [N]   (default: 1000)

N demo scenes (320x240 JPEGs and VOC files, see bench/_common.py) are read from their VOC
files, their polygons clipped to the image (the demo draws up to 6 px past the edges, further
than Label Studio's slack), and written once, beside the scenes' folder, in every polygon
format with the tests' writers (tests/helpers/): the per-image formats as one file per image,
the multi-image formats as one file holding all N images, as real exports are. VOC is written
from the same clipped polygons, so every format holds the same shapes.

``streetseg.labels.masks.make_masks`` (format ``auto``, as in config/config.yaml) makes each
format's masks in this process, on one core, in chunks of masks.chunk_size, one call per chunk
as the mask jobs run it, so that each chunk parses a multi-image file once. The chunks are
interleaved (chunk 1 of every format, then chunk 2, ...) so that load changes on the shared
machine hit every format alike. A problem in any format stops the script; masks whose pixel
counts per class differ from the VOC masks' are counted (Label Studio's percentages and Azure
ML's fractions can move a vertex by a rounding error, which flips a pixel whose centre lies on
an edge: the vertices have 2 decimals, so some lie exactly on pixel centres).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from _common import classes, default_config, demo_scenes, mask_settings, print_table

from streetseg.labels.masks import MaskChunk

CHUNK_SIZE = default_config()["masks"]["chunk_size"]
# format -> its file: per image ("{}" is the sample) or one file for all images.
FILES = {
    "labelbox_voc": "voc/{}.xml",
    "labelme_xml": "labelme_xml/{}.xml",
    "labelme_json": "labelme_json/{}.json",
    "supervisely_json": "supervisely/{}.jpg.json",
    "cityscapes_json": "cityscapes/{}_gtFine_polygons.json",
    "cvat_xml": "cvat.xml",
    "coco_json": "coco.json",
    "labelbox_ndjson": "labelbox.ndjson",
    "labelbox_json": "labelbox.json",
    "label_studio_json": "label_studio.json",
    "azureml_jsonl": "azureml.jsonl",
}


def single_image_writers() -> dict:
    """format -> writer of (path, image name, width, height, objects)."""
    from tests.helpers.format_writers import write_labelme_json, write_labelme_xml, write_voc_xml
    from tests.helpers.writers_cityscapes import write_cityscapes_json
    from tests.helpers.writers_supervisely import write_supervisely_json

    return {
        "labelbox_voc": write_voc_xml,
        "labelme_xml": write_labelme_xml,
        "labelme_json": write_labelme_json,
        "supervisely_json": lambda path, _, *scene: write_supervisely_json(path, *scene),
        "cityscapes_json": lambda path, _, *scene: write_cityscapes_json(path, *scene),
    }


def multi_image_writers(class_names: list[str]) -> dict:
    """format -> writer of (path, [(image name, width, height, objects), ...])."""
    from tests.helpers.format_writers import write_coco_json, write_cvat_xml
    from tests.helpers.writers_azureml import write_azureml_jsonl
    from tests.helpers.writers_labelbox import v1_row, write_labelbox_json, write_labelbox_ndjson
    from tests.helpers.writers_labelstudio import write_label_studio_json

    return {
        "cvat_xml": write_cvat_xml,
        "coco_json": lambda path, scenes: write_coco_json(path, scenes, class_names),
        "labelbox_ndjson": write_labelbox_ndjson,
        "labelbox_json": lambda path, scenes: write_labelbox_json(
            path, [v1_row(*scene) for scene in scenes]
        ),
        "label_studio_json": write_label_studio_json,
        "azureml_jsonl": write_azureml_jsonl,
    }


def write_every_format(folder: Path, scenes: dict, class_names: list[str]) -> None:
    """Write ``scenes`` ({sample: (image name, width, height, objects)}) into ``folder`` in
    every format of FILES."""
    for fmt, writer in single_image_writers().items():
        (folder / FILES[fmt]).parent.mkdir(parents=True, exist_ok=True)
        for sample, scene in scenes.items():
            writer(folder / FILES[fmt].format(sample), *scene)
    for fmt, writer in multi_image_writers(class_names).items():
        writer(folder / FILES[fmt], list(scenes.values()))


def clipped_scenes(voc_folder: Path) -> dict:
    """{sample: (image name, width, height, objects)} from the demo's VOC files, each polygon
    clipped to its image."""
    from streetseg.labels.formats.voc import parse_voc_xml
    from tests.helpers.writers_labelstudio import inside

    scenes = {}
    for path in sorted(voc_folder.glob("scene_*.xml")):
        annotation = parse_voc_xml(path)
        objects = [(obj.name, obj.vertices) for obj in annotation.objects]
        size = (annotation.width, annotation.height)
        scenes[path.stem] = (f"{path.stem}.jpg", *size, inside(objects, *size))
    return scenes


def formats_folder(count: int) -> tuple[Path, Path]:
    """The demo scenes' folder and, beside it, every format of them (written once)."""
    scenes = demo_scenes(count)
    folder = scenes.parent / f"{scenes.name}-formats"
    done = folder / ".done"
    if not done.exists():
        folder.mkdir(exist_ok=True)
        write_every_format(folder, clipped_scenes(scenes), [c["name"] for c in classes()])
        done.touch()
    return scenes, folder


def mask_chunk(fmt: str, chunk: list[str], images: Path, folder: Path, out: Path):
    """``make_masks`` over one chunk of one format: (seconds, statistics, problems)."""
    from streetseg.labels.masks import make_masks

    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    stats, problems = make_masks(
        MaskChunk(
            chunk,
            [str(folder / FILES[fmt].format(sample)) for sample in chunk],
            [str(images / f"{sample}.jpg") for sample in chunk],
            [str(out / f"{sample}.png") for sample in chunk],
            out / f"stats-{chunk[0]}.tsv",
        ),
        mask_settings(classes()),
        log=lambda *_: None,
    )
    return time.perf_counter() - started, stats, problems


def check(fmt: str, stats, reference, problems) -> tuple[int, int]:
    """Stop unless a format's chunk was read as that format without problems; return how many
    masks differ from the VOC masks in their pixel counts per class, and by how many pixels
    (half the summed differences: the fewest pixels whose class changed)."""
    if problems:
        first = problems[0]
        raise RuntimeError(f"{fmt}: {len(problems)} problems, the first: {first.file}: {first}")
    if set(stats["format"]) != {fmt} or list(stats["sample"]) != list(reference["sample"]):
        raise RuntimeError(f"{fmt}: read as {sorted(set(stats['format']))}, or samples missing")
    pixels = [column for column in stats.columns if column.startswith("pixels_")]
    differences = (stats[pixels] - reference[pixels]).abs().sum(axis=1)
    return int((differences > 0).sum()), int(differences.sum()) // 2


def measure(count: int) -> tuple[dict, dict]:
    """Seconds per format for the masks of ``count`` scenes, chunks interleaved, and per
    format the masks that differ from VOC's and by how many pixels (see :func:`check`)."""
    import tempfile

    images, folder = formats_folder(count)
    samples = sorted(path.stem for path in images.glob("scene_*.jpg"))
    seconds, differ = dict.fromkeys(FILES, 0.0), {fmt: [0, 0] for fmt in FILES}
    for path in [*images.iterdir(), *folder.rglob("*")]:  # Into the page cache, for all alike.
        if path.is_file():
            path.read_bytes()
    with tempfile.TemporaryDirectory() as name:
        for first in range(0, len(samples), CHUNK_SIZE):
            chunk, reference = samples[first : first + CHUNK_SIZE], None
            for fmt in FILES:
                elapsed, stats, problems = mask_chunk(fmt, chunk, images, folder, Path(name) / fmt)
                reference = stats if reference is None else reference
                masks, pixels = check(fmt, stats, reference, problems)
                differ[fmt][0] += masks
                differ[fmt][1] += pixels
                seconds[fmt] += elapsed
            print(f"{first + len(chunk)}/{len(samples)} masks of every format", flush=True)
    return seconds, differ


def file_size(folder: Path, fmt: str) -> str:
    if "{}" in FILES[fmt]:
        return "one per image"
    return f"one, {(folder / FILES[fmt]).stat().st_size / 1e6:.1f} MB"


def main(count: int) -> None:
    seconds, differ = measure(count)
    folder = formats_folder(count)[1]
    voc = seconds["labelbox_voc"]
    rows = [
        (
            fmt,
            f"{count / spent:.1f} masks/s, **{voc / spent:.2f}x** VOC's speed "
            f"({spent:.1f} s; file: {file_size(folder, fmt)}; masks unlike VOC's: "
            f"{differ[fmt][0]}, {differ[fmt][1]} pixels)",
        )
        for fmt, spent in seconds.items()
    ]
    print_table(
        f"P10: masks/s per format on {count:,} scenes of 320x240, chunks of {CHUNK_SIZE}", rows
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if sys.argv[1:] else 1000)
