"""Write a scene (named polygons) as a Cityscapes ``*_gtFine_polygons.json``, for the tests."""

from __future__ import annotations

import json
from pathlib import Path


def write_cityscapes_json(path, width, height, objects, deleted=()):
    """``objects``: (label, vertices) pairs in paint order; indices in ``deleted`` are marked
    deleted."""
    items = [
        {
            "label": name,
            "polygon": [[round(float(x), 2), round(float(y), 2)] for x, y in vertices],
            "deleted": int(index in deleted),
            "id": index,
            "user": "tester",
            "verified": 1,
            "date": "01-Jan-2024 00:00:00",
        }
        for index, (name, vertices) in enumerate(objects)
    ]
    data = {"imgHeight": height, "imgWidth": width, "objects": items}
    Path(path).write_text(json.dumps(data, indent=2))
