"""Bad Labelbox VOC files: missing or repeated elements, unknown classes, polygons too short
or unpaired, coordinates and sizes that are not finite numbers.

Each must be refused with an error that names the file and, where there is one, the
object, shape or annotation at fault, and leave no mask or temporary file behind
(tests/helpers/bad_inputs.py holds the writers and the check).
"""

from __future__ import annotations

import pytest

from tests.helpers.bad_inputs import (
    KNOWN,
    SIZE,
    SQUARE,
    TWO_POINTS,
    assert_annotation_refused,
    case,
    voc,
    voc_polygon,
)

HUGE_SIZE = "<size><width>1e999</width><height>8</height></size>"
POLYGON = voc_polygon("road", *SQUARE)
SKY_POLYGON = voc_polygon("sky", *SQUARE)
BOX = "<bndbox><xmin>0</xmin><ymin>0</ymin><xmax>12</xmax><ymax>8</ymax></bndbox>"


def second(tag: str) -> str:
    """BOX with a second <tag> before the first."""
    return BOX.replace(f"<{tag}>", f"<{tag}>3</{tag}><{tag}>")


CASES = [
    # Structure: a missing, unknown or malformed element.
    case("voc-missing-size", "a.xml", voc(voc_polygon("road", *SQUARE), size=""), "missing <size>"),
    case(
        "voc-missing-size-declared",
        "a.xml",
        voc(voc_polygon("road", *SQUARE), size=""),
        "missing <size>",
        fmt="labelbox_voc",
    ),
    case(
        "unknown-class-voc",
        "a.xml",
        voc(voc_polygon("sky", *SQUARE), voc_polygon("lamppost", *SQUARE)),
        "object 2 ('lamppost'): unknown class 'lamppost'",
        KNOWN,
    ),
    # Coordinates: too few, unpaired, not numbers, not finite.
    case(
        "voc-polygon-2-points",
        "a.xml",
        voc(voc_polygon("road", 0, 0, 12, 8)),
        f"object 1 ('road'): {TWO_POINTS}",
    ),
    case(
        "voc-x-without-y",
        "a.xml",
        voc(voc_polygon("road", 0, 0, 12, 0, 12)),
        "object 1 ('road'): polygon x and y",
        "odd number of coordinates",
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
]

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
            voc(f"<object><name>road</name>{second(tag)}</object>"),
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
]


@pytest.mark.parametrize("filename, content, fragments, kwargs", CASES)
def test_bad_annotation_is_refused(tmp_path, classes, filename, content, fragments, kwargs):
    assert_annotation_refused(tmp_path, classes, filename, content, fragments, kwargs)


@pytest.mark.parametrize("filename, content, fragments, kwargs", DUPLICATES)
def test_duplicated_element_or_key_is_refused(
    tmp_path, classes, filename, content, fragments, kwargs
):
    assert_annotation_refused(tmp_path, classes, filename, content, fragments, kwargs)
