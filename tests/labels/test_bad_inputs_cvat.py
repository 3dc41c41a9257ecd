"""Bad CVAT XML exports: no entry for the image, masks that do not fit their box, polygons
too short, coordinates that are not finite numbers, an image named twice.

Each must be refused with an error that names the file and, where there is one, the
object, shape or annotation at fault, and leave no mask or temporary file behind
(tests/helpers/bad_inputs.py holds the writers and the check).
"""

from __future__ import annotations

import pytest

from tests.helpers.bad_inputs import (
    CVAT_IMAGE,
    TWO_POINTS,
    assert_annotation_refused,
    case,
    cvat,
    cvat_polygon,
)

CASES = [
    # Structure: a missing, unknown or malformed element.
    case(
        "cvat-no-entry-for-image",
        "a.xml",
        cvat(cvat_polygon("0,0;12,0;12,8"), name="b.png"),
        "no <image> entry for image 'a.png'",
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
    # Coordinates: too few, unpaired, not numbers, not finite.
    case(
        "cvat-polygon-2-points",
        "a.xml",
        cvat(cvat_polygon("0,0;12,8")),
        f"{CVAT_IMAGE} polygon 1 ('road'): {TWO_POINTS}",
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
]

DUPLICATES = [
    case(
        "cvat-two-images-named-alike",
        "a.xml",
        cvat(cvat_polygon("0,0;12,0;12,8")).replace(
            "</annotations>", '<image id="1" name="a.png" width="12" height="8"/></annotations>'
        ),
        f"{CVAT_IMAGE} appears twice",
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
