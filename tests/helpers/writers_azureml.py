"""Write scenes (named polygons) as an Azure ML data labeling JSONL export, for the tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.helpers.writers_labelstudio import exact_share

URL = "azureml://subscriptions/s/resourcegroups/g/workspaces/w/datastores/d/paths/street/"


def line(image_name, width, height, objects) -> dict:
    labels = []
    for name, vertices in objects:
        flat = []
        for x, y in np.asarray(vertices):
            flat += [
                exact_share(round(float(x), 2), width, 1),
                exact_share(round(float(y), 2), height, 1),
            ]
        labels.append({"label": name, "isCrowd": 0, "polygon": [flat]})
    return {
        "image_url": URL + image_name,
        "image_details": {"format": "png", "width": f"{width}px", "height": f"{height}px"},
        "label": labels,
    }


def write_azureml_jsonl(path, images) -> None:
    """``images``: list of (image_name, width, height, objects)."""
    text = "".join(json.dumps(line(*image)) + "\n" for image in images)
    Path(path).write_text(text)
