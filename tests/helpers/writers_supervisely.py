"""Write a scene (named polygons) as a Supervisely image annotation, for the tests."""

from __future__ import annotations

import base64
import io
import json
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def supervisely_polygon(name, vertices, holes=()):
    """A Supervisely polygon object; coordinates rounded to 2 decimals like the other writers."""

    def ring(points):
        return [[round(float(x), 2), round(float(y), 2)] for x, y in points]

    return {
        "classTitle": name,
        "geometryType": "polygon",
        "tags": [],
        "points": {"exterior": ring(vertices), "interior": [ring(hole) for hole in holes]},
    }


def supervisely_bitmap(name, mask: np.ndarray, origin, mode="alpha"):
    """A Supervisely bitmap object: ``mask`` (bool HxW) as base64 of zlib-compressed PNG bytes,
    written with an alpha channel (as the SDK writes it) or as grey."""
    values = mask.astype(np.uint8) * 255
    if mode == "alpha":
        pixels = np.dstack([values, values, values, values])
        image = Image.fromarray(pixels, mode="RGBA")
    else:
        image = Image.fromarray(values, mode="L")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = base64.b64encode(zlib.compress(buffer.getvalue())).decode("ascii")
    return {
        "classTitle": name,
        "geometryType": "bitmap",
        "bitmap": {"data": data, "origin": origin},
    }


def write_supervisely_json(path, width, height, objects, extra=()):
    """``objects``: (name, vertices) pairs, painted in order; ``extra``: raw objects after them."""
    items = [supervisely_polygon(name, vertices) for name, vertices in objects] + list(extra)
    data = {
        "description": "",
        "tags": [],
        "size": {"height": height, "width": width},
        "objects": items,
    }
    Path(path).write_text(json.dumps(data, indent=2))
