"""Supervisely JSON: one ``ann/<image name>.json`` per image (Supervisely annotation format,
"Image Annotation" and "Objects" pages of the developer portal)::

    {"size": {"height": H, "width": W}, "tags": [], "objects": [
      {"classTitle": "road", "geometryType": "polygon",
       "points": {"exterior": [[x, y], ...], "interior": [[[x, y], ...], ...]}},
      {"classTitle": "car", "geometryType": "rectangle",
       "points": {"exterior": [[left, top], [right, bottom]], "interior": []}},
      {"classTitle": "tree", "geometryType": "bitmap",
       "bitmap": {"data": "<base64 of a zlib-compressed PNG>", "origin": [x, y]}}]}

Objects are painted in file order. A polygon's ``interior`` rings are holes. Polygon points are
read as continuous coordinates, like every other polygon format here; a rectangle's corners are
pixel indices that both belong to it (the SDK's width is right - left + 1), so it covers
columns left..right and rows top..bottom. A bitmap is a PNG whose alpha channel (RGBA, LA) or
value (grey) is non-zero on the object, placed with its top-left pixel at ``origin``. Points,
lines, graphs (keypoints) and cuboids have no area: they are skipped and counted.
"""

from __future__ import annotations

import base64
import binascii
import io
import zlib
from pathlib import Path, PurePosixPath

import numpy as np

from streetseg.labels.formats.base import (
    MAX_FILE_BYTES,
    AnnotatedObject,
    Annotation,
    AnnotationError,
    error_context,
    read_json,
)
from streetseg.labels.formats.coordinates import (
    box_vertices,
    parse_number,
    parse_size,
    polygon_from_points,
)
from streetseg.labels.formats.registry import POLYGON, Format

# Supervisely geometries without area, which label no pixels.
AREALESS = {"point", "line", "polyline", "graph", "cuboid", "cuboid_3d", "point_cloud"}


def is_supervisely(data) -> bool:
    """Whether parsed JSON is a Supervisely image annotation (``size`` and ``objects``)."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("size"), dict)
        and isinstance(data.get("objects"), list)
    )


def supervisely_image_name(path: str | Path) -> str:
    """The image an annotation file describes: Supervisely names ``ann/<image name>.json``."""
    name = Path(path).name
    return name[: -len(".json")] if name.lower().endswith(".json") else name


def parse_supervisely_json(path: str | Path, document=None) -> Annotation:
    """Read one Supervisely image annotation."""
    data = read_json(path) if document is None else document
    with error_context(path):
        if not is_supervisely(data):
            raise AnnotationError("not a Supervisely annotation (needs 'size' and 'objects')")
        with error_context(where="size"):
            width, height = parse_size(data["size"].get("width"), data["size"].get("height"))
        annotation = Annotation(str(path), supervisely_image_name(path), width, height)
        for number, item in enumerate(data["objects"], start=1):
            if not isinstance(item, dict):
                raise AnnotationError("not an object", where=f"object {number}")
            name = item.get("classTitle")
            name = name.strip() if isinstance(name, str) else ""
            where = f"object {item.get('id', number)}" + (f" ({name!r})" if name else "")
            with error_context(where=where):
                if not name:
                    raise AnnotationError("missing classTitle")
                kind = item.get("geometryType")
                if kind in AREALESS:
                    annotation.skip(kind)
                    continue
                annotation.objects.append(_object(item, kind, name, where, width, height))
    return annotation


def _object(item: dict, kind, name: str, where: str, width: int, height: int):
    if kind == "bitmap":
        return AnnotatedObject(name, where, bitmap=_bitmap(item.get("bitmap"), width, height))
    if kind not in ("polygon", "rectangle"):
        raise AnnotationError(f"unsupported geometryType {kind!r}")
    points = item.get("points")
    if not isinstance(points, dict) or not isinstance(points.get("exterior"), list):
        raise AnnotationError("'points' needs an 'exterior' list")
    interior = points.get("interior", [])
    if not isinstance(interior, list):
        raise AnnotationError("'interior' is not a list")
    if kind == "rectangle":
        exterior = points["exterior"]
        if len(exterior) != 2 or not all(isinstance(p, list) and len(p) == 2 for p in exterior):
            raise AnnotationError(f"a rectangle needs 2 (x, y) corners, got {exterior!r}")
        (x0, y0), (x1, y1) = [[parse_number(v, "rectangle corner") for v in p] for p in exterior]
        vertices = box_vertices(min(x0, x1), min(y0, y1), max(x0, x1) + 1, max(y0, y1) + 1)
        return AnnotatedObject(name, where, vertices=vertices)
    with error_context(where=f"{where} exterior"):
        vertices = polygon_from_points(points["exterior"])
    holes = []
    for ring_number, ring in enumerate(interior, start=1):
        with error_context(where=f"{where} interior ring {ring_number}"):
            if not isinstance(ring, list):
                raise AnnotationError("an interior ring must be a list of points")
            holes.append(polygon_from_points(ring))
    return AnnotatedObject(name, where, vertices=vertices, holes=holes)


def _bitmap(bitmap, width: int, height: int) -> np.ndarray:
    """Decode a Supervisely bitmap (base64 of zlib-compressed PNG bytes) onto the image."""
    from PIL import Image

    if not isinstance(bitmap, dict) or not isinstance(bitmap.get("data"), str):
        raise AnnotationError("a bitmap needs 'bitmap': {'data': ..., 'origin': [x, y]}")
    origin = bitmap.get("origin")
    if not isinstance(origin, list) or len(origin) != 2:
        raise AnnotationError(f"bitmap origin is not [x, y]: {origin!r}")
    left, top = (parse_number(value, "bitmap origin") for value in origin)
    if left != int(left) or top != int(top) or left < 0 or top < 0:
        raise AnnotationError(f"bitmap origin must be whole non-negative pixels, got {origin}")
    try:
        packed = base64.b64decode(bitmap["data"], validate=True)
        unpacker = zlib.decompressobj()
        png = unpacker.decompress(packed, MAX_FILE_BYTES)
        if unpacker.unconsumed_tail:
            raise AnnotationError(f"bitmap data inflates past {MAX_FILE_BYTES} bytes")
    except AnnotationError:
        raise
    except (binascii.Error, ValueError, zlib.error) as error:
        raise AnnotationError(f"bitmap data is not base64 of zlib data: {error}") from None
    try:
        with Image.open(io.BytesIO(png)) as image:
            if image.width * image.height > width * height:
                raise AnnotationError(f"bitmap {image.width}x{image.height} exceeds the image")
            if image.format != "PNG":
                raise AnnotationError(f"bitmap data is {image.format}, not a PNG")
            if image.mode in ("RGBA", "LA"):
                values = np.asarray(image)[..., -1] > 0
            elif image.mode in ("1", "L", "I", "I;16"):
                values = np.asarray(image) > 0
            else:
                raise AnnotationError(f"bitmap PNG mode {image.mode} is neither grey nor alpha")
    except AnnotationError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise AnnotationError(f"bitmap data is not a PNG: {error}") from None
    left, top = int(left), int(top)
    box_h, box_w = values.shape
    if left + box_w > width or top + box_h > height:
        raise AnnotationError(
            f"bitmap {box_w}x{box_h} at ({left}, {top}) is not inside the {width}x{height} image"
        )
    mask = np.zeros((height, width), dtype=bool)
    mask[top : top + box_h, left : left + box_w] = values
    return mask


def _named_image(path):
    """Supervisely names ``ann/<image name>.json`` for ``img/<image name>``: the image is
    beside the annotation or in the ``img`` folder beside its ``ann`` folder."""
    path, name = Path(path), supervisely_image_name(path)
    places = [path.parent / name]
    if path.parent.name == "ann":
        places.append(path.parent.parent / "img" / name)
    return PurePosixPath(name).stem, places


DESCRIPTORS = (
    Format(
        "supervisely_json",
        "Supervisely",
        POLYGON,
        (".json",),
        detect=lambda peek: is_supervisely(peek.json),
        hint="size, objects",
        parse=parse_supervisely_json,
        named_image=_named_image,
        detected="`.json` with `size` and `objects`",
        notes=(
            "`polygon` (with `interior` holes), `rectangle`, `bitmap`; file order is paint "
            "order; see [Supervisely JSON](#supervisely-json)"
        ),
    ),
)
