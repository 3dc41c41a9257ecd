"""Annotation files that are no annotation at all: malformed, truncated or empty XML and JSON,
hostile XML (external DTDs, entities, a billion laughs), unknown file types and formats.

Each must be refused with an error that names the file and, where there is one, the
object, shape or annotation at fault, and leave no mask or temporary file behind
(tests/helpers/bad_inputs.py holds the writers and the check).
"""

from __future__ import annotations

import pytest

from tests.helpers.bad_inputs import (
    LABELME_ROAD,
    SQUARE,
    VOC_ROAD,
    assert_annotation_refused,
    assert_refused,
    case,
    image_bytes,
    voc,
    voc_polygon,
    write,
)

XML_DECLARATION = '<?xml version="1.0"?>'
NOT_ALLOWED = "a DTD or entity declaration is not allowed"
# Nine levels of entities, each ten of the one below: 10^8 "lol"s if they were expanded.
LAUGHS = '<!ENTITY a "lol">' + "".join(
    f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi")
)


CASES = [
    # Syntax.
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
    # Declared UTF-8, holding one Latin-1 byte: lxml raises OSError, not a syntax error.
    case(
        "xml-latin1-byte-in-utf8",
        "a.xml",
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + VOC_ROAD.replace("road", "caf\xe9").encode("latin-1"),
        "malformed XML: Invalid bytes in character encoding",
    ),
    case(
        "xml-nested-too-deep",
        "a.xml",
        "<annotation>" + "<a>" * 300 + "</a>" * 300 + "</annotation>",
        "depth",
    ),
    case(
        "xml-unknown-root", "a.xml", "<foo/>", "root element <foo> is neither CVAT (<annotations>)"
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


@pytest.mark.parametrize("filename, content, fragments, kwargs", CASES)
def test_bad_annotation_is_refused(tmp_path, classes, filename, content, fragments, kwargs):
    assert_annotation_refused(tmp_path, classes, filename, content, fragments, kwargs)


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


def test_an_undecodable_xml_is_a_problem_row_of_the_listing_not_a_crash(tmp_path):
    from streetseg.data.samples import directory_samples

    write(tmp_path / "a.png", image_bytes())
    write(tmp_path / "b.png", image_bytes())
    write(tmp_path / "b.xml", VOC_ROAD)
    bad = b'<?xml version="1.0" encoding="UTF-8"?><annotation><name>caf\xe9</name></annotation>'
    write(tmp_path / "a.xml", bad)
    problems: list = []
    table = directory_samples(str(tmp_path), problems)
    assert "b" in list(table["sample"])
    assert [(p.file, p.problem) for p in problems if "a.xml" in str(p.file)] == [
        (str(tmp_path / "a.xml"), "malformed XML: Invalid bytes in character encoding")
    ]
