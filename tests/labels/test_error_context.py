"""The whole message of a bad annotation: "file: object: problem" (or "file: problem").

The readers' helpers raise the problem alone and the file and object are named once, by the
callers that know them; these cases pin the full text users see, in every format, and the
problem rows the mask and listing stages split it into.
"""

from __future__ import annotations

import json

import pytest

from streetseg.common.problems import Problem
from streetseg.data.samples import directory_samples
from streetseg.labels.annotations import AnnotationReader
from streetseg.labels.formats.base import AnnotationError
from streetseg.labels.masks import MaskChunk, build_mask, make_masks
from tests.helpers import mask_settings
from tests.helpers.bad_inputs import (
    CVAT_IMAGE,
    KNOWN,
    SQUARE,
    coco,
    coco_annotation,
    cvat,
    cvat_polygon,
    image_bytes,
    labelme_json,
    labelme_xml,
    shape,
    voc,
    voc_polygon,
    write,
)

ROAD = voc_polygon("road", *SQUARE)
BOX = "<bndbox><xmin>0</xmin><ymin>0</ymin><xmax>-1</xmax><ymax>8</ymax></bndbox>"


def coco_with(key: str, entries) -> str:
    data = json.loads(coco(coco_annotation([list(SQUARE)]), categories=((1, "road"),)))
    data[key] = entries
    return json.dumps(data)


def case(case_id, filename, content, message):
    return pytest.param(filename, content, message, id=case_id)


CASES = [
    # Labelbox VOC: the root's children, the size, each object.
    case("voc-missing-size", "a.xml", voc(ROAD, size=""), "missing <size>"),
    case(
        "voc-two-sizes",
        "a.xml",
        voc(ROAD, size="<size><width>1</width><height>1</height></size>" * 2),
        "<annotation>: <size> appears 2 times; it must be unique",
    ),
    case(
        "voc-width",
        "a.xml",
        voc(ROAD, size="<size><width>abc</width><height>8</height></size>"),
        "<size>: width is not a number: 'abc'",
    ),
    case(
        "voc-second-object",
        "a.xml",
        voc(ROAD, voc_polygon("sky", 0, 0, 1, "abc", 2, 2)),
        "object 2 ('sky'): y2 is not a number: 'abc'",
    ),
    case(
        "voc-box",
        "a.xml",
        voc(f"<object><name>road</name>{BOX}</object>"),
        "object 1 ('road'): box has max below min: [0.0, 0.0, -1.0, 8.0]",
    ),
    case("voc-no-name", "a.xml", voc("<object><polygon/></object>"), "object 1: missing <name>"),
    case(
        "voc-unknown-class",
        "a.xml",
        voc(ROAD, voc_polygon("lamppost", *SQUARE)),
        f"object 2 ('lamppost'): unknown class 'lamppost'; {KNOWN}",
    ),
    # LabelMe XML: a point is named within its object.
    case(
        "labelme-xml-point",
        "a.xml",
        labelme_xml((0, 0), (12, 0), (12, 8)).replace("<x>12</x>", "<x>12</x><x>3</x>", 1),
        "object 1 ('road') point 2: <x> appears 2 times; it must be unique",
    ),
    case(
        "labelme-xml-missing-y",
        "a.xml",
        labelme_xml((0, 0), (1,), (2, 2)),
        "object 1 ('road'): y of point 2 is not a number: None",
    ),
    case(
        "labelme-xml-size",
        "a.xml",
        labelme_xml((0, 0), (1, 1), (2, 2), imagesize="<nrows>-8</nrows><ncols>3</ncols>"),
        "<imagesize>: size must be positive integers, got 3.0x-8.0",
    ),
    # labelme JSON.
    case(
        "labelme-json-size",
        "a.json",
        labelme_json(shape([[0, 0], [12, 0], [12, 8]])).replace(
            '"imageWidth": 12', '"imageWidth": true'
        ),
        "image size: width is not a number: True",
    ),
    case(
        "labelme-json-second-shape",
        "a.json",
        labelme_json(shape([[0, 0], [12, 0], [12, 8]]), shape([[0, 0], [1, 1]], label="sky")),
        "shape 2 ('sky'): polygon has 2 points; at least 3 are needed",
    ),
    case(
        "labelme-json-rectangle",
        "a.json",
        labelme_json(shape([[0, 0], ["a", 1]], shape_type="rectangle")),
        "shape 1 ('road'): rectangle point is not a number: 'a'",
    ),
    case(
        "labelme-json-duplicate-key",
        "a.json",
        labelme_json(shape([[0, 0], [12, 0], [12, 8]])).replace(
            '"label": "road"', '"label": "road", "label": "sky"'
        ),
        "the object with label 'road': key 'label' appears twice",
    ),
    # CVAT XML: a shape is named within its image.
    case(
        "cvat-image-size",
        "a.xml",
        cvat(cvat_polygon("0,0;12,0;12,8")).replace('width="12"', 'width="abc"'),
        f"{CVAT_IMAGE}: width is not a number: 'abc'",
    ),
    case(
        "cvat-third-shape",
        "a.xml",
        cvat(
            cvat_polygon("0,0;12,0;12,8"),
            '<polyline label="road" points="1,1"/>',
            cvat_polygon("0,0;1,1", label="sky"),
        ),
        f"{CVAT_IMAGE} polygon 3 ('sky'): polygon has 2 points; at least 3 are needed",
    ),
    case(
        "cvat-mask",
        "a.xml",
        cvat('<mask label="road" rle="1" left="11" top="0" width="2" height="1"/>'),
        f"{CVAT_IMAGE} mask 1 ('road'): mask box 2x1 at (11, 0) is not inside the 12x8 image",
    ),
    case(
        "cvat-two-images",
        "a.xml",
        cvat(cvat_polygon("0,0;12,0;12,8")).replace(
            "</annotations>", '<image id="1" name="a.png" width="1" height="1"/></annotations>'
        ),
        f"{CVAT_IMAGE} appears twice; image names must be unique",
    ),
    case(
        "cvat-no-entry",
        "a.xml",
        cvat(cvat_polygon("0,0;12,0;12,8"), name="b.png"),
        "no <image> entry for image 'a.png'",
    ),
    # COCO JSON: a polygon part is named within its annotation.
    case(
        "coco-second-part",
        "a.json",
        coco(coco_annotation([list(SQUARE), [0, 0, 1, "nan", 2, 2]])),
        "annotation 7 ('road') part 2: y of point 2 is not finite: 'nan'",
    ),
    case(
        "coco-unknown-category",
        "a.json",
        coco(coco_annotation([list(SQUARE)], category_id=9)),
        "annotation 7: unknown category_id 9",
    ),
    case(
        "coco-rle",
        "a.json",
        coco(coco_annotation({"size": [1, 1], "counts": [1]})),
        "annotation 7 ('road'): RLE size [1, 1] is not the image's [8, 12]",
    ),
    case(
        "coco-image-ids",
        "a.json",
        coco_with("images", [{"id": 1, "file_name": "a.png"}, {"id": 1, "file_name": "b.png"}]),
        "image 'b.png': id 1 is also the id of image 'a.png'",
    ),
    case(
        "coco-category-ids",
        "a.json",
        coco_with("categories", [{"id": 1, "name": "road"}, {"id": 1, "name": "sky"}]),
        "category 1 ('sky'): a second category has this id",
    ),
    case(
        "coco-base-names",
        "a.json",
        coco_with("images", [{"id": 1, "file_name": "x/a.png"}, {"id": 2, "file_name": "y/a.png"}]),
        "2 images entries are named 'a.png'; use full names",
    ),
    case(
        "coco-unknown-class",
        "a.json",
        coco(coco_annotation([list(SQUARE)]), categories=((1, "car"),)),
        f"annotation 7 ('car') part 1: unknown class 'car'; {KNOWN}",
    ),
]


@pytest.mark.parametrize("filename, content, message", CASES)
def test_the_message_names_the_file_and_object_once(tmp_path, classes, filename, content, message):
    image = write(tmp_path / "a.png", image_bytes())
    annotation = write(tmp_path / filename, content)
    with pytest.raises(AnnotationError) as info:
        build_mask(annotation, image, mask_settings(classes))
    assert str(info.value) == f"{annotation}: {message}"


def test_an_export_error_is_told_again_for_each_of_its_images(tmp_path):
    export = write(tmp_path / "cvat.xml", cvat(cvat_polygon("0,0;12,0;12,8"), name="b.png"))
    reader = AnnotationReader([(export, "a.png"), (export, "c.png")])
    for name in ("a.png", "c.png"):
        with pytest.raises(AnnotationError) as info:
            reader.read(export, name)
        assert str(info.value) == f"{export}: no <image> entry for image {name!r}"


def test_mask_problems_split_into_file_object_and_reason(tmp_path, classes):
    image = write(tmp_path / "a.png", image_bytes())
    bad = write(tmp_path / "a.xml", voc(ROAD, voc_polygon("sky", 0, 0, 1, "abc", 2, 2)))
    _, problems = make_masks(
        MaskChunk(["a"], [str(bad)], [str(image)], [tmp_path / "a_mask.png"], tmp_path / "s.tsv"),
        mask_settings(classes),
        log=lambda line: None,
    )
    assert problems == [Problem("a", str(bad), "object 2 ('sky')", "y2 is not a number: 'abc'")]


def test_listing_problems_name_the_export(tmp_path):
    write(tmp_path / "a.png", image_bytes())
    export = write(
        tmp_path / "export.json",
        coco_with("categories", [{"id": 1, "name": "road"}, {"id": 1, "name": "sky"}]),
    )
    problems = []
    directory_samples(str(tmp_path), problems)
    assert problems == [
        Problem("export", str(export), "category 1 ('sky')", "a second category has this id")
    ]
