"""CVAT for images 1.1 XML: one file describes many images.

::

    <annotations><version>1.1</version>
      <image id="0" name="frames/a.jpg" width="W" height="H">
        <polygon label="road" points="x0,y0;x1,y1;..." z_order="0" occluded="0"/>
        <box label="car" xtl=".." ytl=".." xbr=".." ybr=".." z_order="1"/>
        <mask label="tree" rle="3, 5, 2, ..." left="x" top="y" width="w" height="h"/>
      </image>
    </annotations>

Shapes are painted in ascending ``z_order``; equal z_order keeps file order. Polylines and
points have no area and are skipped.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import numpy as np

from streetseg.formats.base import (
    AnnotatedObject,
    Annotation,
    AnnotationError,
    box_vertices,
    parse_number,
    parse_size,
    polygon_from_points,
    read_xml,
)


def find_image_entry(entries, image_name: str, path, what: str):
    """The entry whose name is ``image_name``, or whose base name is, if that is unique."""
    exact = [entry for entry, name in entries if name == image_name]
    if exact:
        return exact[0]
    base = PurePosixPath(image_name.replace("\\", "/")).name
    loose = [entry for entry, name in entries if PurePosixPath(name.replace("\\", "/")).name == base]
    if len(loose) == 1:
        return loose[0]
    if len(loose) > 1:
        raise AnnotationError(f"{path}: {len(loose)} {what} entries are named {base!r}; use full names")
    raise AnnotationError(f"{path}: no {what} entry for image {image_name!r}")


def _points(text: str | None, path, where: str) -> np.ndarray:
    pairs = [pair.split(",") for pair in (text or "").strip().split(";") if pair.strip()]
    return polygon_from_points([tuple(pair) if len(pair) == 2 else pair for pair in pairs], path, where)


def _mask(element, path, where: str, width: int, height: int) -> np.ndarray:
    """Decode CVAT's mask RLE: alternating run lengths, starting with 0s, row-major in a box."""
    numbers = [parse_number(element.get(key), path, where, key) for key in ("left", "top", "width", "height")]
    if any(number != int(number) for number in numbers):
        raise AnnotationError(f"{path}: {where}: mask box must be whole pixels, got {numbers}")
    left, top, box_w, box_h = (int(number) for number in numbers)
    if box_w < 1 or box_h < 1 or left < 0 or top < 0 or left + box_w > width or top + box_h > height:
        raise AnnotationError(
            f"{path}: {where}: mask box {box_w}x{box_h} at ({left}, {top}) is not inside the "
            f"{width}x{height} image"
        )
    try:
        runs = [int(value) for value in (element.get("rle") or "").split(",")]
    except (ValueError, OverflowError):
        raise AnnotationError(f"{path}: {where}: rle is not a list of integers") from None
    if any(run < 0 for run in runs) or sum(runs) != box_w * box_h:
        raise AnnotationError(
            f"{path}: {where}: rle covers {sum(runs)} pixels but the box is {box_w}x{box_h}"
        )
    values = np.repeat(np.arange(len(runs)) % 2 == 1, runs).reshape(box_h, box_w)
    bitmap = np.zeros((height, width), dtype=bool)
    bitmap[top : top + box_h, left : left + box_w] = values
    return bitmap


def parse_cvat_xml(path, image_name: str, document=None) -> Annotation:
    """Read the shapes of one image from a CVAT 1.1 XML export."""
    root = read_xml(path) if document is None else document
    if root.tag != "annotations":
        raise AnnotationError(f"{path}: root element is <{root.tag}>, expected <annotations>")
    entries = [(image, image.get("name") or "") for image in root.iter("image")]
    image = find_image_entry(entries, image_name, path, "<image>")
    where_image = f"<image name={image.get('name')!r}>"
    width, height = parse_size(image.get("width"), image.get("height"), path, where_image)
    annotation = Annotation(str(path), image.get("name") or "", width, height)
    shapes = []
    for number, element in enumerate(image, start=1):
        kind = element.tag if isinstance(element.tag, str) else ""
        if kind not in ("polygon", "box", "mask"):
            continue
        name = (element.get("label") or "").strip()
        where = f"{where_image} {kind} {number}" + (f" ({name!r})" if name else "")
        if not name:
            raise AnnotationError(f"{path}: {where}: missing label")
        z_order = parse_number(element.get("z_order", "0"), path, where, "z_order")
        if kind == "polygon":
            shape = AnnotatedObject(name, where, vertices=_points(element.get("points"), path, where))
        elif kind == "box":
            vertices = box_vertices(*(element.get(k) for k in ("xtl", "ytl", "xbr", "ybr")), path, where)
            shape = AnnotatedObject(name, where, vertices=vertices)
        else:
            shape = AnnotatedObject(name, where, bitmap=_mask(element, path, where, width, height))
        shapes.append((z_order, number, shape))
    annotation.objects = [shape for _, _, shape in sorted(shapes, key=lambda item: item[:2])]
    return annotation


def cvat_image_names(path, document=None) -> list[str]:
    """The names of all images a CVAT 1.1 XML export describes."""
    return [image.get("name") or "" for image in (read_xml(path) if document is None else document).iter("image")]
