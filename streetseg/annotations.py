"""Reading polygon annotations: the Labelbox PASCAL VOC XML export.

One XML describes one image::

    <annotation>
      <filename>scene.jpg</filename>
      <size><width>W</width><height>H</height><depth>3</depth></size>
      <object>
        <name>road</name>
        <polygon><x1>..</x1><y1>..</y1><x2>..</x2><y2>..</y2>...</polygon>
      </object>
      <object><name>sky</name><bndbox><xmin/><ymin/><xmax/><ymax/></bndbox></object>
    </annotation>

The polygon's children are numbered from 1 and alternate x and y. Coordinates may be floats
and may lie outside the image; the rasteriser clips them. Objects keep file order, which is
the paint order.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from lxml import etree

from streetseg.rasterize import box_to_polygon

# Limits that make hostile or broken files fail fast instead of exhausting memory.
MAX_XML_BYTES = 50 * 1024 * 1024
MAX_POINTS_PER_POLYGON = 100_000

_POINT_TAG = re.compile(r"^([xy])(\d+)$")


class AnnotationError(ValueError):
    """An annotation file cannot be used; the message names the file and the object."""


@dataclass
class AnnotatedObject:
    """One labelled shape: its class name as written, its vertices and where it was found."""

    name: str
    vertices: np.ndarray
    where: str


@dataclass
class Annotation:
    """Everything a mask needs from one annotation file."""

    path: str
    filename: str
    width: int
    height: int
    objects: list[AnnotatedObject] = field(default_factory=list)


def safe_xml_parser() -> etree.XMLParser:
    """An XML parser that expands no entities, loads no DTD and never touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )


def read_xml(path: str | Path) -> etree._Element:
    """Parse an XML file safely; any DTD or entity declaration is refused outright."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_XML_BYTES:
        raise AnnotationError(f"{path}: file is {size} bytes; the limit is {MAX_XML_BYTES}")
    try:
        tree = etree.parse(str(path), safe_xml_parser())
    except etree.XMLSyntaxError as error:
        raise AnnotationError(f"{path}: malformed XML: {error}") from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.system_url is not None:
        raise AnnotationError(f"{path}: a DTD or entity declaration is not allowed")
    return tree.getroot()


def parse_number(text: str | None, path, where: str, what: str) -> float:
    """A finite float from element text, or an error naming the file, object and field."""
    try:
        value = float((text or "").strip())
    except ValueError:
        raise AnnotationError(f"{path}: {where}: {what} is not a number: {text!r}") from None
    if not math.isfinite(value):
        raise AnnotationError(f"{path}: {where}: {what} is not finite: {text!r}")
    return value


def _required_text(element, tag: str, path, where: str) -> str:
    child = element.find(tag)
    if child is None or child.text is None or not child.text.strip():
        raise AnnotationError(f"{path}: {where}: missing <{tag}>")
    return child.text


def _voc_polygon(polygon, path, where: str) -> np.ndarray:
    coords: dict[tuple[str, int], float] = {}
    for child in polygon:
        if not isinstance(child.tag, str):
            continue
        match = _POINT_TAG.match(child.tag.strip().lower())
        if match is None:
            raise AnnotationError(f"{path}: {where}: unexpected polygon element <{child.tag}>")
        axis, index = match.group(1), int(match.group(2))
        coords[(axis, index)] = parse_number(child.text, path, where, child.tag)
        if len(coords) > 2 * MAX_POINTS_PER_POLYGON:
            raise AnnotationError(
                f"{path}: {where}: more than {MAX_POINTS_PER_POLYGON} polygon points"
            )
    xs = sorted(index for axis, index in coords if axis == "x")
    ys = sorted(index for axis, index in coords if axis == "y")
    if xs != ys:
        raise AnnotationError(
            f"{path}: {where}: polygon x and y coordinates do not pair up "
            f"({len(xs)} x values, {len(ys)} y values)"
        )
    if xs != list(range(1, len(xs) + 1)):
        raise AnnotationError(f"{path}: {where}: polygon points must be numbered 1..n")
    if len(xs) < 3:
        raise AnnotationError(
            f"{path}: {where}: polygon has {len(xs)} points; at least 3 are needed"
        )
    return np.array([[coords[("x", i)], coords[("y", i)]] for i in xs], dtype=np.float64)


def _voc_box(box, path, where: str) -> np.ndarray:
    values = [
        parse_number(_required_text(box, tag, path, where), path, where, tag)
        for tag in ("xmin", "ymin", "xmax", "ymax")
    ]
    xmin, ymin, xmax, ymax = values
    if xmax < xmin or ymax < ymin:
        raise AnnotationError(f"{path}: {where}: bndbox has max below min: {values}")
    return box_to_polygon(xmin, ymin, xmax, ymax)


def parse_voc_xml(path: str | Path) -> Annotation:
    """Read one Labelbox PASCAL VOC XML file into an :class:`Annotation`."""
    root = read_xml(path)
    if root.tag != "annotation":
        raise AnnotationError(f"{path}: root element is <{root.tag}>, expected <annotation>")
    size = root.find("size")
    if size is None:
        raise AnnotationError(f"{path}: missing <size>")
    width = parse_number(_required_text(size, "width", path, "<size>"), path, "<size>", "width")
    height = parse_number(
        _required_text(size, "height", path, "<size>"), path, "<size>", "height"
    )
    if width < 1 or height < 1 or width != int(width) or height != int(height):
        raise AnnotationError(f"{path}: <size> must be positive integers, got {width}x{height}")
    filename = (root.findtext("filename") or "").strip()
    annotation = Annotation(str(path), filename, int(width), int(height))
    for number, element in enumerate(root.iter("object"), start=1):
        name = element.findtext("name")
        where = f"object {number}" + (f" ({name.strip()!r})" if name else "")
        if name is None or not name.strip():
            raise AnnotationError(f"{path}: {where}: missing <name>")
        polygon, box = element.find("polygon"), element.find("bndbox")
        if polygon is not None:
            vertices = _voc_polygon(polygon, path, where)
        elif box is not None:
            vertices = _voc_box(box, path, where)
        else:
            raise AnnotationError(f"{path}: {where}: has neither <polygon> nor <bndbox>")
        annotation.objects.append(AnnotatedObject(name, vertices, where))
    return annotation


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
