"""Write scenes (named polygons) as a Label Studio JSON export, for the tests."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np


def exact_share(value: float, size: int, whole: float) -> float:
    """A share of ``size`` (``whole`` = 100 for percent, 1 for fractions) that the readers'
    ``share * size / whole`` turns back into exactly ``value``, so that masks compare byte for
    byte with the other formats; where no float does, the plain quotient."""
    share = value * whole / size
    for _ in range(64):
        back = share * size / whole
        if back == value:
            return share
        share = math.nextafter(share, math.inf if back < value else -math.inf)
    return value * whole / size


def inside(objects, width, height) -> list:
    """The objects with their vertices clamped to the image: Label Studio's editor and Azure's
    clipping keep outlines inside, while the demo scenes draw past the border."""
    limits = np.array([width, height], dtype=np.float64)
    return [(name, np.clip(np.asarray(v, dtype=np.float64), 0, limits)) for name, v in objects]


def polygon_result(name, vertices, width, height, number=0) -> dict:
    points = [
        [exact_share(round(float(x), 2), width, 100), exact_share(round(float(y), 2), height, 100)]
        for x, y in np.asarray(vertices)
    ]
    return {
        "id": f"r{number}",
        "type": "polygonlabels",
        "from_name": "label",
        "to_name": "image",
        "original_width": width,
        "original_height": height,
        "image_rotation": 0,
        "value": {"points": points, "closed": True, "polygonlabels": [name]},
    }


def task(image_url, width, height, objects, task_id=1, **annotation) -> dict:
    """One task whose single annotation holds a polygon per (name, vertices) object."""
    results = [
        polygon_result(name, vertices, width, height, number)
        for number, (name, vertices) in enumerate(objects)
    ]
    return {
        "id": task_id,
        "data": {"image": image_url},
        "annotations": [
            {
                "id": 100 + task_id,
                "result": results,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": "2024-05-01T10:00:00.000000Z",
                "updated_at": "2024-05-01T10:00:00.000000Z",
                **annotation,
            }
        ],
        "predictions": [],
    }


def write_label_studio_json(path, images, upload=True) -> None:
    """``images``: list of (image_name, width, height, objects); with ``upload`` the image is
    named as Label Studio names an uploaded file (/data/upload/<project>/<hash>-<name>)."""
    tasks = [
        task(f"/data/upload/3/{number:08x}-{name}" if upload else name, w, h, objects, number + 1)
        for number, (name, w, h, objects) in enumerate(images)
    ]
    Path(path).write_text(json.dumps(tasks, indent=1))
