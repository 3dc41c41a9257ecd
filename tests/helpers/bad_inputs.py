"""Writers of small, deliberately broken inputs and the check that each one is refused cleanly."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from streetseg.labels.formats.base import AnnotationError
from streetseg.labels.masks import make_mask
from tests.helpers import mask_settings

KNOWN = "known classes: background, tree, landscaping, road, sidewalk, building, sky, concrete"
SQUARE = (0, 0, 12, 0, 12, 8, 0, 8)  # flat x, y, ... of a box over the whole 12x8 image
FIVE = (0, 0, 6, 0, 12, 0, 12, 8, 0, 8)  # the same box with five points
TWO_POINTS = "polygon has 2 points; at least 3 are needed"
CVAT_IMAGE = "<image name='a.png'>"  # how a CVAT export names the image at fault


def case(case_id, filename, content, *fragments, **kwargs):
    """One bad input: the file to write, what its error must say, and make_mask options."""
    return pytest.param(filename, content, fragments, kwargs, id=case_id)


def write(path: Path, content) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:  # None: leave the file missing
        path.write_text(content)
    return path


def image_bytes(width=12, height=8, fmt="PNG", mode="RGB", pixels=None) -> bytes:
    """A small image; noise unless ``pixels`` is given."""
    if pixels is None:
        rng = np.random.default_rng(0)
        pixels = rng.integers(0, 255, size=(height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(buffer, format=fmt)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A tiny grey PNG whose header claims ``width`` x ``height`` (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        crc = struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\0" * 16))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


# --- Labelbox VOC, LabelMe XML and CVAT XML ---------------------------------------------------

SIZE = "<size><width>12</width><height>8</height><depth>3</depth></size>"


def voc(*objects: str, size: str = SIZE) -> str:
    return f"<annotation><filename>a.png</filename>{size}{''.join(objects)}</annotation>"


def voc_polygon(name: str, *values) -> str:
    """A VOC object whose polygon children are x1, y1, x2, y2, ... taken from ``values``."""
    tags = [f"{'xy'[i % 2]}{i // 2 + 1}" for i in range(len(values))]
    body = "".join(f"<{tag}>{value}</{tag}>" for tag, value in zip(tags, values))
    return f"<object><name>{name}</name><polygon>{body}</polygon></object>"


def labelme_xml(*points, imagesize="<nrows>8</nrows><ncols>12</ncols>") -> str:
    """A LabelMe XML 'road' polygon; a point given as (x,) has no <y>."""
    pts = "".join(
        "<pt>" + "".join(f"<{a}>{v}</{a}>" for a, v in zip("xy", point)) + "</pt>"
        for point in points
    )
    return (
        f"<annotation><filename>a.png</filename><imagesize>{imagesize}</imagesize><object>"
        f"<name>road</name><deleted>0</deleted><polygon>{pts}</polygon></object></annotation>"
    )


def cvat(*shapes: str, name: str = "a.png") -> str:
    return (
        f'<annotations><version>1.1</version><image id="0" name="{name}" width="12" height="8">'
        f"{''.join(shapes)}</image></annotations>"
    )


def cvat_polygon(points: str, label: str = "road") -> str:
    return f'<polygon label="{label}" points="{points}" z_order="0"/>'


# --- labelme JSON and COCO JSON ---------------------------------------------------------------


def shape(points, label="road", shape_type="polygon") -> dict:
    return {"label": label, "points": points, "shape_type": shape_type, "flags": {}}


def labelme_json(*shapes: dict) -> str:
    data = {"version": "5.0.1", "imagePath": "a.png", "imageWidth": 12, "imageHeight": 8}
    data["shapes"] = list(shapes)
    return json.dumps(data, indent=1)


def coco_annotation(segmentation, category_id=1, **extra) -> dict:
    return {
        "id": 7,
        "image_id": 1,
        "category_id": category_id,
        "segmentation": segmentation,
        **extra,
    }


def coco(*annotations: dict, categories=((1, "road"),)) -> str:
    return json.dumps(
        {
            "images": [{"id": 1, "file_name": "a.png", "width": 12, "height": 8}],
            "annotations": list(annotations),
            "categories": [{"id": i, "name": n} for i, n in categories],
        }
    )


VOC_ROAD = voc(voc_polygon("road", *SQUARE))  # a good Labelbox VOC file for a.png
LABELME_ROAD = labelme_json(shape([[0, 0], [12, 0], [12, 8]]))  # a good labelme JSON file


# --- the checks ------------------------------------------------------------------------------


def assert_refused(tmp_path, classes, annotation, image, error, culprit, fragments, **kwargs):
    """make_mask must raise ``error`` naming ``culprit`` and every fragment, and write nothing."""
    out = tmp_path / "out"
    out.mkdir()
    mask = out / "mask.png"
    with pytest.raises(error) as info:
        make_mask(annotation, image, mask, mask_settings(classes, **kwargs))
    message = str(info.value)
    assert str(culprit) in message, message
    for fragment in fragments:  # a tuple of fragments: any one of them will do
        options = fragment if isinstance(fragment, tuple) else (fragment,)
        assert any(option in message for option in options), f"{fragment!r} not in {message!r}"
    leftovers = sorted(p.name for p in out.iterdir())  # the mask or a ".mask.png.*.tmp"
    assert not mask.exists() and leftovers == [], leftovers
    return message


def assert_annotation_refused(tmp_path, classes, filename, content, fragments, kwargs) -> str:
    """Beside a good photo a.png, the annotation ``filename`` holding ``content`` must be refused
    as assert_refused says, and the message must leak no line of /etc/passwd (which the
    hostile XML cases point at)."""
    image = write(tmp_path / "a.png", image_bytes())
    annotation = write(tmp_path / filename, content)
    message = assert_refused(
        tmp_path, classes, annotation, image, AnnotationError, annotation, fragments, **kwargs
    )
    passwd = Path("/etc/passwd").read_text().splitlines()
    assert not any(line and line in message for line in passwd)
    return message
