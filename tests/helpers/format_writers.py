"""Write demo scenes as photos and their named polygons in every supported annotation format,
for the tests."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np
from lxml import etree
from PIL import Image

from streetseg.demo.scenes import generate_scene
from streetseg.labels.annotations import write_voc_xml


def write_scene_photo(folder, name: str, seed: int, index: int, width: int, height: int):
    """Save the demo scene ``index`` of ``seed`` as ``folder/name.png``; return the entry the
    writers below take: (image name, width, height, objects)."""
    rgb, objects = generate_scene(seed=seed, index=index, width=width, height=height)
    Image.fromarray(rgb).save(Path(folder) / f"{name}.png")
    return (f"{name}.png", width, height, objects)


def _fmt(value: float) -> str:
    return f"{value:.2f}"


def write_labelme_xml(path, image_name, width, height, objects, deleted=()):
    root = etree.Element("annotation")
    etree.SubElement(root, "filename").text = image_name
    size = etree.SubElement(root, "imagesize")
    etree.SubElement(size, "nrows").text = str(height)
    etree.SubElement(size, "ncols").text = str(width)
    for index, (name, vertices) in enumerate(objects):
        element = etree.SubElement(root, "object")
        etree.SubElement(element, "name").text = name
        etree.SubElement(element, "deleted").text = "1" if index in deleted else "0"
        polygon = etree.SubElement(element, "polygon")
        etree.SubElement(polygon, "username").text = "tester"
        for x, y in vertices:
            point = etree.SubElement(polygon, "pt")
            etree.SubElement(point, "x").text = _fmt(x)
            etree.SubElement(point, "y").text = _fmt(y)
    Path(path).write_bytes(etree.tostring(root, pretty_print=True))


def write_cvat_xml(path, images):
    """``images``: list of (image_name, width, height, objects); shapes are written in reverse
    file order with z_order giving the paint order, so readers must sort by z_order."""
    root = etree.Element("annotations")
    etree.SubElement(root, "version").text = "1.1"
    for image_id, (image_name, width, height, objects) in enumerate(images):
        image = etree.SubElement(
            root, "image", id=str(image_id), name=image_name, width=str(width), height=str(height)
        )
        for z_order, (name, vertices) in reversed(list(enumerate(objects))):
            points = ";".join(f"{_fmt(x)},{_fmt(y)}" for x, y in vertices)
            etree.SubElement(
                image, "polygon", label=name, points=points, z_order=str(z_order), occluded="0"
            )
    Path(path).write_bytes(etree.tostring(root, pretty_print=True, xml_declaration=True))


def write_labelme_json(path, image_name, width, height, objects):
    shapes = [
        {
            "label": name,
            "points": [[round(x, 2), round(y, 2)] for x, y in vertices],
            "group_id": None,
            "shape_type": "polygon",
            "flags": {},
        }
        for name, vertices in objects
    ]
    data = {
        "version": "5.4.1",
        "flags": {},
        "shapes": shapes,
        "imagePath": image_name,
        "imageData": None,
        "imageHeight": height,
        "imageWidth": width,
    }
    Path(path).write_text(json.dumps(data, indent=2))


def write_coco_json(path, images, class_names):
    """``images``: list of (image_name, width, height, objects)."""
    categories = [{"id": 100 + i, "name": name} for i, name in enumerate(class_names)]
    category_of = {name.strip().lower(): 100 + i for i, name in enumerate(class_names)}
    data = {"images": [], "annotations": [], "categories": categories}
    for image_id, (image_name, width, height, objects) in enumerate(images, start=1):
        data["images"].append(
            {"id": image_id, "file_name": image_name, "width": width, "height": height}
        )
        for name, vertices in objects:
            flat = [round(float(v), 2) for v in np.asarray(vertices).ravel()]
            annotation = {
                "id": len(data["annotations"]) + 1,
                "image_id": image_id,
                "iscrowd": 0,
                "category_id": category_of[name.strip().lower()],
                "segmentation": [flat],
            }
            data["annotations"].append(annotation)
    Path(path).write_text(json.dumps(data))


def write_png16(path, pixels: np.ndarray) -> None:
    """A 16-bit-per-channel PNG (grey, RGB or RGBA), which Pillow cannot write itself."""
    pixels = pixels if pixels.ndim == 3 else pixels[..., None]
    height, width, channels = pixels.shape
    colour_type = {1: 0, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + pixels[row].astype(">u2").tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    Path(path).write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


__all__ = [
    "write_scene_photo",
    "write_voc_xml",
    "write_labelme_xml",
    "write_cvat_xml",
    "write_labelme_json",
    "write_coco_json",
    "write_png16",
]
