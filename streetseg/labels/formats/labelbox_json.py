"""Labelbox JSON export v1 and its legacy forms: a list of rows, one per label.

- v1 (``Label.objects``): objects with a ``title`` and a ``polygon`` [{x, y}], a ``bbox``
  {top, left, height, width}, a ``line`` or ``point`` (skipped and counted), or only an
  ``instanceURI``: a mask PNG (see :mod:`labelbox_common` for mask files). Origin top left.
- legacy XY (``Label: {class: [{geometry: [{x, y}, …]}]}``, or ``[[{x, y}, …]]``) and legacy
  WKT (``Label: {class: "MULTIPOLYGON (((x y, …)))"}``, or ``[{geometry: "POLYGON …"}]``):
  the class is the key. Values that are not shapes (classification answers) are passed over;
  a ``{geometry: {x, y}}`` point is skipped and counted. Labelbox's own converters for these
  exports measured y from the image's bottom edge, and so does this reader. WKT holes (inner
  rings) are not cut out; each is counted as a skipped ``wkt hole``.
- ``Label: "Skip"`` (or ``Skipped: true``): the labeller skipped the image; such rows are
  passed over.

A row's image is named by ``External ID``, else the file name at the end of ``Labeled Data``.
An image may have several rows (several labels): the latest by ``Updated At`` (else
``Created At``; ties go to the later row) that is not skipped is read.
"""

from __future__ import annotations

import re
from pathlib import Path

from streetseg.labels.formats.base import (
    MAX_MULTI_IMAGE_BYTES,
    AnnotatedObject,
    Annotation,
    AnnotationError,
    error_context,
    read_json,
)
from streetseg.labels.formats.coordinates import (
    parse_size,
    polygon_from_points,
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
from streetseg.labels.formats.labelbox_ndjson import AREALESS
from streetseg.labels.formats.registry import POLYGON, Format

WKT_SHAPE = re.compile(r"^\s*(MULTI)?POLYGON\b", re.IGNORECASE)
_RING = re.compile(r"\(([^()]*)\)")


def is_labelbox_rows(data) -> bool:
    """A JSON document that is a Labelbox JSON export: a list of rows with ``Label``."""
    return (
        bool(data) and isinstance(data, list) and isinstance(data[0], dict) and "Label" in data[0]
    )


def _skipped(row: dict) -> bool:
    return row.get("Label") == "Skip" or row.get("Skipped") is True


class LabelboxJsonIndex(ExportIndex):
    """A JSON export read once: rows grouped by image name, the ``wanted`` images' rows kept."""

    def __init__(self, path, wanted=None, document=None):
        data = read_json(path, MAX_MULTI_IMAGE_BYTES) if document is None else document
        self.path, self.index, keep = Path(path), ImageIndex("row"), wanted_test(wanted)
        self.unlabelled: set[str] = set()
        with error_context(path):
            if not isinstance(data, list):
                raise AnnotationError("not a Labelbox JSON export (a list of rows with 'Label')")
            rows: dict[str, list] = {}
            for number, row in enumerate(data, start=1):
                if not isinstance(row, dict) or "Label" not in row:
                    raise AnnotationError("not an object with 'Label'", where=f"row {number}")
                name = image_name(row.get("External ID"), row.get("Labeled Data"))
                if not name:
                    problem = "has no External ID or Labeled Data"
                    raise AnnotationError(problem, where=f"row {number}")
                rows.setdefault(name, []).append((number, row))
            for name, group in rows.items():
                self.index.add(name, group if keep(name) else None, f"image {name!r}")
                if all(_skipped(row) for _, row in group):
                    self.unlabelled.add(name)

    def parse(self, name: str, group) -> Annotation:
        usable = [
            (str(row.get("Updated At") or row.get("Created At") or ""), number, row)
            for number, row in group
            if not _skipped(row)
        ]
        if not usable:
            raise AnnotationError("the image was skipped (Label 'Skip')", self.path, f"{name!r}")
        _, number, row = max(usable, key=lambda item: (item[0], item[1]))
        return parse_row(self.path, name, number, row)


def parse_row(path, name: str, number: int, row: dict) -> Annotation:
    """The annotation of one row (``number`` counts rows from 1)."""
    row_where = f"row {number} ({name!r})"
    with error_context(path, row_where):
        media = row.get("Media Attributes")
        width = height = None
        if isinstance(media, dict) and ("width" in media or "height" in media):
            width, height = parse_size(media.get("width"), media.get("height"))
        label = row["Label"]
        if not isinstance(label, dict):
            raise AnnotationError(f"'Label' is not an object: {label!r:.80}")
    annotation = Annotation(str(path), name, width, height)
    if isinstance(label.get("objects"), list):
        masks = MaskFiles(path)
        for index, item in enumerate(label["objects"], start=1):
            title = _title(item)
            where = f"{row_where} object {index}" + (f" ({title!r})" if title else "")
            with error_context(path, where):
                _add_v1_object(annotation, item, title, where, masks)
        with error_context(path, row_where):
            masks.check()
        return annotation
    annotation.y_from_bottom = True
    for title, value in label.items():
        where = f"{row_where} class {title!r}"
        with error_context(path, where):
            _add_legacy(annotation, str(title).strip(), value, where)
    return annotation


def _title(item) -> str:
    if not isinstance(item, dict):
        return ""
    return str(item.get("title") or item.get("value") or "").strip()


def _add_v1_object(annotation, item, title: str, where: str, masks: MaskFiles) -> None:
    if not isinstance(item, dict):
        raise AnnotationError("not an object")
    if not title:
        raise AnnotationError("missing title")
    if "polygon" in item:
        vertices = xy_points(item["polygon"])
    elif "bbox" in item:
        vertices = box(item["bbox"])
    elif any(key in item for key in AREALESS):
        annotation.skip(next(AREALESS[key] for key in AREALESS if key in item))
        return
    elif "instanceURI" in item:
        bitmap = masks.bitmap(item["instanceURI"], where=where)
        if bitmap is None:  # a missing file: named with the others by masks.check()
            return
        check_bitmap_size(annotation, bitmap, item["instanceURI"])
        annotation.objects.append(AnnotatedObject(title, where, bitmap=bitmap))
        return
    else:
        raise AnnotationError("has no polygon, bbox, line, point or instanceURI")
    annotation.objects.append(AnnotatedObject(title, where, vertices=vertices))


def _add_legacy(annotation, title: str, value, where: str) -> None:
    """The shapes of one class of a legacy XY or WKT label."""
    if isinstance(value, str):
        if WKT_SHAPE.match(value):
            _add_wkt(annotation, title, value, where)
        return  # A classification answer.
    if not isinstance(value, list):
        return  # A classification answer (a number, an object).
    for number, item in enumerate(value, start=1):
        part = f"{where} shape {number}"
        with error_context(where=part):
            geometry = item.get("geometry") if isinstance(item, dict) else item
            if isinstance(geometry, str) and WKT_SHAPE.match(geometry):
                _add_wkt(annotation, title, geometry, part)
            elif isinstance(geometry, dict) and "x" in geometry and "y" in geometry:
                annotation.skip("point")
            elif isinstance(geometry, list):
                vertices = xy_points(geometry)
                annotation.objects.append(AnnotatedObject(title, part, vertices=vertices))
            elif not isinstance(item, str):  # A string is a checklist answer.
                raise AnnotationError(f"is neither {{x, y}} points nor WKT: {item!r:.80}")


def _add_wkt(annotation, title: str, text: str, where: str) -> None:
    """Append the outer ring of every polygon of a WKT POLYGON or MULTIPOLYGON."""
    for number, (outer, holes) in enumerate(parse_wkt(text), start=1):
        part = f"{where} polygon {number}"
        with error_context(where=part):
            vertices = polygon_from_points(outer)
        annotation.objects.append(AnnotatedObject(title, part, vertices=vertices))
        for _ in range(holes):
            annotation.skip("wkt hole")


def parse_wkt(text: str) -> list[tuple[list, int]]:
    """(outer ring points, number of holes) of each polygon of a WKT (MULTI)POLYGON."""
    body = WKT_SHAPE.sub("", text, count=1).strip()
    if body.upper() == "EMPTY":
        return []
    if not (body.startswith("(") and body.endswith(")")) or body.count("(") != body.count(")"):
        raise AnnotationError(f"malformed WKT: {text[:80]!r}")
    multi = text.lstrip().upper().startswith("MULTI")
    polygons, depth, current = [], 0, []
    for position, char in enumerate(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0 or (depth == 0 and position != len(body) - 1):
            raise AnnotationError(f"malformed WKT: {text[:80]!r}")
        if multi and depth == 2 and char == "(":
            current = [position]
        elif multi and depth == 1 and char == ")":
            polygons.append(body[current[0] : position + 1])
    polygons = polygons if multi else [body]
    result = []
    for polygon in polygons:
        rings = [_ring_points(ring, text) for ring in _RING.findall(polygon)]
        if not rings:
            raise AnnotationError(f"malformed WKT: {text[:80]!r}")
        result.append((rings[0], len(rings) - 1))
    return result


def _ring_points(ring: str, text: str) -> list[tuple[str, str]]:
    points = []
    for number, pair in enumerate(ring.split(","), start=1):
        values = pair.split()
        if len(values) != 2:
            raise AnnotationError(f"WKT point {number} is not 'x y': {pair.strip()!r:.40}")
        points.append((values[0], values[1]))
    return points


def labelbox_json_image_names(path, document=None) -> list[str]:
    """The image names of the rows, leaving out images whose every row is skipped."""
    return scan_export(LabelboxJsonIndex, path, document)[0]


DESCRIPTORS = (
    Format(
        "labelbox_json",
        "Labelbox",
        POLYGON,
        (".json",),
        detect=lambda peek: is_labelbox_rows(peek.json),
        hint="a list of rows with Label",
        index=LabelboxJsonIndex,
        companions=lambda path, names: export_mask_files(
            LabelboxJsonIndex, path, names, b'"Label"'
        ),
        image_names=labelbox_json_image_names,
        detected="`.json` whose top level is a list of rows with `Label`",
        notes=(
            "Labelbox JSON v1 (`Label.objects`) and the legacy XY and WKT exports; see "
            "[Labelbox](#labelbox)"
        ),
    ),
)
