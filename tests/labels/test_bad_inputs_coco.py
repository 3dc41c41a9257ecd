"""Bad COCO JSON exports: unknown categories, RLE of the wrong size, polygons too short or
unpaired, coordinates that are not finite numbers, repeated ids, names and keys.

Each must be refused with an error that names the file and, where there is one, the
object, shape or annotation at fault, and leave no mask or temporary file behind
(tests/helpers/bad_inputs.py holds the writers and the check).
"""

from __future__ import annotations

import json

import pytest

from tests.helpers.bad_inputs import (
    KNOWN,
    SQUARE,
    TWO_POINTS,
    assert_annotation_refused,
    case,
    coco,
    coco_annotation,
)

COCO_ROAD = coco(coco_annotation([list(SQUARE)]), categories=((1, "road"), (2, "sky")))


def coco_plus(key: str, entry: dict) -> str:
    """COCO_ROAD with one more entry in its ``key`` list."""
    data = json.loads(COCO_ROAD)
    data[key].append(entry)
    return json.dumps(data)


CASES = [
    # Structure: a missing, unknown or malformed element.
    case(
        "coco-unknown-category-id",
        "a.json",
        coco(coco_annotation([list(SQUARE)], category_id=9)),
        "annotation 7: unknown category_id 9",
    ),
    case(
        "coco-category-id-is-a-list",
        "a.json",
        coco(coco_annotation([list(SQUARE)], category_id=[1])),
        "annotation 7",
        "category_id",
    ),
    case(
        "coco-rle-wrong-size",
        "a.json",
        coco(coco_annotation({"size": [4, 4], "counts": [0, 16]})),
        "annotation 7 ('road'): RLE size [4, 4] is not the image's [8, 12]",
    ),
    case(
        "coco-rle-counts-too-short",
        "a.json",
        coco(coco_annotation({"size": [8, 12], "counts": [5, 5]})),
        "annotation 7 ('road')",
        "RLE",
    ),
    case(
        "coco-rle-negative-count",
        "a.json",
        coco(coco_annotation({"size": [8, 12], "counts": [-5, 101]})),
        "annotation 7 ('road')",
        "RLE",
    ),
    case(
        "unknown-class-coco",
        "a.json",
        coco(coco_annotation([list(SQUARE)]), categories=((1, "car"),)),
        "annotation 7 ('car') part 1: unknown class 'car'",
        KNOWN,
    ),
    # Coordinates: too few, unpaired, not numbers, not finite.
    case(
        "coco-polygon-2-points",
        "a.json",
        coco(coco_annotation([[0, 0, 12, 8]])),
        f"annotation 7 ('road') part 1: {TWO_POINTS}",
    ),
    case(
        "coco-odd-flat-list",
        "a.json",
        coco(coco_annotation([[0, 0, 12, 0, 12]])),
        "annotation 7 ('road') part 1: odd number of coordinates (5)",
    ),
    case(
        "coco-null",
        "a.json",
        coco(coco_annotation([[0, 0, 12, 0, None, 8]])),
        "annotation 7 ('road') part 1: x of point 3 is not a number: None",
    ),
    case(
        "coco-nan-string",
        "a.json",
        coco(coco_annotation([[0, 0, 12, "nan", 12, 8]])),
        "annotation 7 ('road') part 1: y of point 2 is not finite: 'nan'",
    ),
    case(
        "coco-bbox-inf",
        "a.json",
        coco(coco_annotation(None, bbox=[0, 0, float("inf"), 8])),
        "annotation 7 ('road'): bbox is not finite",
    ),
]

DUPLICATES = [
    case(
        "coco-two-images-one-id",
        "a.json",
        coco_plus("images", {"id": 1, "file_name": "b.png", "width": 12, "height": 8}),
        "image 'b.png': id 1 is also the id of image 'a.png'",
    ),
    case(
        "coco-two-images-one-file-name",
        "a.json",
        coco_plus("images", {"id": 2, "file_name": "a.png", "width": 6, "height": 4}),
        "image 'a.png' appears twice",
    ),
    case(
        "coco-two-categories-one-id",
        "a.json",
        coco_plus("categories", {"id": 1, "name": "sky"}),
        "category 1 ('sky'): a second category has this id",
    ),
    case(
        "coco-annotation-two-category-ids",
        "a.json",
        COCO_ROAD.replace('"category_id": 1', '"category_id": 1, "category_id": 2'),
        "the object with id 7: key 'category_id' appears twice",
    ),
    case(
        "coco-image-two-widths",
        "a.json",
        COCO_ROAD.replace('"width": 12', '"width": 6, "width": 12'),
        "the object with id 1, file_name 'a.png': key 'width' appears twice",
    ),
    case(
        "coco-category-two-names",
        "a.json",
        COCO_ROAD.replace('"name": "road"', '"name": "sky", "name": "road"'),
        "the object with id 1, name 'sky': key 'name' appears twice",
    ),
    case(
        "coco-two-top-level-images",
        "a.json",
        COCO_ROAD.replace('{"images"', '{"images": [], "images"'),
        "the object with keys images, annotations, categories: key 'images' appears twice",
    ),
]


@pytest.mark.parametrize("filename, content, fragments, kwargs", CASES)
def test_bad_annotation_is_refused(tmp_path, classes, filename, content, fragments, kwargs):
    assert_annotation_refused(tmp_path, classes, filename, content, fragments, kwargs)


@pytest.mark.parametrize("filename, content, fragments, kwargs", DUPLICATES)
def test_duplicated_element_or_key_is_refused(
    tmp_path, classes, filename, content, fragments, kwargs
):
    assert_annotation_refused(tmp_path, classes, filename, content, fragments, kwargs)
