"""Labelbox export v2 NDJSON: one JSON object per line, one line per data row (image).

::

    {"data_row": {"external_id": "a.jpg", "row_data": "https://…/a.jpg"},
     "media_attributes": {"height": H, "width": W},
     "projects": {"<project id>": {"labels": [{"label_details": {"updated_at": "…"},
        "annotations": {"objects": [
          {"name": "road", "annotation_kind": "ImagePolygon", "polygon": [{"x": 1, "y": 2}, …]},
          {"name": "car", "bounding_box": {"top": 1, "left": 2, "height": 3, "width": 4}},
          {"name": "tree", "composite_mask": {"url": "…", "color_rgb": [R, G, B]}}]}}]}}}

A row's image is named by ``data_row.external_id``, else ``data_row.global_key``, else the
file name at the end of ``data_row.row_data``. Of all labels of all projects in a row, the one
with the latest ``label_details.updated_at`` (else ``created_at``; labels without a date count
as oldest, ties go to the later one in the file) is read, and labels marked skipped
(``performance_details.skipped``) are passed over. Objects are painted in file order;
polylines and points are skipped and counted. Mask files: see :mod:`labelbox_common`.

A line that is not a JSON object naming its image spoils the whole file; any other fault of a
row is a problem for that row's image only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from streetseg.labels.formats.base import (
    AnnotatedObject,
    Annotation,
    AnnotationError,
    error_context,
    read_json_lines,
)
from streetseg.labels.formats.coordinates import (
    parse_size,
)
from streetseg.labels.formats.image_index import ExportIndex, ImageIndex, wanted_test
from streetseg.labels.formats.labelbox_common import (
    MaskFiles,
    box,
    check_bitmap_size,
    export_mask_files,
    image_name,
    scan_export,
    xy_points,
)
from streetseg.labels.formats.registry import POLYGON, Format

AREALESS = {"line": "polyline", "point": "point"}


def iter_rows(path):
    """Yield (line number, row object) for every non-blank line of an NDJSON file."""
    for number, row in read_json_lines(path):
        if not isinstance(row, dict) or not isinstance(row.get("data_row"), dict):
            raise AnnotationError(
                "not a Labelbox data row (no 'data_row' object)", path, f"line {number}"
            )
        yield number, row


def row_name(row: dict) -> str:
    data_row = row["data_row"]
    return image_name(
        data_row.get("external_id"), data_row.get("global_key"), data_row.get("row_data")
    )


def _date(label: dict):
    details = label.get("label_details")
    details = details if isinstance(details, dict) else {}
    for key in ("updated_at", "created_at"):
        value = details.get(key)
        if isinstance(value, str):
            try:
                date = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            return date if date.tzinfo else date.replace(tzinfo=UTC)
    return None


def _skipped(label: dict) -> bool:
    details = label.get("performance_details")
    return isinstance(details, dict) and details.get("skipped") is True


def latest_label(row: dict) -> dict | None:
    """The label that is read (see the module docstring); None when the row has none."""
    projects = row.get("projects")
    if projects is None:
        return None
    if not isinstance(projects, dict):
        raise AnnotationError("'projects' is not an object")
    found = []
    for project_id, project in projects.items():
        labels = project.get("labels") if isinstance(project, dict) else None
        if not isinstance(labels, list):
            raise AnnotationError(f"project {project_id!r} has no 'labels' list")
        for label in labels:
            if not isinstance(label, dict):
                raise AnnotationError(f"a label of project {project_id!r} is not an object")
            if not _skipped(label):
                found.append(label)
    dated = [(_date(label), order, label) for order, label in enumerate(found)]
    if not dated:
        return None
    latest = max(dated, key=lambda item: (item[0] is not None, item[0] or 0, item[1]))
    return latest[2]


class LabelboxNdjsonIndex(ExportIndex):
    """An NDJSON export read once: every row's image name, and the ``wanted`` rows kept."""

    def __init__(self, path, wanted=None, document=None):
        self.path, self.index, keep = Path(path), ImageIndex("data row"), wanted_test(wanted)
        self.unlabelled: set[str] = set()
        for number, row in iter_rows(path):
            name = row_name(row)
            with error_context(path, f"line {number}"):
                if not name:
                    raise AnnotationError("data row has no external_id, global_key or row_data")
                self.index.add(name, row if keep(name) else None, f"data row {name!r}")
            try:
                if latest_label(row) is None:
                    self.unlabelled.add(name)
            except AnnotationError:
                pass  # Reported when the row is read, for its image only.

    def parse(self, name: str, entry) -> Annotation:
        return parse_row(self.path, name, entry)


def parse_row(path, name: str, row: dict) -> Annotation:
    """The annotation of one data row."""
    with error_context(path, f"data row {name!r}"):
        media = row.get("media_attributes")
        width = height = None
        if isinstance(media, dict) and ("width" in media or "height" in media):
            width, height = parse_size(media.get("width"), media.get("height"))
        label = latest_label(row)
        if label is None:
            raise AnnotationError("has no label in any project (not labelled, or skipped)")
        annotations = label.get("annotations", {})
        objects = annotations.get("objects", []) if isinstance(annotations, dict) else None
        if not isinstance(objects, list):
            raise AnnotationError("the label's 'annotations.objects' is not a list")
    annotation = Annotation(str(path), name, width, height)
    masks = MaskFiles(path)
    for number, item in enumerate(objects, start=1):
        label_name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
        where = f"data row {name!r} object {number}" + (f" ({label_name!r})" if label_name else "")
        with error_context(path, where):
            add_object(annotation, item, label_name, where, masks)
    with error_context(path, f"data row {name!r}"):
        masks.check()
    return annotation


def add_object(annotation: Annotation, item, name: str, where: str, masks: MaskFiles) -> None:
    """Append one export v2 object to ``annotation`` (or count it as skipped)."""
    if not isinstance(item, dict):
        raise AnnotationError("not an object")
    if not name:
        raise AnnotationError("missing name")
    if "polygon" in item:
        vertices = xy_points(item["polygon"])
    elif "bounding_box" in item:
        vertices = box(item["bounding_box"])
    elif "composite_mask" in item or "mask" in item:
        composite = "composite_mask" in item
        value = item["composite_mask" if composite else "mask"]
        if not isinstance(value, dict):
            raise AnnotationError("the mask is not an object with a 'url'")
        reference = value.get("url")
        bitmap = masks.bitmap(reference, value.get("color_rgb") if composite else None, where)
        if bitmap is None:  # a missing file: named with the others by masks.check()
            return
        check_bitmap_size(annotation, bitmap, reference)
        annotation.objects.append(AnnotatedObject(name, where, bitmap=bitmap))
        return
    else:
        kind = next((AREALESS[key] for key in AREALESS if key in item), None)
        if kind is None:
            raise AnnotationError(
                f"unsupported annotation_kind {item.get('annotation_kind')!r} (no polygon, "
                "bounding_box, mask, line or point)"
            )
        annotation.skip(kind)
        return
    annotation.objects.append(AnnotatedObject(name, where, vertices=vertices))


def labelbox_ndjson_image_names(path, document=None) -> list[str]:
    """The image names of the rows that hold a label (rows never labelled are no samples)."""
    return scan_export(LabelboxNdjsonIndex, path, document)[0]


def _first_row(peek) -> bool:
    """Any NDJSON file is Labelbox's; its first row is read to refuse a broken one early."""
    rows = iter_rows(peek.path)
    try:
        next(rows, None)
    finally:
        rows.close()
    return True


DESCRIPTORS = (
    Format(
        "labelbox_ndjson",
        "Labelbox NDJSON",
        POLYGON,
        (".ndjson",),
        detect=_first_row,
        hint="data rows",
        index=LabelboxNdjsonIndex,
        companions=lambda path, names: export_mask_files(LabelboxNdjsonIndex, path, names, None),
        image_names=labelbox_ndjson_image_names,
        detected="`.ndjson` whose rows have `data_row`",
        notes=(
            "Labelbox export v2: `polygon`, `bounding_box`, `mask`/`composite_mask` (local "
            "PNG files); the latest label of a row; see [Labelbox](#labelbox)"
        ),
    ),
)
