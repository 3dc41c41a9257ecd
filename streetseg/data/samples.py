"""The sample table: which image and annotation belong to which sample id.

Listing never stops at the first bad file: every file that cannot give a sample (no image
beside it, an unsafe or clashing id, an unreadable or unknown annotation, an image reference
that leads outside the data folder, a hidden file) becomes a
:class:`~streetseg.common.problems.Problem`, and the good samples are listed all the same.
Only a missing data folder or sheet stops the listing itself.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pandas as pd

from streetseg.common.defaults import default
from streetseg.common.images import IMAGE_SUFFIXES
from streetseg.common.problems import Problem, describe, from_error
from streetseg.data.locations import (
    ANNOTATION_SUFFIXES,
    HIDDEN,
    DataRoot,
    cvat_mask_samples,
    reference_path,
    safe_id_problem,
    stem_map,
)
from streetseg.demo.scenes import demo_sample_ids
from streetseg.labels.annotations import inspect_file
from streetseg.labels.formats import registry
from streetseg.labels.formats.base import AnnotationError

FOLLOW_SYMLINKS = default("data.follow_symlinks")

COLUMNS = ["sample", "image", "annotation", "split"]


class SampleSheetError(ValueError):
    """The sample table is unusable; the message names the sheet or directory and the row."""


def demo_samples(directory: str, n_scenes: int) -> pd.DataFrame:
    """The demo's samples: generated JPEGs and XMLs under ``directory``."""
    rows = [
        (sample, f"{directory}/{sample}.jpg", f"{directory}/{sample}.xml", "")
        for sample in demo_sample_ids(n_scenes)
    ]
    return _table(rows, "demo", None)


def directory_samples(
    directory: str, problems: list | None = None, follow_symlinks: bool = FOLLOW_SYMLINKS
) -> pd.DataFrame:
    """Samples from a folder of images and annotation files (XML or JSON).

    A per-image file (Labelbox VOC, LabelMe XML, labelme JSON) is paired with the image of the
    same stem beside it; a multi-image file (CVAT XML, COCO JSON) gives one sample per image
    it lists, found below the folder by its name; a CVAT mask export (labelmap.txt and
    SegmentationClass/) one per mask. Bad files are appended to ``problems``
    (see the module docstring); without a list, they raise one error naming them all.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise SampleSheetError(f"{directory}: data directory not found")
    found: list = []
    root = DataRoot(folder, follow_symlinks)
    images = stem_map(folder, IMAGE_SUFFIXES, [])
    rows = []
    # A Supervisely dataset folder keeps its annotations in ann/ (and its images in img/).
    annotations = folder / "ann"
    listed = [*folder.iterdir(), *(annotations.iterdir() if annotations.is_dir() else ())]
    shapes = registry.suffixes(registry.POLYGON)
    for path in sorted(p for p in listed if p.suffix.lower() in shapes):
        if path.name.startswith("."):
            found.append(Problem("", str(path), "", HIDDEN))
            continue
        escape = root.escape(path)
        if escape:
            found.append(Problem(path.stem, str(path), "", f"the annotation file {escape}"))
            continue
        try:
            fmt, document = inspect_file(path)
            described = registry.get(fmt)
            if described.multi_image:
                names = described.image_names(path, document)
                rows += _listed_images(path, names, folder, root, found)
                continue
        except AnnotationError as error:
            found.append(from_error(error, str(path), path.stem))
            continue
        sample, image = path.stem, images.get(path.stem)
        named = described.named_image(path) if described.named_image else None
        if named:
            sample, places = named
            image = next((place for place in places if place.is_file()), None)
        elif path.parent != folder:
            found.append(Problem(path.stem, str(path), "", f"{fmt} is not read from ann/"))
            continue
        reference = described.referenced_image(document) if described.referenced_image else ""
        escape = reference and root.escape(reference_path(path, reference))
        image_escape = image and root.escape(image)
        if escape:
            found.append(
                Problem(
                    sample, str(path), "", f"names its image {reference!r}, which {escape}; refused"
                )
            )
        elif image is None:
            expected = f" ({', '.join(p.name for p in named[1][:1])})" if named else ""
            found.append(
                Problem(sample, str(path), "", f"no image with the same name beside it{expected}")
            )
        elif image_escape:
            found.append(Problem(sample, str(image), "", f"the image {image_escape}"))
        else:
            rows.append((sample, str(image), str(path), ""))
    rows += cvat_mask_samples(folder, root, found)
    return _finish(
        rows,
        directory,
        found,
        problems,
        f"{directory}: no annotation files ({', '.join(shapes)}) and no CVAT mask "
        "export (labelmap.txt, SegmentationClass/) found",
    )


def _listed_images(
    path: Path, names: list[str], folder: Path, root: DataRoot, problems: list
) -> list[tuple]:
    """The samples of a multi-image export: one per image it names, found below ``folder``."""
    rows = []
    for name in names:
        stem = PurePosixPath(name.replace("\\", "/")).stem
        image = reference_path(folder / "x", name)
        escape = root.escape(image)
        if escape:
            problems.append(
                Problem(
                    stem, str(path), f"image {name!r}", f"the image reference {escape}; refused"
                )
            )
        elif not image.is_file():
            problems.append(
                Problem(
                    stem, str(path), f"image {name!r}", f"lists an image that is not in {folder}"
                )
            )
        else:
            rows.append((stem, str(image), str(path), ""))
    return rows


def folder_samples(
    folders: list[dict], problems: list | None = None, follow_symlinks: bool = FOLLOW_SYMLINKS
) -> pd.DataFrame:
    """Samples from pairs of folders: images, and annotations or label masks of the same stem.

    This is the layout of datasets such as CamVid (``train/`` beside ``trainannot/``). Each
    entry may carry a ``split`` that every sample of that pair gets.
    """
    rows, found = [], []
    for entry in folders:
        image_dir, label_dir = Path(entry["images"]), Path(entry["annotations"])
        for folder in (image_dir, label_dir):
            if not folder.is_dir():
                raise SampleSheetError(f"{folder}: folder not found")
        labels = stem_map(label_dir, ANNOTATION_SUFFIXES, found)
        label_root, image_root = (
            DataRoot(label_dir, follow_symlinks),
            DataRoot(image_dir, follow_symlinks),
        )
        for stem, image in stem_map(image_dir, IMAGE_SUFFIXES, found).items():
            label = labels.get(stem)
            image_escape = image_root.escape(image)
            escape = image_escape or (label and label_root.escape(label))
            if label is None:
                found.append(
                    Problem(stem, str(image), "", f"no annotation named {stem}.* in {label_dir}")
                )
            elif escape:
                found.append(Problem(stem, str(image if image_escape else label), "", escape))
            else:
                rows.append((stem, str(image), str(label), entry.get("split", "")))
    empty = f"no images found in {[entry['images'] for entry in folders]}"
    return _finish(rows, "data.folders", found, problems, empty)


def sheet_samples(sheet: str, problems: list | None = None) -> pd.DataFrame:
    """Read a TSV sample sheet (sample, image, annotation, optional split, any other columns).

    Relative paths in the sheet are resolved against the sheet's own folder, so an export and
    its sheet can be moved together. Other columns are kept as stripped text after the four
    (``split.group`` may name one). A row whose image or annotation does not exist is a
    problem; the sheet's paths are the user's own choice, so they may lie anywhere.
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
        (
            row["sample"].strip(),
            resolve(row["image"]),
            resolve(row["annotation"]),
            row["split"].strip(),
        )
        + tuple(row[column].strip() for column in extra)
        for row in table.to_dict("records")
    ]
    found: list = []
    listed = _table(rows, sheet, None if problems is None else found, extra)
    absent = {}
    for row in listed.itertuples(index=False):
        missing = [
            f"{what} {name} not found"
            for what, name in (("image", row.image), ("annotation", row.annotation))
            if not Path(name).exists()
        ]
        absent[row.sample] = "; ".join(missing)
    found += [
        Problem(sample, str(sheet), f"sample {sample!r}", reason)
        for sample, reason in absent.items()
        if reason
    ]
    rows = [
        tuple(row)
        for row in listed[COLUMNS + extra].itertuples(index=False)
        if not absent[row.sample]
    ]
    return _finish(rows, sheet, found, problems, f"{sheet}: no samples", extra)


def _finish(
    rows, source: str, found: list, problems: list | None, empty: str, extra=()
) -> pd.DataFrame:
    """The table of the good rows; the problems go to ``problems``, or raise without a list."""
    table = _table(rows, source, found, extra)
    if problems is None and found:
        raise SampleSheetError("\n".join(map(describe, found)))
    if problems is not None:
        problems.extend(found)
    if table.empty and not found:
        raise SampleSheetError(empty)
    return table


def _table(rows, source: str, problems: list | None, extra=()) -> pd.DataFrame:
    """The sample table of ``rows`` (:data:`COLUMNS`, then ``extra`` columns); unsafe and
    duplicated ids become problems (or raise when ``problems`` is None), and every row of a
    duplicated id is left out."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[0]] = counts.get(row[0], 0) + 1
    kept = []
    for row in rows:
        sample, annotation = row[0], row[2]
        reason = safe_id_problem(sample, source)
        if reason is None and counts[sample] > 1:
            reason = f"sample id {sample!r} appears more than once (in {source})"
        if reason is None:
            kept.append(tuple(row))
        elif problems is None:
            raise SampleSheetError(f"{source}: {reason}")
        else:
            problems.append(Problem("", annotation, "", reason))
    return (
        pd.DataFrame(kept, columns=COLUMNS + list(extra))
        .set_index("sample", drop=False)
        .sort_index()
    )


def list_samples(config: dict) -> tuple[pd.DataFrame, list[Problem]]:
    """The sample table that the config's ``data.source`` describes, and every problem found
    while listing it."""
    data, problems = config["data"], []
    follow = data.get("follow_symlinks", False)
    if data["source"] == "demo":
        return demo_samples(data["demo_dir"], config["demo"]["n_scenes"]), problems
    if data["source"] == "directory":
        table = directory_samples(data["directory"], problems, follow)
    elif data["source"] == "folders":
        table = folder_samples(data["folders"], problems, follow)
    else:
        table = sheet_samples(data["sheet"], problems)
    return table, problems
