"""Supervisely JSON: hand-worked masks, the same scene as VOC, broken files and listing."""

import base64
import json
import zlib

import numpy as np
import pytest
from PIL import Image

from streetseg.data.samples import directory_samples
from streetseg.demo.scenes import generate_scene
from streetseg.labels.annotations import inspect_file, write_voc_xml
from streetseg.labels.formats.base import AnnotationError
from streetseg.labels.masks import build_mask, make_mask
from tests.helpers import mask_settings
from tests.helpers.writers_supervisely import (
    supervisely_bitmap,
    supervisely_polygon,
    write_supervisely_json,
)

LABELS = {"unannotated": "background"}


def _image(path, width=6, height=6):
    Image.fromarray(np.zeros((height, width, 3), np.uint8)).save(path)
    return path


def _write(path, objects, width=6, height=6):
    path.write_text(
        json.dumps({"size": {"height": height, "width": width}, "tags": [], "objects": objects})
    )
    return path


def test_the_same_scene_gives_the_voc_mask_byte_for_byte(tmp_path, classes):
    rgb, objects = generate_scene(seed=5, index=3, width=96, height=64)
    objects = [(n.upper() + " " if i % 3 == 0 else n, v) for i, (n, v) in enumerate(objects)]
    image = tmp_path / "street.png"
    Image.fromarray(rgb).save(image)
    write_voc_xml(tmp_path / "street.xml", image.name, 96, 64, objects)
    write_supervisely_json(tmp_path / "street.png.json", 96, 64, objects)
    assert inspect_file(tmp_path / "street.png.json")[0] == "supervisely_json"
    make_mask(tmp_path / "street.xml", image, tmp_path / "voc.png", mask_settings(classes))
    make_mask(tmp_path / "street.png.json", image, tmp_path / "sly.png", mask_settings(classes))
    assert (tmp_path / "sly.png").read_bytes() == (tmp_path / "voc.png").read_bytes()


def test_rectangles_bitmaps_and_interiors_by_hand(tmp_path, classes):
    bitmap = np.array([[1, 0], [1, 1]], dtype=bool)
    objects = [
        # Corners are pixel indices that belong to the box: columns 0..5, rows 0..1.
        {
            "classTitle": "sky",
            "geometryType": "rectangle",
            "points": {"exterior": [[5, 1], [0, 0]], "interior": []},
        },
        supervisely_polygon(
            "road", [[0, 1], [6, 1], [6, 6], [0, 6]], holes=[[[1, 2], [5, 2], [5, 4], [1, 4]]]
        ),
        supervisely_bitmap("tree", bitmap, [3, 2]),
        supervisely_bitmap("building", bitmap, [0, 4], mode="grey"),
        {"classTitle": "sky", "geometryType": "point", "points": {"exterior": [[1, 1]]}},
        {"classTitle": "sky", "geometryType": "line", "points": {"exterior": [[1, 1], [2, 2]]}},
    ]
    path = _write(tmp_path / "a.png.json", objects)
    mask, stats = build_mask(
        path, _image(tmp_path / "a.png"), mask_settings(classes, labels=LABELS)
    )
    expected = np.array(
        [
            [6, 6, 6, 6, 6, 6],
            [3, 3, 3, 3, 3, 3],  # the road, painted after the sky, covers rows 1..5
            [3, 0, 0, 1, 0, 3],  # its hole (rows 2, 3, columns 1..4) shows the unannotated 0
            [3, 0, 0, 1, 1, 3],
            [5, 3, 3, 3, 3, 3],
            [5, 5, 3, 3, 3, 3],
        ]
    )
    np.testing.assert_array_equal(mask, expected)
    assert stats["skipped"] == 2 and stats["skipped_kinds"] == {"line": 1, "point": 1}


def _refused(path, image, classes, *fragments):
    with pytest.raises(AnnotationError) as info:
        build_mask(path, image, mask_settings(classes, labels=LABELS))
    message = str(info.value)
    assert message.startswith(str(path)), message
    for fragment in fragments:
        assert fragment in message, message
    return message


def _png_data(payload: bytes) -> str:
    return base64.b64encode(zlib.compress(payload)).decode()


BAD_OBJECTS = [
    (
        [
            {
                "classTitle": "road",
                "geometryType": "polygon",
                "points": {"exterior": [[0, 0], [1e9, 0], [0, 4]], "interior": []},
            }
        ],
        "object 1 ('road') exterior: x of point 2 is out of range",
    ),
    (
        [{"classTitle": "road", "geometryType": "polygon", "points": {"exterior": "0,0"}}],
        "object 1 ('road'): 'points' needs an 'exterior' list",
    ),
    (
        [
            {
                "classTitle": "road",
                "geometryType": "polygon",
                "points": {"exterior": [[0, 0], [4, 0], [0, 4]], "interior": [[[1, 1], [2, 1]]]},
            }
        ],
        "object 1 ('road') interior ring 1: polygon has 2 points",
    ),
    ([{"id": 77, "classTitle": 5, "geometryType": "polygon"}], "object 77: missing classTitle"),
    (
        [
            {
                "classTitle": "road",
                "geometryType": "rectangle",
                "points": {"exterior": [[0, "a"], [2, 2]]},
            }
        ],
        "object 1 ('road'): rectangle corner is not a number: 'a'",
    ),
    (
        [{"classTitle": "road", "geometryType": "oriented_bbox", "points": {"exterior": []}}],
        "object 1 ('road'): unsupported geometryType 'oriented_bbox'",
    ),
    (
        [
            {
                "classTitle": "tree",
                "geometryType": "bitmap",
                "bitmap": {"data": "not base64!", "origin": [0, 0]},
            }
        ],
        "object 1 ('tree'): bitmap data is not base64 of zlib data",
    ),
    (
        [
            {
                "classTitle": "tree",
                "geometryType": "bitmap",
                "bitmap": {"data": _png_data(b"GIF89a not a png"), "origin": [0, 0]},
            }
        ],
        "object 1 ('tree'): bitmap data is not a PNG",
    ),
    (
        [supervisely_bitmap("tree", np.ones((3, 3), bool), [4, 0])],
        "object 1 ('tree'): bitmap 3x3 at (4, 0) is not inside the 6x6 image",
    ),
    (
        [supervisely_bitmap("tree", np.ones((3, 3), bool), [-1, 0])],
        "object 1 ('tree'): bitmap origin must be whole non-negative pixels",
    ),
    (["road"], "object 1: not an object"),
]


@pytest.mark.parametrize("objects, fragment", BAD_OBJECTS)
def test_broken_objects_are_refused_naming_file_and_object(tmp_path, classes, objects, fragment):
    path = _write(tmp_path / "a.png.json", objects)
    _refused(path, _image(tmp_path / "a.png"), classes, fragment)


def test_broken_files_are_refused(tmp_path, classes):
    image = _image(tmp_path / "a.png")
    good = {"size": {"height": 6, "width": 6}, "objects": []}
    truncated = tmp_path / "t.png.json"
    truncated.write_text(json.dumps(good)[:20])
    _refused(truncated, image, classes, "malformed JSON at line 1")
    size = tmp_path / "s.png.json"
    size.write_text(json.dumps({"size": {"height": "six", "width": 6}, "objects": []}))
    _refused(size, image, classes, "size: height is not a number: 'six'")
    bigger = tmp_path / "b.png.json"
    bigger.write_text(json.dumps({"size": {"height": 8, "width": 6}, "objects": []}))
    _refused(bigger, image, classes, "annotation size is 6x8")


def test_listing_pairs_flat_files_and_the_ann_img_layout(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    _image(flat / "street.jpg")
    _write(flat / "street.jpg.json", [])
    _write(flat / "lonely.png.json", [])
    problems = []
    table = directory_samples(str(flat), problems)
    assert list(table["sample"]) == ["street"]
    assert table.loc["street", "image"] == str(flat / "street.jpg")
    assert [(p.sample, p.problem) for p in problems] == [
        ("lonely", "no image with the same name beside it (lonely.png)")
    ]
    dataset = tmp_path / "dataset"
    (dataset / "ann").mkdir(parents=True)
    (dataset / "img").mkdir()
    _image(dataset / "img" / "a.png")
    _write(dataset / "ann" / "a.png.json", [])
    (dataset / "ann" / "b.json").write_text('{"shapes": [], "imageWidth": 1, "imageHeight": 1}')
    problems = []
    table = directory_samples(str(dataset), problems)
    assert table.loc["a", "image"] == str(dataset / "img" / "a.png")
    assert [(p.sample, p.problem) for p in problems] == [
        ("b", "labelme_json is not read from ann/")
    ]
