"""LabelMe: the LabelMe 3.0 XML of the MIT tool, and the labelme desktop tool's JSON.

LabelMe 3.0 XML::

    <annotation><filename>a.jpg</filename><imagesize><nrows>H</nrows><ncols>W</ncols></imagesize>
      <object><name>car</name><deleted>0</deleted>
        <polygon><pt><x>1</x><y>2</y></pt>...</polygon></object></annotation>

Objects marked deleted are skipped uncounted: deleting is the annotator's deliberate act.
labelme JSON holds ``shapes`` (polygon, rectangle and circle shapes fill an area; lines and
points do not, and are skipped and counted in ``Annotation.skipped``) with ``imageHeight``
and ``imageWidth``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from streetseg.labels.formats.base import (
    AnnotatedObject,
    Annotation,
    AnnotationError,
    error_context,
    filename_text,
    read_json,
    read_xml,
    unique_child,
)
from streetseg.labels.formats.coordinates import (
    box_vertices,
    parse_number,
    parse_size,
    polygon_from_points,
)
from streetseg.labels.formats.registry import POLYGON, Format

# labelme shapes that have no area and so label no pixels.
AREALESS_SHAPES = {"line", "linestrip", "point", "points"}


def parse_labelme_xml(path: str | Path, document=None) -> Annotation:
    """Read one LabelMe 3.0 XML file; a missing <imagesize> means the image's own size."""
    root = read_xml(path) if document is None else document
    with error_context(path):
        if root.tag != "annotation":
            raise AnnotationError(f"root element is <{root.tag}>, expected <annotation>")
        width, height = _image_size(root)
        with error_context(where="<annotation>"):
            annotation = Annotation(str(path), _text(root, "filename"), width, height)
        for number, element in enumerate(root.iter("object"), start=1):
            names = [(child.text or "").strip() for child in element.findall("name")]
            name = names[0] if names else ""
            where = f"object {number}" + (f" ({name!r})" if name else "")
            with error_context(where=where):
                vertices = _object_vertices(element, names, where)
            if vertices is not None:
                annotation.objects.append(AnnotatedObject(name, where, vertices=vertices))
    return annotation


def _image_size(root) -> tuple[int | None, int | None]:
    """The size ``<imagesize>`` gives, or None, None where it gives none."""
    with error_context(where="<annotation>"):
        size = unique_child(root, "imagesize")
    if size is None:
        return None, None
    with error_context(where="<imagesize>"):
        width, height = (_text(size, tag) for tag in ("ncols", "nrows"))
    if not (width or height):
        return None, None
    if not (width and height):
        raise AnnotationError("<imagesize> needs both <nrows> and <ncols>")
    with error_context(where="<imagesize>"):
        return parse_size(width, height)


def _object_vertices(element, names: list[str], where: str) -> np.ndarray | None:
    """The outline of one ``<object>`` with these ``<name>`` texts; None if it is deleted."""
    if len(names) > 1:
        raise AnnotationError(f"<name> appears {len(names)} times ({names}); it must be unique")
    # Deleted objects are the annotator's deliberate removals, so they are not counted as skipped.
    if (_text(element, "deleted") or "0") == "1":
        return None
    if not names or not names[0]:
        raise AnnotationError("missing <name>")
    polygon = unique_child(element, "polygon")
    if polygon is None:
        raise AnnotationError("has no <polygon>")
    points = []
    for index, pt in enumerate(polygon.iter("pt"), start=1):
        with error_context(where=f"{where} point {index}"):
            points.append((_text(pt, "x", None), _text(pt, "y", None)))
    return polygon_from_points(points)


def _text(element, tag: str, missing=""):
    """The stripped text of the one child ``<tag>``, or ``missing`` where there is none."""
    child = unique_child(element, tag)
    return missing if child is None else (child.text or "").strip()


def _two_points(points, kind: str) -> list[list[float]]:
    """The two points that define a rectangle (corners) or a circle (centre and rim)."""
    if len(points) != 2 or not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in points):
        raise AnnotationError(f"a {kind} needs 2 (x, y) points, got {points!r}")
    return [[parse_number(value, f"{kind} point") for value in p] for p in points]


def _circle(points, n_vertices: int = 64) -> np.ndarray:
    (centre_x, centre_y), (rim_x, rim_y) = _two_points(points, "circle")
    radius = float(np.hypot(rim_x - centre_x, rim_y - centre_y))
    angles = np.linspace(0, 2 * np.pi, n_vertices, endpoint=False)
    return np.stack([centre_x + radius * np.cos(angles), centre_y + radius * np.sin(angles)], 1)


def parse_labelme_json(path: str | Path, document=None) -> Annotation:
    """Read one labelme JSON file."""
    data = read_json(path) if document is None else document
    with error_context(path):
        if not isinstance(data, dict) or not isinstance(data.get("shapes"), list):
            raise AnnotationError("not a labelme JSON file (no 'shapes' list)")
        if "imageWidth" not in data or "imageHeight" not in data:
            raise AnnotationError("missing imageWidth/imageHeight")
        with error_context(where="image size"):
            width, height = parse_size(data["imageWidth"], data["imageHeight"])
        annotation = Annotation(str(path), str(data.get("imagePath") or ""), width, height)
        for number, shape in enumerate(data["shapes"], start=1):
            if not isinstance(shape, dict):
                raise AnnotationError("not an object", where=f"shape {number}")
            name = str(shape.get("label") or "").strip()
            where = f"shape {number}" + (f" ({name!r})" if name else "")
            with error_context(where=where):
                vertices = _shape_vertices(shape, name)
            if vertices is None:
                annotation.skip(shape["shape_type"])
            else:
                annotation.objects.append(AnnotatedObject(name, where, vertices=vertices))
    return annotation


def _shape_vertices(shape: dict, name: str) -> np.ndarray | None:
    """The outline of one labelme shape; None for a shape without area."""
    if not name:
        raise AnnotationError("missing label")
    kind = shape.get("shape_type") or "polygon"
    if not isinstance(kind, str):
        raise AnnotationError(f"shape_type is not a string: {kind!r}")
    points = shape.get("points")
    if not isinstance(points, list):
        raise AnnotationError("'points' is not a list")
    if kind in AREALESS_SHAPES:
        return None
    if kind == "polygon":
        return polygon_from_points(points)
    if kind == "rectangle":
        (x0, y0), (x1, y1) = _two_points(points, "rectangle")
        return box_vertices(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    if kind == "circle":
        return _circle(points)
    raise AnnotationError(f"unsupported shape_type {kind!r}")


def _is_labelme_xml(peek) -> bool:
    root = peek.xml
    return (
        root.tag == "annotation"
        and root.find("size") is None
        and (root.find("imagesize") is not None or root.find(".//polygon/pt") is not None)
    )


DESCRIPTORS = (
    Format(
        "labelme_xml",
        "LabelMe",
        POLYGON,
        (".xml",),
        detect=_is_labelme_xml,
        hint="<annotation> with <imagesize> or <polygon><pt>",
        parse=parse_labelme_xml,
        referenced_image=filename_text,
        detected="`.xml`, `<annotation>` with `<imagesize>` or `<pt>` points",
        notes=(
            "objects with `<deleted>1</deleted>` are skipped; without `<imagesize>` the "
            "image's size is used"
        ),
    ),
    Format(
        "labelme_json",
        "labelme",
        POLYGON,
        (".json",),
        detect=lambda peek: isinstance(peek.json, dict) and "shapes" in peek.json,
        hint="shapes",
        parse=parse_labelme_json,
        referenced_image=lambda document: str(document.get("imagePath") or "").strip(),
        detected="`.json` with `shapes`",
        notes=(
            "`polygon`, `rectangle` (2 corners, any order) and `circle` (centre, rim) fill "
            "areas; `line`, `linestrip` and `point` are skipped"
        ),
    ),
)
