"""Numbers, sizes and polygons read from annotation files, checked as they are read."""

from __future__ import annotations

import math

import numpy as np

from streetseg.labels.formats.base import AnnotationError

MAX_POINTS_PER_POLYGON = 100_000
# Coordinates beyond this are corrupt, not merely outside the image (they would overflow).
MAX_COORDINATE = 1e7
# Formats with coordinates relative to the image's size (Azure ML fractions, Label Studio
# percentages) hold objects cut off by the frame just past its edge: coordinates up to this
# share of a side outside the image are read as they are and the fill is clipped at the edge
# (no vertex moves); further out is a broken file (pixels written as fractions, a wrong size).
NORMALISED_SLACK = 0.25


def parse_number(value, what: str) -> float:
    """A finite float from text or a JSON number, or an error naming the field ``what``."""
    if isinstance(value, bool):
        raise AnnotationError(f"{what} is not a number: {value!r}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise AnnotationError(f"{what} is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise AnnotationError(f"{what} is not finite: {value!r}")
    if abs(number) > MAX_COORDINATE:
        raise AnnotationError(f"{what} is out of range: {value!r}")
    return number


def parse_size(width, height) -> tuple[int, int]:
    """A positive integer image size."""
    width, height = parse_number(width, "width"), parse_number(height, "height")
    if width < 1 or height < 1 or width != int(width) or height != int(height):
        raise AnnotationError(f"size must be positive integers, got {width}x{height}")
    return int(width), int(height)


def polygon_from_flat(values) -> np.ndarray:
    """Vertices from a flat x, y, x, y, ... sequence, refusing odd, short and huge lists."""
    values = list(values)
    if len(values) % 2:
        raise AnnotationError(f"odd number of coordinates ({len(values)})")
    return polygon_from_points(list(zip(values[0::2], values[1::2])))


def polygon_from_points(points) -> np.ndarray:
    """Vertices from (x, y) pairs, each checked to be a finite number."""
    if len(points) > MAX_POINTS_PER_POLYGON:
        raise AnnotationError(f"{len(points)} points; the limit is {MAX_POINTS_PER_POLYGON}")
    if len(points) < 3:
        raise AnnotationError(f"polygon has {len(points)} points; at least 3 are needed")
    array = np.empty((len(points), 2), dtype=np.float64)
    for index, point in enumerate(points):
        if not isinstance(point, (list, tuple)) or len(point) != 2:
            raise AnnotationError(f"point {index + 1} is not an (x, y) pair: {point!r}")
        array[index, 0] = parse_number(point[0], f"x of point {index + 1}")
        array[index, 1] = parse_number(point[1], f"y of point {index + 1}")
    return array


def box_vertices(xmin, ymin, xmax, ymax) -> np.ndarray:
    """The corners of an axis-aligned box, checked to be finite and ordered."""
    values = [
        parse_number(v, name)
        for v, name in ((xmin, "xmin"), (ymin, "ymin"), (xmax, "xmax"), (ymax, "ymax"))
    ]
    x0, y0, x1, y1 = values
    if x1 < x0 or y1 < y0:
        raise AnnotationError(f"box has max below min: {values}")
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
