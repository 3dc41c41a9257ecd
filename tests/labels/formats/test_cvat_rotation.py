"""CVAT for images 1.1: rotated boxes and ellipses (``rotation`` in degrees, clockwise on
screen about the shape's centre), worked by hand under the pixel-centre convention."""

import numpy as np
import pytest
from PIL import Image

from streetseg.labels.formats.base import AnnotationError
from streetseg.labels.masks import build_mask
from tests.helpers import mask_settings

LABELS = {"unannotated": "background"}
ROAD = 3


def _mask(tmp_path, classes, shapes, size=6):
    Image.fromarray(np.zeros((size, size, 3), np.uint8)).save(tmp_path / "a.png")
    xml = tmp_path / "cvat.xml"
    xml.write_text(
        f'<annotations><version>1.1</version><image id="0" name="a.png" width="{size}" '
        f'height="{size}">{shapes}</image></annotations>'
    )
    return build_mask(xml, tmp_path / "a.png", mask_settings(classes, labels=LABELS))[0]


def _expected(size, pixels):
    mask = np.zeros((size, size), dtype=np.uint8)
    for row, col in pixels:
        mask[row, col] = ROAD
    return mask


def test_a_box_turned_a_quarter_stands_upright(tmp_path, classes):
    # 4 wide, 2 high about (2, 2): turned 90 degrees it spans x 1..3, y 0..4.
    box = '<box label="road" xtl="0" ytl="1" xbr="4" ybr="3" rotation="90" z_order="0"/>'
    mask = _mask(tmp_path, classes, box, size=4)
    np.testing.assert_array_equal(mask, _expected(4, [(r, c) for r in range(4) for c in (1, 2)]))


def test_a_square_turned_45_degrees_loses_its_corner_pixels(tmp_path, classes):
    # The diamond |x - 2| + |y - 2| < 2 * sqrt(2) holds every centre but the four corners
    # (|dx| + |dy| = 3).
    box = '<box label="road" xtl="0" ytl="0" xbr="4" ybr="4" rotation="45.0"/>'
    mask = _mask(tmp_path, classes, box, size=4)
    expected = np.full((4, 4), ROAD, dtype=np.uint8)
    expected[[0, 0, 3, 3], [0, 3, 0, 3]] = 0
    np.testing.assert_array_equal(mask, expected)


def test_an_ellipse_without_rotation(tmp_path, classes):
    # (dx / 2)^2 + dy^2 < 1 about (3, 3): rows 2, 3 (dy = -0.5, 0.5), columns 1..4.
    ellipse = '<ellipse label="road" cx="3" cy="3" rx="2" ry="1" z_order="0"/>'
    mask = _mask(tmp_path, classes, ellipse)
    np.testing.assert_array_equal(mask, _expected(6, [(r, c) for r in (2, 3) for c in range(1, 5)]))


def test_an_ellipse_turned_clockwise_runs_from_top_left_to_bottom_right(tmp_path, classes):
    # rx 3, ry 1 turned 45 degrees clockwise: its long axis runs down-right. A centre is inside
    # when (dx + dy)^2 / 18 + (dy - dx)^2 / 2 < 1: the diagonal with |dx| < 2.12, and its two
    # neighbours where |dx + dy| < 3.
    ellipse = '<ellipse label="road" cx="3" cy="3" rx="3" ry="1" rotation="45"/>'
    mask = _mask(tmp_path, classes, ellipse)
    pixels = [(1, 1), (1, 2), (2, 1), (2, 2), (2, 3), (3, 2), (3, 3), (3, 4), (4, 3), (4, 4)]
    np.testing.assert_array_equal(mask, _expected(6, pixels))


def test_a_bad_rotation_is_refused_naming_the_shape(tmp_path, classes):
    box = '<box label="road" xtl="0" ytl="0" xbr="4" ybr="4" rotation="quarter"/>'
    with pytest.raises(AnnotationError) as info:
        _mask(tmp_path, classes, box)
    message = str(info.value)
    assert str(tmp_path / "cvat.xml") in message
    assert "<image name='a.png'> box 1 ('road'): rotation is not a number: 'quarter'" in message


def test_a_negative_ellipse_radius_is_refused(tmp_path, classes):
    ellipse = '<ellipse label="road" cx="3" cy="3" rx="-1" ry="1"/>'
    with pytest.raises(AnnotationError, match="ellipse 1 \\('road'\\): ellipse radii must not"):
        _mask(tmp_path, classes, ellipse)
