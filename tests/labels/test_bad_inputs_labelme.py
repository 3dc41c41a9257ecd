"""Bad LabelMe XML and labelme JSON files: missing sizes, unsupported or malformed shapes,
points that are not finite numbers, repeated elements and keys.

Each must be refused with an error that names the file and, where there is one, the
object, shape or annotation at fault, and leave no mask or temporary file behind
(tests/helpers/bad_inputs.py holds the writers and the check).
"""

from __future__ import annotations

import pytest

from tests.helpers.bad_inputs import (
    LABELME_ROAD,
    TWO_POINTS,
    assert_annotation_refused,
    case,
    labelme_json,
    labelme_xml,
    shape,
)

ROAD_XML = labelme_xml((0, 0), (12, 0), (12, 8))
CASES = [
    # Structure: a missing, unknown or malformed element.
    case(
        "labelme-xml-nrows-without-ncols",
        "a.xml",
        labelme_xml((0, 0), (12, 0), (12, 8), imagesize="<nrows>9</nrows>"),
        "<imagesize>",
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
    # Coordinates: too few, unpaired, not numbers, not finite.
    case(
        "labelme-xml-polygon-2-points",
        "a.xml",
        labelme_xml((0, 0), (12, 8)),
        f"object 1 ('road'): {TWO_POINTS}",
    ),
    case(
        "labelme-json-polygon-2-points",
        "a.json",
        labelme_json(shape([[0, 0], [12, 8]])),
        f"shape 1 ('road'): {TWO_POINTS}",
    ),
    case(
        "labelme-xml-missing-y",
        "a.xml",
        labelme_xml((0, 0), (12,), (12, 8)),
        "object 1 ('road'): y of point 2 is not a number",
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
]

DUPLICATES = [
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


@pytest.mark.parametrize("filename, content, fragments, kwargs", CASES)
def test_bad_annotation_is_refused(tmp_path, classes, filename, content, fragments, kwargs):
    assert_annotation_refused(tmp_path, classes, filename, content, fragments, kwargs)


@pytest.mark.parametrize("filename, content, fragments, kwargs", DUPLICATES)
def test_duplicated_element_or_key_is_refused(
    tmp_path, classes, filename, content, fragments, kwargs
):
    assert_annotation_refused(tmp_path, classes, filename, content, fragments, kwargs)
