"""The sample table: which image and annotation belong to which sample id."""

from __future__ import annotations

import math

import re
from pathlib import Path

import pandas as pd

from streetseg.annotations import MULTI_IMAGE_FORMATS, inspect_file
from streetseg.demo import demo_sample_ids
from streetseg.formats.coco import coco_image_names
from streetseg.formats.cvat import cvat_image_names

# Sample ids become file names under results/, so they are restricted to safe names.
SAFE_SAMPLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp")
ANNOTATION_SUFFIXES = (".xml", ".json", ".png", ".tif", ".tiff", ".bmp", ".gif")
COLUMNS = ["sample", "image", "annotation", "split"]


class SampleSheetError(ValueError):
    """The sample table is unusable; the message names the sheet or directory and the row."""


def check_sample_ids(ids, source: str) -> None:
    """Refuse unsafe and duplicated sample ids, naming the source and the offending id."""
    seen = set()
    for sample in ids:
        if not SAFE_SAMPLE_ID.match(str(sample)) or ".." in str(sample):
            raise SampleSheetError(
                f"{source}: sample id {sample!r} is not a safe name (letters, digits, '.', "
                "'_' and '-', starting with a letter or digit, no '..')"
            )
        if sample in seen:
            raise SampleSheetError(f"{source}: sample id {sample!r} appears more than once")
        seen.add(sample)


def demo_samples(directory: str, n_scenes: int) -> pd.DataFrame:
    """The demo's samples: generated JPEGs and XMLs under ``directory``."""
    rows = [
        (sample, f"{directory}/{sample}.jpg", f"{directory}/{sample}.xml", "")
        for sample in demo_sample_ids(n_scenes)
    ]
    return _table(rows, "demo")


def _stem_map(folder: Path, suffixes) -> dict[str, Path]:
    files = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in suffixes and not path.name.startswith("."):
            if path.stem in files:
                raise SampleSheetError(f"{path}: another file in {folder} has the stem {path.stem!r}")
            files[path.stem] = path
    return files


def directory_samples(directory: str) -> pd.DataFrame:
    """Samples from a folder of images and annotation files (XML or JSON).

    A per-image file (Labelbox VOC, LabelMe XML, labelme JSON) is paired with the image of the
    same stem; a multi-image file (CVAT XML, COCO JSON) gives one sample per image it lists,
    found in the folder by its name.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise SampleSheetError(f"{directory}: data directory not found")
    images = _stem_map(folder, IMAGE_SUFFIXES)
    rows = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".xml", ".json")):
        fmt, document = inspect_file(path)
        if fmt in MULTI_IMAGE_FORMATS:
            lister = cvat_image_names if fmt == "cvat_xml" else coco_image_names
            names = lister(path, document)
            for name in names:
                image = folder / name
                if not image.is_file():
                    raise SampleSheetError(f"{path}: lists image {name!r}, which is not in {folder}")
                rows.append((Path(name).stem, str(image), str(path), ""))
        else:
            image = images.get(path.stem)
            if image is None:
                raise SampleSheetError(f"{path}: no image with the same name beside it")
            rows.append((path.stem, str(image), str(path), ""))
    if not rows:
        raise SampleSheetError(f"{directory}: no annotation files (.xml, .json) found")
    return _table(rows, directory)


def folder_samples(folders: list[dict]) -> pd.DataFrame:
    """Samples from pairs of folders: images, and annotations or label masks of the same stem.

    This is the layout of datasets such as CamVid (``train/`` beside ``trainannot/``). Each
    entry may carry a ``split`` that every sample of that pair gets.
    """
    rows = []
    for entry in folders:
        image_dir, label_dir = Path(entry["images"]), Path(entry["annotations"])
        for folder in (image_dir, label_dir):
            if not folder.is_dir():
                raise SampleSheetError(f"{folder}: folder not found")
        labels = _stem_map(label_dir, ANNOTATION_SUFFIXES)
        for stem, image in _stem_map(image_dir, IMAGE_SUFFIXES).items():
            if stem not in labels:
                raise SampleSheetError(f"{image}: no annotation named {stem}.* in {label_dir}")
            rows.append((stem, str(image), str(labels[stem]), entry.get("split", "")))
    if not rows:
        raise SampleSheetError(f"no images found in {[entry['images'] for entry in folders]}")
    return _table(rows, "data.folders")


def sheet_samples(sheet: str) -> pd.DataFrame:
    """Read a TSV sample sheet (sample, image, annotation, optional split, any other columns).

    Relative paths in the sheet are resolved against the sheet's own folder, so an export and
    its sheet can be moved together. Other columns are kept as stripped text after the four
    (``split.group`` may name one).
    """
    path = Path(sheet)
    if not path.is_file():
        raise SampleSheetError(f"{sheet}: sample sheet not found")
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment="#")
    missing = {"sample", "image", "annotation"} - set(table.columns)
    if missing:
        raise SampleSheetError(f"{sheet}: missing column(s) {sorted(missing)}")
    if "split" not in table.columns:
        table["split"] = ""
    base = path.parent

    def resolve(value: str) -> str:
        return value if Path(value).is_absolute() else str(base / value)

    extra = [column for column in table.columns if column not in COLUMNS]
    rows = [
        (row["sample"].strip(), resolve(row["image"]), resolve(row["annotation"]), row["split"].strip())
        + tuple(row[column].strip() for column in extra)
        for row in table.to_dict("records")
    ]
    return _table(rows, sheet, extra)


def _table(rows, source: str, extra: list[str] = ()) -> pd.DataFrame:
    check_sample_ids([row[0] for row in rows], source)
    table = pd.DataFrame(rows, columns=COLUMNS + list(extra))
    return table.set_index("sample", drop=False).sort_index()


def load_samples(config: dict) -> pd.DataFrame:
    """Build the sample table that the config's ``data.source`` describes."""
    data = config["data"]
    if data["source"] == "demo":
        return demo_samples(data["demo_dir"], config["demo"]["n_scenes"])
    if data["source"] == "directory":
        return directory_samples(data["directory"])
    if data["source"] == "folders":
        return folder_samples(data["folders"])
    return sheet_samples(data["sheet"])


def chunk_names(count: int, chunk_size: int) -> list[str]:
    """Names of the chunks ("00000", "00001", ...) that ``count`` items make."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    return [f"{index:05d}" for index in range(math.ceil(count / chunk_size))]


def chunk_members(ordered: list[str], chunk: str, chunk_size: int) -> list[str]:
    """The items of one chunk: a consecutive run of the ordered list."""
    start = int(chunk) * chunk_size
    return ordered[start : start + chunk_size]


def chunk_ids(sample_ids: list[str], chunk_size: int) -> dict[str, list[str]]:
    """Chunk name -> a consecutive run of ``chunk_size`` sorted sample ids (the mask and
    predict jobs; inference chunks its photo list with the same two functions above).

    Consecutive runs keep a chunk's membership stable when samples are appended to the end
    of the order; a changed membership reruns that chunk only.
    """
    ordered = sorted(sample_ids)
    return {name: chunk_members(ordered, name, chunk_size) for name in chunk_names(len(ordered), chunk_size)}
