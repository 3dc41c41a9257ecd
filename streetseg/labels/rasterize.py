"""Exact polygon rasterisation under the continuous-coordinate, pixel-centre convention.

Coordinates are continuous with the origin at the image's top-left corner, so pixel
(col, row) is the square [col, col + 1] x [row, row + 1]. A pixel belongs to a polygon when
its centre (col + 0.5, row + 0.5) lies inside the polygon (even-odd rule). A centre that lies
exactly on a left or top edge is inside, one on a right or bottom edge is outside, so two
polygons that share an edge never both claim a pixel and a box from (0, 0) to (2, 2) covers
exactly four pixels. This is the convention of CVAT and COCO.

Plain ``PIL.ImageDraw.polygon`` treats integer coordinates as pixel centres and also fills the
outline, which grows every shape by about one pixel to the right and bottom; this module exists
so that masks are right at the boundaries. Polygons may extend past the image: the fill is
clipped to the image exactly, without moving any vertex.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def polygon_spans(vertices: np.ndarray, width: int, height: int):
    """Return (rows, col_starts, col_ends) of the horizontal pixel runs inside a polygon.

    Each run covers columns ``col_start <= col < col_end`` of one row; runs are clipped to the
    image and never empty.
    """
    points = np.asarray(vertices, dtype=np.float64)
    x0, y0 = points[:, 0], points[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    # Horizontal edges never cross a row's centre line under the half-open rule below.
    sloped = y0 != y1
    x0, y0, x1, y1 = x0[sloped], y0[sloped], x1[sloped], y1[sloped]
    empty = (np.empty(0, np.int64),) * 3
    if x0.size == 0:
        return empty
    # An edge crosses the centre line of row r when r + 0.5 lies in [min(y), max(y)).
    # The half-open interval counts a shared vertex once, which keeps crossings paired.
    row_start = np.clip(np.ceil(np.minimum(y0, y1) - 0.5), 0, height).astype(np.int64)
    row_end = np.clip(np.ceil(np.maximum(y0, y1) - 0.5), 0, height).astype(np.int64)
    counts = np.maximum(row_end - row_start, 0)
    total = int(counts.sum())
    if total == 0:
        return empty
    edge = np.repeat(np.arange(x0.size), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    rows = row_start[edge] + offsets
    centre_y = rows + 0.5
    xs = x0[edge] + (centre_y - y0[edge]) * (x1[edge] - x0[edge]) / (y1[edge] - y0[edge])
    order = np.lexsort((xs, rows))
    rows, xs = rows[order], xs[order]
    # Every row holds an even number of crossings; consecutive pairs bound the inside runs.
    run_rows = rows[0::2]
    # Column c is inside when xa <= c + 0.5 < xb.
    col_start = np.clip(np.ceil(xs[0::2] - 0.5), 0, width).astype(np.int64)
    col_end = np.clip(np.ceil(xs[1::2] - 0.5), 0, width).astype(np.int64)
    keep = col_end > col_start
    return run_rows[keep], col_start[keep], col_end[keep]


def fill_polygon(label_map: np.ndarray, vertices: np.ndarray, value: int) -> None:
    """Paint ``value`` into every pixel of ``label_map`` whose centre lies inside the polygon."""
    height, width = label_map.shape
    rows, starts, ends = polygon_spans(vertices, width, height)
    if rows.size == 0:
        return
    top, bottom = int(rows.min()), int(rows.max()) + 1
    left, right = int(starts.min()), int(ends.max())
    # A difference array over the polygon's bounding box turns runs into a mask in one cumsum.
    diff = np.zeros((bottom - top, right - left + 1), dtype=np.int32)
    np.add.at(diff, (rows - top, starts - left), 1)
    np.add.at(diff, (rows - top, ends - left), -1)
    inside = np.cumsum(diff[:, :-1], axis=1) > 0
    label_map[top:bottom, left:right][inside] = value


def box_to_polygon(xmin: float, ymin: float, xmax: float, ymax: float) -> np.ndarray:
    """The four corners of an axis-aligned box, as polygon vertices."""
    return np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax]], dtype=np.float64)


def rasterize(
    shapes: Iterable[tuple[int, np.ndarray]],
    width: int,
    height: int,
    background: int = 0,
) -> np.ndarray:
    """Rasterise (class_id, vertices) shapes in order; later shapes are painted on top."""
    label_map = np.full((height, width), background, dtype=np.uint8)
    for class_id, vertices in shapes:
        fill_polygon(label_map, vertices, class_id)
    return label_map
