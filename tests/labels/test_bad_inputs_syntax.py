"""Bad annotation files (syntax, structure, coordinates, classes, formats) and bad sample ids.

Every case must be refused with an error that names the file and, where there is one, the
object, shape or annotation at fault; and it must leave no mask, statistics or temporary file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streetseg.data.samples import SampleSheetError, directory_samples, sheet_samples
from streetseg.labels.formats.base import AnnotationError
from tests.helpers.bad_inputs import (
    KNOWN,
    SIZE,
    SQUARE,
    assert_refused,
    case,
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

VOC_ROAD = voc(voc_polygon("road", *SQUARE))
LABELME_ROAD = labelme_json(shape([[0, 0], [12, 0], [12, 8]]))
XML_DECLARATION = '<?xml version="1.0"?>'
NOT_ALLOWED = "a DTD or entity declaration is not allowed"
# Nine levels of entities, each ten of the one below: 10^8 "lol"s if they were expanded.
LAUGHS = '<!ENTITY a "lol">' + "".join(
    f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi")
)
CVAT_IMAGE = "<image name='a.png'>"

SYNTAX = [
    case(
        "xml-malformed", "a.xml", "<annotation><size><width>1</width></annotation>", "malformed XML"
    ),
    case("xml-truncated", "a.xml", VOC_ROAD[: len(VOC_ROAD) // 2], "malformed XML"),
    case("xml-empty", "a.xml", "", "file is empty"),
    case(
        "xml-bad-encoding",
        "a.xml",
        '<?xml version="1.0" encoding="bogus"?><annotation/>',
        "malformed XML",
    ),
    case(
        "xml-nested-too-deep",
        "a.xml",
        "<annotation>" + "<a>" * 300 + "</a>" * 300 + "</annotation>",
        "depth",
    ),
    case(
        "xml-unknown-root", "a.xml", "<foo/>", "root element <foo> is not a known annotation format"
    ),
    case(
        "json-malformed-line-3",
        "a.json",
        '{\n "imageWidth": 12\n "imageHeight": 8,\n "shapes": []\n}',
        "malformed JSON at line 3",
    ),
    case("json-truncated", "a.json", LABELME_ROAD[: len(LABELME_ROAD) // 2], "malformed JSON"),
    case("json-empty", "a.json", "", "file is empty"),
    case("json-not-utf8", "a.json", b'{"shapes": [], "imagePath": "\xe9.png"}', "not UTF-8 text"),
    case("json-neither-labelme-nor-coco", "a.json", '{"objects": []}', "JSON is neither labelme"),
    case("json-nested-too-deep", "a.json", "[" * 100_000 + "]" * 100_000, "JSON"),
    case("extension-unknown", "a.txt", "road 0 0 12 0 12 8", "unknown annotation file type '.txt'"),
    case("annotation-missing", "a.xml", None, "annotation file not found"),
    # Hostile XML: no DTD is loaded and no entity is expanded.
    case(
        "xxe-external-dtd",
        "a.xml",
        XML_DECLARATION + '<!DOCTYPE annotation SYSTEM "file:///etc/passwd">' + VOC_ROAD,
        NOT_ALLOWED,
    ),
    case(
        "xxe-entity",
        "a.xml",
        XML_DECLARATION
        + '<!DOCTYPE annotation [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + voc(voc_polygon("&x;", *SQUARE)),
        NOT_ALLOWED,
    ),
    case(
        "billion-laughs",
        "a.xml",
        XML_DECLARATION + f"<!DOCTYPE annotation [{LAUGHS}]>" + voc(voc_polygon("&i;", *SQUARE)),
        (NOT_ALLOWED, "entity amplification"),
    ),
]

STRUCTURE = [
    case("voc-missing-size", "a.xml", voc(voc_polygon("road", *SQUARE), size=""), "missing <size>"),
    case(
        "voc-missing-size-declared",
        "a.xml",
        voc(voc_polygon("road", *SQUARE), size=""),
        "missing <size>",
        fmt="labelbox_voc",
    ),
    case(
        "labelme-xml-nrows-without-ncols",
        "a.xml",
        labelme_xml((0, 0), (12, 0), (12, 8), imagesize="<nrows>9</nrows>"),
        "<imagesize>",
    ),
    case(
        "cvat-no-entry-for-image",
        "a.xml",
        cvat(cvat_polygon("0,0;12,0;12,8"), name="b.png"),
        "no <image> entry for image 'a.png'",
    ),
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
        "cvat-mask-rle-short-of-box",
        "a.xml",
        cvat('<mask label="road" rle="1, 4" left="0" top="0" width="2" height="3"/>'),
        f"{CVAT_IMAGE} mask 1 ('road'): rle covers 5 pixels but the box is 2x3",
    ),
    case(
        "cvat-mask-negative-box",
        "a.xml",
        cvat('<mask label="road" rle="0, 6" left="0" top="0" width="-2" height="-3"/>'),
        f"{CVAT_IMAGE} mask 1 ('road')",
    ),
    case(
        "labelme-rectangle-3-points",
        "a.json",
        labelme_json(shape([[0, 0], [12, 8], [3, 3]], shape_type="rectangle")),
        "shape 1 ('road'): a rectangle needs 2 (x, y) points",
    ),
    case(
        "labelme-unsupported-shape-type",
        "a.json",
        labelme_json(shape([[0, 0], [12, 8]], shape_type="bezier")),
        "shape 1 ('road'): unsupported shape_type 'bezier'",
    ),
    case(
        "labelme-shape-type-is-a-list",
        "a.json",
        labelme_json(shape([[0, 0], [12, 0], [12, 8]], shape_type=["polygon"])),
        "shape 1 ('road')",
        "shape_type",
    ),
    case(
        "unknown-class-voc",
        "a.xml",
        voc(voc_polygon("sky", *SQUARE), voc_polygon("lamppost", *SQUARE)),
        "object 2 ('lamppost'): unknown class 'lamppost'",
        KNOWN,
    ),
    case(
        "unknown-class-coco",
        "a.json",
        coco(coco_annotation([list(SQUARE)]), categories=((1, "car"),)),
        "annotation 7 ('car') part 1: unknown class 'car'",
        KNOWN,
    ),
]

TWO_POINTS = "polygon has 2 points; at least 3 are needed"
HUGE_SIZE = "<size><width>1e999</width><height>8</height></size>"
COORDINATES = [
    case(
        "voc-polygon-2-points",
        "a.xml",
        voc(voc_polygon("road", 0, 0, 12, 8)),
        f"object 1 ('road'): {TWO_POINTS}",
    ),
    case(
        "labelme-xml-polygon-2-points",
        "a.xml",
        labelme_xml((0, 0), (12, 8)),
        f"object 1 ('road'): {TWO_POINTS}",
    ),
    case(
        "cvat-polygon-2-points",
        "a.xml",
        cvat(cvat_polygon("0,0;12,8")),
        f"{CVAT_IMAGE} polygon 1 ('road'): {TWO_POINTS}",
    ),
    case(
        "labelme-json-polygon-2-points",
        "a.json",
        labelme_json(shape([[0, 0], [12, 8]])),
        f"shape 1 ('road'): {TWO_POINTS}",
    ),
    case(
        "coco-polygon-2-points",
        "a.json",
        coco(coco_annotation([[0, 0, 12, 8]])),
        f"annotation 7 ('road') part 1: {TWO_POINTS}",
    ),
    case(
        "voc-x-without-y",
        "a.xml",
        voc(voc_polygon("road", 0, 0, 12, 0, 12)),
        "object 1 ('road'): polygon x and y",
        "odd number of coordinates",
    ),
    case(
        "coco-odd-flat-list",
        "a.json",
        coco(coco_annotation([[0, 0, 12, 0, 12]])),
        "annotation 7 ('road') part 1: odd number of coordinates (5)",
    ),
    case(
        "voc-nan",
        "a.xml",
        voc(voc_polygon("road", 0, 0, "nan", 0, 12, 8)),
        "object 1 ('road'): x2 is not finite: 'nan'",
    ),
    case(
        "voc-abc",
        "a.xml",
        voc(voc_polygon("road", 0, 0, 12, "abc", 12, 8)),
        "object 1 ('road'): y2 is not a number: 'abc'",
    ),
    case(
        "voc-size-1e999",
        "a.xml",
        voc(voc_polygon("road", *SQUARE), size=HUGE_SIZE),
        "<size>: width is not finite: '1e999'",
    ),
    case(
        "labelme-xml-missing-y",
        "a.xml",
        labelme_xml((0, 0), (12,), (12, 8)),
        "object 1 ('road'): y of point 2 is not a number",
    ),
    case(
        "cvat-inf",
        "a.xml",
        cvat(cvat_polygon("0,0;inf,0;12,8")),
        f"{CVAT_IMAGE} polygon 1 ('road'): x of point 2 is not finite: 'inf'",
    ),
    case(
        "cvat-box-abc",
        "a.xml",
        cvat('<box label="road" xtl="abc" ytl="0" xbr="12" ybr="8" z_order="0"/>'),
        f"{CVAT_IMAGE} box 1 ('road'): xmin is not a number: 'abc'",
    ),
    case(
        "labelme-json-NaN",
        "a.json",
        labelme_json(shape([[0, 0], [float("nan"), 0], [12, 8]])),
        "shape 1 ('road'): x of point 2 is not finite",
    ),
    case(
        "labelme-json-1e999",
        "a.json",
        labelme_json(shape([[0, 0], [12, 0], "@"])).replace('"@"', "[12, 1e999]"),
        "shape 1 ('road'): y of point 3 is not finite",
    ),
    case(
        "labelme-json-abc",
        "a.json",
        labelme_json(shape([[0, 0], ["abc", 0], [12, 8]])),
        "shape 1 ('road'): x of point 2 is not a number: 'abc'",
    ),
    case(
        "labelme-rectangle-inf",
        "a.json",
        labelme_json(shape([[0, 0], [float("inf"), 8]], shape_type="rectangle")),
        "shape 1 ('road'): rectangle point is not finite",
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


@pytest.mark.parametrize("filename, content, fragments, kwargs", SYNTAX + STRUCTURE + COORDINATES)
def test_bad_annotation_is_refused(tmp_path, classes, filename, content, fragments, kwargs):
    image = write(tmp_path / "a.png", image_bytes())
    annotation = write(tmp_path / filename, content)
    message = assert_refused(
        tmp_path, classes, annotation, image, AnnotationError, annotation, fragments, **kwargs
    )
    # Hostile XML must never leak what it points at.
    passwd = Path("/etc/passwd").read_text().splitlines()
    assert not any(line and line in message for line in passwd)


def test_unknown_format_name_is_refused(tmp_path, classes):
    image = write(tmp_path / "a.png", image_bytes())
    annotation = write(tmp_path / "a.xml", VOC_ROAD)
    # The configured format is at fault here, not a file, so the message names the format.
    assert_refused(
        tmp_path,
        classes,
        annotation,
        image,
        ValueError,
        "'yolo'",
        ["unknown annotation format"],
        fmt="yolo",
    )


@pytest.mark.parametrize(
    "ids, fragment",
    [
        pytest.param(["ok", "../x"], "sample id '../x' is not a safe name", id="sheet-id-dotdot"),
        pytest.param(["a/b"], "sample id 'a/b' is not a safe name", id="sheet-id-slash"),
        pytest.param(["..a"], "sample id '..a' is not a safe name", id="sheet-id-leading-dots"),
        pytest.param(
            ["a", "b", "a"], "sample id 'a' appears more than once", id="sheet-id-duplicate"
        ),
    ],
)
def test_bad_sample_ids_in_a_sheet_are_refused(tmp_path, ids, fragment):
    rows = "".join(f"{sample}\tim/{n}.jpg\tan/{n}.xml\n" for n, sample in enumerate(ids))
    sheet = write(tmp_path / "samples.tsv", "sample\timage\tannotation\n" + rows)
    with pytest.raises(SampleSheetError) as info:
        sheet_samples(str(sheet))
    assert str(sheet) in str(info.value) and fragment in str(info.value)


def test_duplicate_sample_ids_in_a_directory_are_refused(tmp_path):
    write(tmp_path / "a.png", image_bytes())
    write(tmp_path / "a.xml", VOC_ROAD)  # Labelbox VOC for a.png ...
    write(tmp_path / "a.json", LABELME_ROAD)  # ... and labelme JSON for the same image
    with pytest.raises(SampleSheetError) as info:
        directory_samples(str(tmp_path))
    message = str(info.value)
    assert str(tmp_path) in message and "sample id 'a' appears more than once" in message


# --- Duplicated elements and keys: reading either copy would silently paint the wrong thing ---

POLYGON = voc_polygon("road", *SQUARE)
SKY_POLYGON = voc_polygon("sky", *SQUARE)
BOX = "<bndbox><xmin>0</xmin><ymin>0</ymin><xmax>12</xmax><ymax>8</ymax></bndbox>"
ROAD_XML = labelme_xml((0, 0), (12, 0), (12, 8))
COCO_ROAD = coco(coco_annotation([list(SQUARE)]), categories=((1, "road"), (2, "sky")))


def coco_plus(key: str, entry: dict) -> str:
    """COCO_ROAD with one more entry in its ``key`` list."""
    data = json.loads(COCO_ROAD)
    data[key].append(entry)
    return json.dumps(data)


DUPLICATES = [
    case(
        "voc-two-names",
        "a.xml",
        voc(POLYGON.replace("</name>", "</name><name>sky</name>")),
        "object 1 ('road'): <name> appears 2 times",
    ),
    case(
        "voc-two-sizes",
        "a.xml",
        voc(POLYGON, size=SIZE + SIZE.replace("12", "6")),
        "<annotation>: <size> appears 2 times",
    ),
    case(
        "voc-two-widths",
        "a.xml",
        voc(POLYGON, size=SIZE.replace("<height>", "<width>6</width><height>")),
        "<size>: <width> appears 2 times",
    ),
    case(
        "voc-two-heights",
        "a.xml",
        voc(POLYGON, size=SIZE.replace("<depth>", "<height>4</height><depth>")),
        "<size>: <height> appears 2 times",
    ),
    case(
        "voc-two-polygons",
        "a.xml",
        voc(
            POLYGON.replace(
                "</object>",
                SKY_POLYGON[SKY_POLYGON.index("<polygon>") : -len("</object>")] + "</object>",
            )
        ),
        "object 1 ('road'): has 2 shapes (<polygon>, <polygon>)",
    ),
    case(
        "voc-polygon-and-bndbox",
        "a.xml",
        voc(POLYGON.replace("</object>", BOX + "</object>")),
        "object 1 ('road'): has 2 shapes (<polygon>, <bndbox>)",
    ),
    case(
        "voc-two-bndboxes",
        "a.xml",
        voc(f"<object><name>road</name>{BOX}{BOX}</object>"),
        "object 1 ('road'): has 2 shapes (<bndbox>, <bndbox>)",
    ),
    *(
        case(
            f"voc-two-{tag}",
            "a.xml",
            voc(
                f"<object><name>road</name>{BOX.replace(f'<{tag}>', f'<{tag}>3</{tag}><{tag}>')}</object>"
            ),
            f"object 1 ('road'): <{tag}> appears 2 times",
        )
        for tag in ("xmin", "ymin", "xmax", "ymax")
    ),
    case(
        "voc-two-filenames",
        "a.xml",
        voc(POLYGON).replace("<size>", "<filename>b.png</filename><size>"),
        "<annotation>: <filename> appears 2 times",
    ),
    case(
        "labelme-xml-two-names",
        "a.xml",
        ROAD_XML.replace("</name>", "</name><name>sky</name>"),
        "object 1 ('road'): <name> appears 2 times",
    ),
    case(
        "labelme-xml-two-imagesizes",
        "a.xml",
        ROAD_XML.replace(
            "</imagesize>", "</imagesize><imagesize><nrows>4</nrows><ncols>6</ncols></imagesize>"
        ),
        "<annotation>: <imagesize> appears 2 times",
    ),
    case(
        "labelme-xml-two-nrows",
        "a.xml",
        labelme_xml(
            (0, 0),
            (12, 0),
            (12, 8),
            imagesize=("<nrows>8</nrows><nrows>4</nrows><ncols>12</ncols>"),
        ),
        "<imagesize>: <nrows> appears 2 times",
    ),
    case(
        "labelme-xml-two-ncols",
        "a.xml",
        labelme_xml(
            (0, 0),
            (12, 0),
            (12, 8),
            imagesize=("<nrows>8</nrows><ncols>12</ncols><ncols>6</ncols>"),
        ),
        "<imagesize>: <ncols> appears 2 times",
    ),
    case(
        "labelme-xml-two-polygons",
        "a.xml",
        ROAD_XML.replace("</object>", "<polygon><pt><x>1</x><y>1</y></pt></polygon></object>"),
        "object 1 ('road'): <polygon> appears 2 times",
    ),
    case(
        "labelme-xml-pt-two-x",
        "a.xml",
        ROAD_XML.replace("<x>12</x>", "<x>12</x><x>3</x>", 1),
        "object 1 ('road') point 2: <x> appears 2 times",
    ),
    case(
        "labelme-xml-pt-two-y",
        "a.xml",
        ROAD_XML.replace("<y>8</y>", "<y>8</y><y>3</y>", 1),
        "object 1 ('road') point 3: <y> appears 2 times",
    ),
    case(
        "labelme-xml-two-deleted",
        "a.xml",
        ROAD_XML.replace("</deleted>", "</deleted><deleted>1</deleted>"),
        "object 1 ('road'): <deleted> appears 2 times",
    ),
    case(
        "cvat-two-images-named-alike",
        "a.xml",
        cvat(cvat_polygon("0,0;12,0;12,8")).replace(
            "</annotations>", '<image id="1" name="a.png" width="12" height="8"/></annotations>'
        ),
        f"{CVAT_IMAGE} appears twice",
    ),
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
    case(
        "labelme-json-shape-two-labels",
        "a.json",
        LABELME_ROAD.replace('"label": "road"', '"label": "road", "label": "sky"'),
        "the object with label 'road': key 'label' appears twice",
    ),
    case(
        "labelme-json-two-image-widths",
        "a.json",
        LABELME_ROAD.replace('"imageWidth": 12', '"imageWidth": 6, "imageWidth": 12'),
        "key 'imageWidth' appears twice",
        "imagePath",
    ),
]


@pytest.mark.parametrize("filename, content, fragments, kwargs", DUPLICATES)
def test_duplicated_element_or_key_is_refused(
    tmp_path, classes, filename, content, fragments, kwargs
):
    image = write(tmp_path / "a.png", image_bytes())
    annotation = write(tmp_path / filename, content)
    assert_refused(
        tmp_path, classes, annotation, image, AnnotationError, annotation, fragments, **kwargs
    )
