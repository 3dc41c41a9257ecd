"""Labelbox's PASCAL VOC XML export: one file per image.

::

    <annotation>
      <filename>scene.jpg</filename>
      <size><width>W</width><height>H</height><depth>3</depth></size>
      <object>
        <name>road</name>
        <polygon><x1>..</x1><y1>..</y1><x2>..</x2><y2>..</y2>...</polygon>
      </object>
      <object><name>sky</name><bndbox><xmin/><ymin/><xmax/><ymax/></bndbox></object>
    </annotation>

The polygon's children are numbered from 1 and alternate x and y. Objects keep file order,
which is the paint order.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from lxml import etree

from streetseg.labels.formats.base import (
    AnnotatedObject,
    Annotation,
    AnnotationError,
    error_context,
    filename_text,
    read_xml,
    unique_child,
)
from streetseg.labels.formats.coordinates import (
    MAX_POINTS_PER_POLYGON,
    box_vertices,
    parse_number,
    parse_size,
    polygon_from_points,
)
from streetseg.labels.formats.registry import POLYGON, Format

_POINT_TAG = re.compile(r"^([xy])(\d+)$")


def _required_text(element, tag: str) -> str:
    child = unique_child(element, tag)
    if child is None or child.text is None or not child.text.strip():
        raise AnnotationError(f"missing <{tag}>")
    return child.text


def _polygon(polygon) -> np.ndarray:
    coords: dict[tuple[str, int], float] = {}
    for child in polygon:
        if not isinstance(child.tag, str):
            continue
        match = _POINT_TAG.match(child.tag.strip().lower())
        if match is None:
            raise AnnotationError(f"unexpected polygon element <{child.tag}>")
        if len(coords) >= 2 * MAX_POINTS_PER_POLYGON:
            raise AnnotationError(f"more than {MAX_POINTS_PER_POLYGON} polygon points")
        key = (match.group(1), int(match.group(2)))
        if key in coords:
            raise AnnotationError(f"polygon point <{child.tag}> appears twice")
        coords[key] = parse_number(child.text, child.tag)
    xs = sorted(index for axis, index in coords if axis == "x")
    ys = sorted(index for axis, index in coords if axis == "y")
    if xs != ys:
        raise AnnotationError(
            f"polygon x and y coordinates do not pair up "
            f"({len(xs)} x values, {len(ys)} y values): odd number of coordinates"
        )
    if xs != list(range(1, len(xs) + 1)):
        raise AnnotationError("polygon points must be numbered 1..n")
    return polygon_from_points([(coords[("x", i)], coords[("y", i)]) for i in xs])


def _vertices(element, names: list[str]) -> np.ndarray:
    """The outline of one ``<object>`` with these ``<name>`` texts."""
    if len(names) > 1:  # Painting the first of two names once turned a car into road.
        raise AnnotationError(f"<name> appears {len(names)} times ({names}); it must be unique")
    if not names or not names[0].strip():
        raise AnnotationError("missing <name>")
    shapes = element.findall("polygon") + element.findall("bndbox")
    if len(shapes) > 1:
        raise AnnotationError(
            f"has {len(shapes)} shapes ({', '.join(f'<{s.tag}>' for s in shapes)}); "
            "an object must have exactly one <polygon> or <bndbox>"
        )
    if not shapes:
        raise AnnotationError("has neither <polygon> nor <bndbox>")
    if shapes[0].tag == "polygon":
        return _polygon(shapes[0])
    return box_vertices(*(_required_text(shapes[0], t) for t in ("xmin", "ymin", "xmax", "ymax")))


def _size(root) -> tuple[int, int]:
    with error_context(where="<annotation>"):
        size = unique_child(root, "size")
    if size is None:
        raise AnnotationError("missing <size>")
    with error_context(where="<size>"):
        return parse_size(_required_text(size, "width"), _required_text(size, "height"))


def parse_root(root, path) -> Annotation:
    """Read a parsed ``<annotation>`` element with a ``<size>``."""
    with error_context(path):
        width, height = _size(root)
        with error_context(where="<annotation>"):
            filename = unique_child(root, "filename")
        filename = "" if filename is None else (filename.text or "").strip()
        annotation = Annotation(str(path), filename, width, height)
        for number, element in enumerate(root.iter("object"), start=1):
            names = [child.text or "" for child in element.findall("name")]
            name = names[0] if names else None
            where = f"object {number}" + (f" ({name.strip()!r})" if name and name.strip() else "")
            with error_context(where=where):
                vertices = _vertices(element, names)
            annotation.objects.append(AnnotatedObject(name, where, vertices=vertices))
    return annotation


def parse_voc_xml(path: str | Path, document=None) -> Annotation:
    """Read one Labelbox PASCAL VOC XML file."""
    root = read_xml(path) if document is None else document
    if root.tag != "annotation":
        raise AnnotationError(f"root element is <{root.tag}>, expected <annotation>", path)
    return parse_root(root, path)


def write_voc_xml(path: str | Path, filename: str, width: int, height: int, objects) -> None:
    """Write (name, vertices) objects as a Labelbox-style VOC XML file."""
    root = etree.Element("annotation")
    etree.SubElement(root, "filename").text = filename
    size = etree.SubElement(root, "size")
    for tag, value in (("width", width), ("height", height), ("depth", 3)):
        etree.SubElement(size, tag).text = str(value)
    for name, vertices in objects:
        element = etree.SubElement(root, "object")
        etree.SubElement(element, "name").text = name
        polygon = etree.SubElement(element, "polygon")
        for index, (x, y) in enumerate(np.asarray(vertices, dtype=np.float64), start=1):
            etree.SubElement(polygon, f"x{index}").text = f"{x:.2f}"
            etree.SubElement(polygon, f"y{index}").text = f"{y:.2f}"
    Path(path).write_bytes(etree.tostring(root, pretty_print=True, xml_declaration=True))


def _is_voc(peek) -> bool:
    """An <annotation> root with <size>; any other <annotation> root (LabelMe's is tested
    first) is refused while listing, naming what is missing."""
    root = peek.xml
    if root.tag != "annotation":
        return False
    if root.find("size") is None:
        raise AnnotationError("missing <size>", peek.path)
    return True


DESCRIPTORS = (
    Format(
        "labelbox_voc",
        "Labelbox VOC",
        POLYGON,
        (".xml",),
        detect=_is_voc,
        hint="<annotation> with <size>",
        parse=parse_voc_xml,
        referenced_image=filename_text,
        detected="`.xml`, `<annotation>` with `<size>`",
        notes=("`<polygon><x1/><y1/>…` numbered from 1, or `<bndbox>`; file order is paint order"),
    ),
)
