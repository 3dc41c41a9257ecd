"""CVAT for images 1.1 XML: one file describes many images.

::

    <annotations><version>1.1</version>
      <image id="0" name="frames/a.jpg" width="W" height="H">
        <polygon label="road" points="x0,y0;x1,y1;..." z_order="0" occluded="0"/>
        <box label="car" xtl=".." ytl=".." xbr=".." ybr=".." z_order="1"/>
        <mask label="tree" rle="3, 5, 2, ..." left="x" top="y" width="w" height="h"/>
      </image>
    </annotations>

Shapes are painted in ascending ``z_order``; equal z_order keeps file order. Polylines,
points and other shapes without area are skipped and counted. A ``rotation`` attribute (degrees,
clockwise on screen, about the shape's centre) turns a ``<box>`` or an
``<ellipse cx cy rx ry>``; an ellipse takes the pixels whose centres lie inside it.
"""

from __future__ import annotations

import numpy as np

from streetseg.labels.formats.base import (
    MAX_MULTI_IMAGE_BYTES,
    AnnotatedObject,
    Annotation,
    AnnotationError,
    error_context,
    iter_xml_children,
)
from streetseg.labels.formats.coordinates import (
    box_vertices,
    parse_number,
    parse_size,
    polygon_from_points,
)
from streetseg.labels.formats.image_index import ExportIndex, ImageIndex, wanted_test
from streetseg.labels.formats.registry import POLYGON, Format


def _mask(element, width: int, height: int) -> np.ndarray:
    """Decode CVAT's mask RLE: alternating run lengths, starting with 0s, row-major in a box."""
    numbers = [parse_number(element.get(key), key) for key in ("left", "top", "width", "height")]
    if any(number != int(number) for number in numbers):
        raise AnnotationError(f"mask box must be whole pixels, got {numbers}")
    left, top, box_w, box_h = (int(number) for number in numbers)
    if (
        box_w < 1
        or box_h < 1
        or left < 0
        or top < 0
        or left + box_w > width
        or top + box_h > height
    ):
        raise AnnotationError(
            f"mask box {box_w}x{box_h} at ({left}, {top}) is not inside the {width}x{height} image"
        )
    try:
        runs = [int(value) for value in (element.get("rle") or "").split(",")]
    except (ValueError, OverflowError):
        raise AnnotationError("rle is not a list of integers") from None
    if any(run < 0 for run in runs) or sum(runs) != box_w * box_h:
        raise AnnotationError(f"rle covers {sum(runs)} pixels but the box is {box_w}x{box_h}")
    values = np.repeat(np.arange(len(runs)) % 2 == 1, runs).reshape(box_h, box_w)
    bitmap = np.zeros((height, width), dtype=bool)
    bitmap[top : top + box_h, left : left + box_w] = values
    return bitmap


class CvatIndex(ExportIndex):
    """The ``<image>`` entries of a CVAT export, read in one pass. Every name is indexed, but
    only the elements of ``wanted`` image names are kept (all, for None): a streamed 1 GB
    export costs a job the images it paints, not the whole tree."""

    def __init__(self, path, wanted=None, document=None):
        self.path, self.index = path, ImageIndex("<image>")
        keep = wanted_test(wanted)
        children = (
            iter_xml_children(path, MAX_MULTI_IMAGE_BYTES)
            if document is None
            else iter([document, *document])
        )
        with error_context(path):
            root = next(children)
            if root.tag != "annotations":
                raise AnnotationError(f"root element is <{root.tag}>, expected <annotations>")
            for element in children:
                if element.tag == "image":
                    name = element.get("name") or ""
                    where = f"<image name={name!r}>"
                    self.index.add(name, element if keep(name) else None, where)

    def parse(self, name: str, entry) -> Annotation:
        return parse_cvat_image(entry, self.path)


def parse_cvat_image(image, path) -> Annotation:
    """Read the shapes of one ``<image>`` element."""
    where_image = f"<image name={image.get('name')!r}>"
    with error_context(path):
        with error_context(where=where_image):
            width, height = parse_size(image.get("width"), image.get("height"))
        annotation = Annotation(str(path), image.get("name") or "", width, height)
        shapes = []
        for number, element in enumerate(image, start=1):
            kind = element.tag if isinstance(element.tag, str) else ""
            if kind not in ("polygon", "box", "mask", "ellipse"):
                if kind and kind != "tag":  # A <tag> labels the whole image; it is not a shape.
                    annotation.skip(kind)
                continue
            name = (element.get("label") or "").strip()
            where = f"{where_image} {kind} {number}" + (f" ({name!r})" if name else "")
            with error_context(where=where):
                if not name:
                    raise AnnotationError("missing label")
                z_order = parse_number(element.get("z_order", "0"), "z_order")
                if kind == "mask":
                    shape = AnnotatedObject(name, where, bitmap=_mask(element, width, height))
                elif kind == "ellipse":
                    shape = AnnotatedObject(name, where, bitmap=_ellipse(element, width, height))
                else:
                    shape = AnnotatedObject(name, where, vertices=_vertices(element, kind))
            shapes.append((z_order, number, shape))
    annotation.objects = [shape for _, _, shape in sorted(shapes, key=lambda item: item[:2])]
    return annotation


def _vertices(element, kind: str) -> np.ndarray:
    """The outline of a ``<polygon>`` or a ``<box>``."""
    if kind == "polygon":
        text = (element.get("points") or "").strip()
        pairs = [pair.split(",") for pair in text.split(";") if pair.strip()]
        return polygon_from_points([tuple(pair) if len(pair) == 2 else pair for pair in pairs])
    vertices = box_vertices(*(element.get(key) for key in ("xtl", "ytl", "xbr", "ybr")))
    angle = _rotation(element)
    if angle:
        centre = vertices.mean(axis=0)
        cos, sin = np.cos(angle), np.sin(angle)
        # With y pointing down, this turns clockwise on screen.
        vertices = (vertices - centre) @ np.array([[cos, sin], [-sin, cos]]) + centre
    return vertices


def _rotation(element) -> float:
    """The ``rotation`` attribute in radians (0 when absent)."""
    return np.deg2rad(parse_number(element.get("rotation", "0"), "rotation"))


def _ellipse(element, width: int, height: int) -> np.ndarray:
    """The pixels whose centres lie inside an ``<ellipse cx cy rx ry rotation>``."""
    cx, cy, rx, ry = (parse_number(element.get(key), key) for key in ("cx", "cy", "rx", "ry"))
    if rx < 0 or ry < 0:
        raise AnnotationError(f"ellipse radii must not be negative, got rx={rx}, ry={ry}")
    bitmap = np.zeros((height, width), dtype=bool)
    if rx == 0 or ry == 0:
        return bitmap
    angle = _rotation(element)
    reach = max(rx, ry)
    left, right = (int(np.clip(np.floor(v), 0, width)) for v in (cx - reach, cx + reach + 1))
    top, bottom = (int(np.clip(np.floor(v), 0, height)) for v in (cy - reach, cy + reach + 1))
    ys, xs = np.mgrid[top:bottom, left:right] + 0.5
    dx, dy = xs - cx, ys - cy
    # Turn each centre back by the ellipse's rotation, into the ellipse's own axes.
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    bitmap[top:bottom, left:right] = (u / rx) ** 2 + (v / ry) ** 2 < 1
    return bitmap


def cvat_image_names(path, document=None) -> list[str]:
    """The names of all images a CVAT 1.1 XML export describes; the file is streamed and no
    element is kept, so listing a 1 GB export does not hold its tree."""
    return list(CvatIndex(path, set(), document).index.entries)


DESCRIPTORS = (
    Format(
        "cvat_xml",
        "CVAT",
        POLYGON,
        (".xml",),
        detect=lambda peek: peek.xml_root_tag == "annotations",
        hint="<annotations>",
        index=CvatIndex,
        image_names=cvat_image_names,
        detected="`.xml`, `<annotations>`",
        notes=(
            '`<polygon points="x,y;…">`, `<box xtl ytl xbr ybr>`, `<mask rle left top width '
            "height>`, `<ellipse cx cy rx ry>`; a `rotation` (degrees, clockwise about the "
            "centre) turns boxes and ellipses; painted by ascending `z_order`, then file "
            "order; polylines and points are skipped"
        ),
    ),
)
