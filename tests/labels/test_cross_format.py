"""The same scene written in every format gives byte-identical masks."""

import numpy as np
import pytest
from PIL import Image

from streetseg.labels.masks import make_mask
from tests.helpers.format_writers import (
    write_coco_json,
    write_cvat_xml,
    write_labelme_json,
    write_labelme_xml,
    write_png16,
    write_scene_photo,
    write_voc_xml,
)

WIDTH, HEIGHT = 96, 64


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """A demo scene (image plus named polygons), and its mask from the Labelbox XML."""
    folder = tmp_path_factory.mktemp("scene")
    _, _, _, objects = write_scene_photo(folder, "street", 5, 2, WIDTH, HEIGHT)
    # Trailing spaces and odd case, as real exports have them.
    objects = [
        (name.upper() + " " if i % 3 == 0 else name, v) for i, (name, v) in enumerate(objects)
    ]
    image = folder / "street.png"
    write_voc_xml(folder / "street.xml", image.name, WIDTH, HEIGHT, objects)
    return folder, image, objects


def _mask_bytes(annotation, image, classes, out, **options) -> bytes:
    make_mask(annotation, image, out, classes, **options)
    return out.read_bytes()


def test_every_format_gives_the_same_mask(scene, classes, tmp_path):
    folder, image, objects = scene
    reference = _mask_bytes(folder / "street.xml", image, classes, tmp_path / "voc.png")
    other_image = ("other.png", 10, 10, [("sky", np.array([[0, 0], [10, 0], [10, 10]]))])
    write_labelme_xml(tmp_path / "a.xml", image.name, WIDTH, HEIGHT, objects)
    write_cvat_xml(
        tmp_path / "cvat.xml", [other_image, (f"frames/{image.name}", WIDTH, HEIGHT, objects)]
    )
    write_labelme_json(tmp_path / "a.json", image.name, WIDTH, HEIGHT, objects)
    names = [entry["name"] for entry in classes]
    write_coco_json(
        tmp_path / "coco.json", [other_image, (image.name, WIDTH, HEIGHT, objects)], names
    )
    for annotation in ("a.xml", "cvat.xml", "a.json", "coco.json"):
        produced = _mask_bytes(
            tmp_path / annotation, image, classes, tmp_path / f"{annotation}.png"
        )
        assert produced == reference, annotation


def test_dense_masks_give_the_same_mask(scene, classes, tmp_path):
    folder, image, _ = scene
    reference_path = tmp_path / "reference.png"
    reference = _mask_bytes(folder / "street.xml", image, classes, reference_path)
    ids = np.asarray(Image.open(reference_path))
    colors = np.array([entry["color"] for entry in classes], dtype=np.uint8)[ids]
    # Index PNG whose values are class ids plus 10, mapped back in config (CamVid style).
    Image.fromarray((ids + 10).astype(np.uint8), mode="L").save(tmp_path / "index.png")
    index_map = {value + 10: entry["name"] for value, entry in enumerate(classes)}
    assert (
        _mask_bytes(
            tmp_path / "index.png",
            image,
            classes,
            tmp_path / "i.png",
            labels={"index_map": index_map},
        )
        == reference
    )
    # Colour PNGs in 8-bit RGB, 8-bit RGBA, and 16 bits per channel (128 stored as 32896).
    Image.fromarray(colors).save(tmp_path / "rgb.png")
    Image.fromarray(np.dstack([colors, np.full(ids.shape, 255, np.uint8)])).save(
        tmp_path / "rgba.png"
    )
    write_png16(tmp_path / "rgb16.png", colors.astype(np.uint16) * 257)
    for name in ("rgb.png", "rgba.png", "rgb16.png"):
        assert (
            _mask_bytes(tmp_path / name, image, classes, tmp_path / f"out-{name}") == reference
        ), name
