"""The sample table: which image and annotation belong to which sample id."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from streetseg.demo import demo_sample_ids

# Sample ids become file names under results/, so they are restricted to safe names.
SAFE_SAMPLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp")
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


def directory_samples(directory: str) -> pd.DataFrame:
    """Pair every XML in ``directory`` with the image of the same stem beside it."""
    folder = Path(directory)
    if not folder.is_dir():
        raise SampleSheetError(f"{directory}: data directory not found")
    images = {p.stem: p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES}
    rows = []
    for xml in sorted(folder.glob("*.xml")):
        image = images.get(xml.stem)
        if image is None:
            raise SampleSheetError(f"{xml}: no image with the same name beside it")
        rows.append((xml.stem, str(image), str(xml), ""))
    if not rows:
        raise SampleSheetError(f"{directory}: no annotation XML files found")
    return _table(rows, directory)


def sheet_samples(sheet: str) -> pd.DataFrame:
    """Read a TSV sample sheet (sample, image, annotation, optional split).

    Relative paths in the sheet are resolved against the sheet's own folder, so an export and
    its sheet can be moved together.
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

    rows = [
        (row.sample.strip(), resolve(row.image), resolve(row.annotation), row.split.strip())
        for row in table.itertuples(index=False)
    ]
    return _table(rows, sheet)


def _table(rows, source: str) -> pd.DataFrame:
    check_sample_ids([row[0] for row in rows], source)
    table = pd.DataFrame(rows, columns=COLUMNS).set_index("sample", drop=False).sort_index()
    return table


def load_samples(config: dict) -> pd.DataFrame:
    """Build the sample table that the config's ``data.source`` describes."""
    data = config["data"]
    if data["source"] == "demo":
        return demo_samples(data["demo_dir"], config["demo"]["n_scenes"])
    if data["source"] == "directory":
        return directory_samples(data["directory"])
    return sheet_samples(data["sheet"])
