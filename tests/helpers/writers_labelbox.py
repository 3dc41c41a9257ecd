"""Write scenes (named polygons) as Labelbox exports: export v2 NDJSON, v1 JSON, legacy XY/WKT.

``images`` is a list of (image_name, width, height, objects), objects being (name, vertices).
``masks`` maps an object's position in its image's list to the name of a mask PNG file: that
object is written as a mask (export v2: a composite mask in the colour given by
:func:`mask_color`; v1: an ``instanceURI``) and :func:`write_object_masks` draws the files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from streetseg.labels.rasterize import fill_polygon

URL = "https://api.labelbox.com/api/v1/tasks/task1/masks/{}/index/1"


def mask_color(position: int) -> list[int]:
    return [10 + position, 200, 30]


def _xy(vertices) -> list[dict]:
    return [{"x": round(float(x), 2), "y": round(float(y), 2)} for x, y in vertices]


def _v2_object(position, name, vertices, masks) -> dict:
    item = {"feature_id": f"f{position}", "name": name, "classifications": []}
    if position in masks:
        mask_id = Path(masks[position]).stem
        item["annotation_kind"] = "ImageSegmentationMask"
        item["composite_mask"] = {"url": URL.format(mask_id), "color_rgb": mask_color(position)}
    else:
        item["annotation_kind"] = "ImagePolygon"
        item["polygon"] = _xy(vertices)
    return item


def ndjson_row(image_name, width, height, objects, masks=None, external_id=True) -> dict:
    masks = masks or {}
    objects_json = [_v2_object(i, name, v, masks) for i, (name, v) in enumerate(objects)]
    label = {
        "label_kind": "Default",
        "id": "label1",
        "label_details": {"created_at": "2024-04-08T16:21:26.000+00:00"},
        "annotations": {"objects": objects_json, "classifications": [], "relationships": []},
    }
    data_row = {"id": f"row-{image_name}", "row_data": f"https://storage.example/x/{image_name}"}
    if external_id:
        data_row["external_id"] = image_name
    return {
        "data_row": data_row,
        "media_attributes": {"height": height, "width": width, "mime_type": "image/png"},
        "projects": {"project1": {"name": "streets", "labels": [label]}},
    }


def write_labelbox_ndjson(path, images, masks=None) -> None:
    rows = [ndjson_row(*image, masks=masks) for image in images]
    Path(path).write_text("".join(json.dumps(row) + "\n" for row in rows))


def write_object_masks(folder, image, masks, composite: bool = True) -> None:
    """Draw the mask files of one image's masked objects into ``folder`` (created if need be):
    one composite PNG per file name (each object in its colour), or white-on-clear PNGs."""
    image_name, width, height, objects = image
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pictures: dict[str, np.ndarray] = {}
    for position, file_name in masks.items():
        picture = pictures.setdefault(file_name, np.zeros((height, width, 4), dtype=np.uint8))
        inside = np.zeros((height, width), dtype=np.uint8)
        vertices = [[round(float(x), 2), round(float(y), 2)] for x, y in objects[position][1]]
        fill_polygon(inside, np.asarray(vertices, dtype=np.float64), 1)
        colour = mask_color(position) + [255] if composite else [255, 255, 255, 255]
        picture[inside == 1] = colour
    for file_name, picture in pictures.items():
        Image.fromarray(picture, mode="RGBA").save(folder / file_name)


def v1_row(image_name, width, height, objects, masks=None) -> dict:
    masks = masks or {}
    items = []
    for position, (name, vertices) in enumerate(objects):
        item = {"featureId": f"f{position}", "schemaId": "s", "title": name, "value": name}
        if position in masks:
            stem = Path(masks[position]).stem
            item["instanceURI"] = f"https://api.labelbox.com/masks/feature/{stem}?token=abc"
        else:
            item["polygon"] = _xy(vertices)
        items.append(item)
    return {
        "ID": f"label-{image_name}",
        "Labeled Data": f"https://storage.example/x/{image_name}",
        "Label": {"objects": items, "classifications": []},
        "Created At": "2021-07-13T21:19:39.000Z",
        "Updated At": "2021-07-13T21:19:39.946Z",
        "External ID": image_name,
    }


def legacy_row(image_name, width, height, objects, wkt: bool = False) -> dict:
    """A legacy row: classes as keys, y measured from the bottom edge; objects of one class
    are grouped under its key (so the paint order is by first appearance of each class)."""
    label: dict = {}
    for name, vertices in objects:
        flipped = [(float(x), height - float(y)) for x, y in vertices]
        if wkt:
            ring = ", ".join(f"{x} {y}" for x, y in flipped + flipped[:1])
            label.setdefault(name, []).append(f"(({ring}))")
        else:
            label.setdefault(name, []).append({"geometry": [{"x": x, "y": y} for x, y in flipped]})
    if wkt:
        label = {name: f"MULTIPOLYGON ({', '.join(parts)})" for name, parts in label.items()}
    label["time_of_day"] = "noon"  # A classification answer, passed over.
    return {
        "ID": f"label-{image_name}",
        "Labeled Data": f"https://storage.example/x/{image_name}",
        "Label": label,
        "External ID": None,
    }


def grouped(objects) -> list:
    """``objects`` in the paint order a legacy export gives them (grouped by class)."""
    order = list(dict.fromkeys(name for name, _ in objects))
    return sorted(objects, key=lambda item: order.index(item[0]))


def quarter(objects) -> list:
    """Vertices rounded to quarter pixels, exact in binary, so that y flips are exact."""
    return [(name, np.round(np.asarray(v, dtype=np.float64) * 4) / 4) for name, v in objects]


def write_labelbox_json(path, rows) -> None:
    Path(path).write_text(json.dumps(rows, indent=1))
