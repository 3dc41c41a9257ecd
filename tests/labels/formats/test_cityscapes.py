"""Cityscapes ``*_gtFine_polygons.json``: hand-worked masks, the same scene as VOC, broken files,
listing, and the example config's aliases."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from streetseg.data.samples import directory_samples
from streetseg.demo.scenes import generate_scene
from streetseg.labels.annotations import inspect_file, write_voc_xml
from streetseg.labels.formats.base import AnnotationError
from streetseg.labels.masks import build_mask, make_mask
from tests.helpers import mask_settings
from tests.helpers.writers_cityscapes import write_cityscapes_json

FRAME = "aachen_000000_000019"
LABELS = {"unannotated": "background"}


def _image(path, width=6, height=6):
    Image.fromarray(np.zeros((height, width, 3), np.uint8)).save(path)
    return path


def test_the_same_scene_gives_the_voc_mask_byte_for_byte(tmp_path, classes):
    rgb, objects = generate_scene(seed=5, index=4, width=96, height=64)
    objects = [(n.upper() + " " if i % 3 == 0 else n, v) for i, (n, v) in enumerate(objects)]
    image = tmp_path / f"{FRAME}_leftImg8bit.png"
    Image.fromarray(rgb).save(image)
    write_voc_xml(tmp_path / "street.xml", image.name, 96, 64, objects)
    annotation = tmp_path / f"{FRAME}_gtFine_polygons.json"
    write_cityscapes_json(annotation, 96, 64, objects)
    assert inspect_file(annotation)[0] == "cityscapes_json"
    make_mask(tmp_path / "street.xml", image, tmp_path / "voc.png", mask_settings(classes))
    make_mask(annotation, image, tmp_path / "cs.png", mask_settings(classes))
    assert (tmp_path / "cs.png").read_bytes() == (tmp_path / "voc.png").read_bytes()


def test_later_objects_paint_over_earlier_ones_and_deleted_ones_are_skipped(tmp_path, classes):
    objects = [
        ("sky", [[0, 0], [6, 0], [6, 3], [0, 3]]),
        ("road", [[0, 2], [6, 2], [6, 6], [0, 6]]),
        ("building", [[0, 0], [6, 0], [6, 6], [0, 6]]),  # deleted: paints nothing
    ]
    path = tmp_path / f"{FRAME}_gtFine_polygons.json"
    write_cityscapes_json(path, 6, 6, objects, deleted={2})
    mask, stats = build_mask(
        path, _image(tmp_path / "a.png"), mask_settings(classes, labels=LABELS)
    )
    expected = np.array([[6] * 6, [6] * 6, [3] * 6, [3] * 6, [3] * 6, [3] * 6])
    np.testing.assert_array_equal(mask, expected)
    assert stats["objects"] == 2 and stats["skipped"] == 0


BAD = [
    (
        {
            "imgHeight": 6,
            "imgWidth": 6,
            "objects": [{"label": "road", "polygon": [[0, 0], [1e9, 0], [0, 4]]}],
        },
        "object 1 ('road'): x of point 2 is out of range",
    ),
    (
        {"imgHeight": 6, "imgWidth": 6, "objects": [{"label": "road", "polygon": "0 0 4 0 0 4"}]},
        "object 1 ('road'): 'polygon' is not a list of [x, y] points",
    ),
    (
        {
            "imgHeight": 6,
            "imgWidth": 6,
            "objects": [{"label": "road", "deleted": "no", "polygon": [[0, 0], [4, 0], [0, 4]]}],
        },
        "object 1 ('road'): deleted is not 0 or 1: 'no'",
    ),
    (
        {"imgHeight": 6, "imgWidth": 6, "objects": [{"label": 7, "polygon": []}]},
        "object 1: missing label",
    ),
    (
        {
            "imgHeight": 6,
            "imgWidth": 6,
            "objects": [{"label": "road", "polygon": [[0, 0], [4, 0]]}],
        },
        "object 1 ('road'): polygon has 2 points",
    ),
    ({"imgHeight": "tall", "imgWidth": 6, "objects": []}, "image size: height is not a number"),
    (
        {
            "imgHeight": 6,
            "imgWidth": 6,
            "objects": [{"label": "truck", "polygon": [[0, 0], [4, 0], [0, 4]]}],
        },
        "object 1 ('truck'): unknown class 'truck'",
    ),
]


@pytest.mark.parametrize("document, fragment", BAD)
def test_broken_files_are_refused_naming_file_and_object(tmp_path, classes, document, fragment):
    path = tmp_path / f"{FRAME}_gtFine_polygons.json"
    path.write_text(json.dumps(document))
    with pytest.raises(AnnotationError) as info:
        build_mask(path, _image(tmp_path / "a.png"), mask_settings(classes, labels=LABELS))
    assert str(info.value).startswith(f"{path}: ") and fragment in str(info.value), info.value


def test_a_truncated_file_is_refused(tmp_path, classes):
    path = tmp_path / f"{FRAME}_gtFine_polygons.json"
    path.write_text('{"imgHeight": 6, "imgWidth": 6, "objects": [{"label": "ro')
    with pytest.raises(AnnotationError, match="malformed JSON at line 1") as info:
        build_mask(path, _image(tmp_path / "a.png"), mask_settings(classes, labels=LABELS))
    assert str(path) in str(info.value)


def test_listing_pairs_polygons_with_left_images(tmp_path):
    write_cityscapes_json(tmp_path / f"{FRAME}_gtFine_polygons.json", 6, 6, [])
    _image(tmp_path / f"{FRAME}_leftImg8bit.png")
    write_cityscapes_json(tmp_path / "bonn_000001_000002_gtFine_polygons.json", 6, 6, [])
    problems = []
    table = directory_samples(str(tmp_path), problems)
    assert list(table["sample"]) == [FRAME]
    assert table.loc[FRAME, "image"] == str(tmp_path / f"{FRAME}_leftImg8bit.png")
    assert [(p.sample, p.problem) for p in problems] == [
        (
            "bonn_000001_000002",
            "no image with the same name beside it (bonn_000001_000002_leftImg8bit.png)",
        )
    ]


def test_the_example_config_maps_every_cityscapes_label(repo, tmp_path):
    config = yaml.safe_load((Path(repo) / "config" / "examples" / "cityscapes.yaml").read_text())
    names = [
        "unlabeled",
        "ego vehicle",
        "rectification border",
        "out of roi",
        "static",
        "dynamic",
        "ground",
        "road",
        "sidewalk",
        "parking",
        "rail track",
        "building",
        "wall",
        "fence",
        "guard rail",
        "bridge",
        "tunnel",
        "pole",
        "polegroup",
        "traffic light",
        "traffic sign",
        "vegetation",
        "terrain",
        "sky",
        "person",
        "rider",
        "car",
        "truck",
        "bus",
        "caravan",
        "trailer",
        "train",
        "motorcycle",
        "bicycle",
        "license plate",
        "cargroup",
        "persongroup",
        "ridergroup",
        "bicyclegroup",
        "motorcyclegroup",
        "truckgroup",
        "busgroup",
        "traingroup",
    ]
    objects = [(name, [[0, 0], [1, 0], [1, 1], [0, 1]]) for name in names]
    path = tmp_path / f"{FRAME}_gtFine_polygons.json"
    write_cityscapes_json(path, 1, 1, objects)
    _, stats = build_mask(
        path,
        _image(tmp_path / "a.png", 1, 1),
        mask_settings(config["classes"], labels=config["labels"]),
    )
    assert stats["unknown"] == 0 and stats["ignored"] == 15
    assert len(config["classes"]) == 19
