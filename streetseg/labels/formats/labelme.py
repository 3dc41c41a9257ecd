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
    box_vertices,
    parse_number,
    parse_size,
    polygon_from_points,
    read_json,
    read_xml,
    unique_child,
)

# labelme shapes that have no area and so label no pixels.
AREALESS_SHAPES = {"line", "linestrip", "point", "points"}


def parse_labelme_xml(path: str | Path, document=None) -> Annotation:
    """Read one LabelMe 3.0 XML file; a missing <imagesize> means the image's own size."""
    root = read_xml(path) if document is None else document
    if root.tag != "annotation":
        raise AnnotationError(f"{path}: root element is <{root.tag}>, expected <annotation>")
    width = height = None
    size = unique_child(root, "imagesize", path, "<annotation>")
    given = (
        [_text(size, tag, path, "<imagesize>") for tag in ("ncols", "nrows")]
        if size is not None
        else []
    )
    if any(given):
        if not all(given):
            raise AnnotationError(f"{path}: <imagesize> needs both <nrows> and <ncols>")
        width, height = parse_size(given[0], given[1], path, "<imagesize>")
    annotation = Annotation(str(path), _text(root, "filename", path, "<annotation>"), width, height)
    for number, element in enumerate(root.iter("object"), start=1):
        names = [(child.text or "").strip() for child in element.findall("name")]
        name = names[0] if names else ""
        where = f"object {number}" + (f" ({name!r})" if name else "")
        if len(names) > 1:
            raise AnnotationError(
                f"{path}: {where}: <name> appears {len(names)} times ({names}); it must be unique"
            )
        # Deleted objects are the annotator's deliberate removals, so they are not counted as skipped.
        if (_text(element, "deleted", path, where) or "0") == "1":
            continue
        if not name:
            raise AnnotationError(f"{path}: {where}: missing <name>")
        polygon = unique_child(element, "polygon", path, where)
        if polygon is None:
            raise AnnotationError(f"{path}: {where}: has no <polygon>")
        points = [
            (
                _text(pt, "x", path, f"{where} point {index}", None),
                _text(pt, "y", path, f"{where} point {index}", None),
            )
            for index, pt in enumerate(polygon.iter("pt"), start=1)
        ]
        vertices = polygon_from_points(points, path, where)
        annotation.objects.append(AnnotatedObject(name, where, vertices=vertices))
    return annotation


def _text(element, tag: str, path, where: str, missing=""):
    """The stripped text of the one child ``<tag>``, or ``missing`` where there is none."""
    child = unique_child(element, tag, path, where)
    return missing if child is None else (child.text or "").strip()


def _two_points(points, path, where: str, kind: str) -> list[list[float]]:
    """The two points that define a rectangle (corners) or a circle (centre and rim)."""
    if len(points) != 2 or not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in points):
        raise AnnotationError(f"{path}: {where}: a {kind} needs 2 (x, y) points, got {points!r}")
    return [[parse_number(value, path, where, f"{kind} point") for value in p] for p in points]


def _circle(points, path, where: str, n_vertices: int = 64) -> np.ndarray:
    (centre_x, centre_y), (rim_x, rim_y) = _two_points(points, path, where, "circle")
    radius = float(np.hypot(rim_x - centre_x, rim_y - centre_y))
    angles = np.linspace(0, 2 * np.pi, n_vertices, endpoint=False)
    return np.stack([centre_x + radius * np.cos(angles), centre_y + radius * np.sin(angles)], 1)


def parse_labelme_json(path: str | Path, document=None) -> Annotation:
    """Read one labelme JSON file."""
    data = read_json(path) if document is None else document
    if not isinstance(data, dict) or not isinstance(data.get("shapes"), list):
        raise AnnotationError(f"{path}: not a labelme JSON file (no 'shapes' list)")
    if "imageWidth" not in data or "imageHeight" not in data:
        raise AnnotationError(f"{path}: missing imageWidth/imageHeight")
    width, height = parse_size(data["imageWidth"], data["imageHeight"], path, "image size")
    annotation = Annotation(str(path), str(data.get("imagePath") or ""), width, height)
    for number, shape in enumerate(data["shapes"], start=1):
        if not isinstance(shape, dict):
            raise AnnotationError(f"{path}: shape {number}: not an object")
        name = str(shape.get("label") or "").strip()
        where = f"shape {number}" + (f" ({name!r})" if name else "")
        if not name:
            raise AnnotationError(f"{path}: {where}: missing label")
        kind = shape.get("shape_type") or "polygon"
        if not isinstance(kind, str):
            raise AnnotationError(f"{path}: {where}: shape_type is not a string: {kind!r}")
        points = shape.get("points")
        if not isinstance(points, list):
            raise AnnotationError(f"{path}: {where}: 'points' is not a list")
        if kind in AREALESS_SHAPES:
            annotation.skip(kind)
            continue
        if kind == "polygon":
            vertices = polygon_from_points(points, path, where)
        elif kind == "rectangle":
            (x0, y0), (x1, y1) = _two_points(points, path, where, "rectangle")
            vertices = box_vertices(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), path, where)
        elif kind == "circle":
            vertices = _circle(points, path, where)
        else:
            raise AnnotationError(f"{path}: {where}: unsupported shape_type {kind!r}")
        annotation.objects.append(AnnotatedObject(name, where, vertices=vertices))
    return annotation
