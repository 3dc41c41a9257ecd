"""Polygons with holes: the exterior is painted, then the pixels inside any hole get back what
they had before this object, so earlier objects (or the unannotated label) show through.
Worked by hand under the pixel-centre convention of streetseg/labels/rasterize.py."""

import numpy as np
import pytest

from streetseg.labels.classes import ClassTable
from streetseg.labels.formats.base import AnnotatedObject, Annotation
from streetseg.labels.painting import polygon_mask
from streetseg.labels.rasterize import box_to_polygon
from streetseg.labels.resolver import LabelResolver

SKY, ROAD = 6, 3


@pytest.fixture
def resolver(classes):
    return LabelResolver(ClassTable.from_config(classes), ignore=["hole-y"])


def _mask(resolver, objects, width=6, height=6, scale=(1.0, 1.0), unannotated=0):
    annotation = Annotation("a.json", "a.png", width, height, objects)
    return polygon_mask(annotation, resolver, width, height, scale, unannotated)


def test_the_hole_shows_the_earlier_object_and_the_unannotated_label(resolver):
    sky = AnnotatedObject("sky", "object 1", vertices=box_to_polygon(0, 0, 6, 3))
    road = AnnotatedObject(
        "road", "object 2", vertices=box_to_polygon(1, 1, 5, 5), holes=[box_to_polygon(2, 2, 4, 4)]
    )
    mask, stats = _mask(resolver, [sky, road])
    expected = np.array(
        [
            [6, 6, 6, 6, 6, 6],
            [6, 3, 3, 3, 3, 6],
            [6, 3, 6, 6, 3, 6],  # the hole's top row lies on the sky: sky shows through
            [0, 3, 0, 0, 3, 0],  # its bottom row lies on nothing: unannotated
            [0, 3, 3, 3, 3, 0],
            [0, 0, 0, 0, 0, 0],
        ]
    )
    np.testing.assert_array_equal(mask, expected)
    assert stats["coverage"] == pytest.approx(24 / 36)


def test_a_hole_takes_pixels_by_centre_and_never_paints_outside_its_exterior(resolver):
    # The hole spans x 0.6..7 and y 1.4..2.6: the centres y 1.5 and 2.5 (rows 1, 2) and
    # x 1.5..4.5 (columns 1..4; column 0's centre 0.5 is left of 0.6) of the exterior lie in
    # it. The part of the hole outside the exterior (x > 5) changes nothing.
    road = AnnotatedObject(
        "road",
        "object 1",
        vertices=box_to_polygon(0, 0, 5, 4),
        holes=[np.array([[0.6, 1.4], [7.0, 1.4], [7.0, 2.6], [0.6, 2.6]])],
    )
    mask, _ = _mask(resolver, [road], unannotated=SKY)
    expected = np.array(
        [
            [3, 3, 3, 3, 3, 6],
            [3, 6, 6, 6, 6, 6],
            [3, 6, 6, 6, 6, 6],
            [3, 3, 3, 3, 3, 6],
            [6, 6, 6, 6, 6, 6],
            [6, 6, 6, 6, 6, 6],
        ]
    )
    np.testing.assert_array_equal(mask, expected)


def test_overlapping_holes_are_one_hole_not_even_odd(resolver):
    holes = [box_to_polygon(1, 1, 4, 4), box_to_polygon(2, 2, 5, 5)]
    road = AnnotatedObject("road", "o", vertices=box_to_polygon(0, 0, 6, 6), holes=holes)
    mask, _ = _mask(resolver, [road])
    expected = np.full((6, 6), ROAD)
    expected[1:4, 1:4] = 0
    expected[2:5, 2:5] = 0
    np.testing.assert_array_equal(mask, expected)


def test_holes_are_scaled_with_the_exterior(resolver):
    road = AnnotatedObject(
        "road", "o", vertices=box_to_polygon(0, 0, 3, 3), holes=[box_to_polygon(1, 1, 2, 2)]
    )
    mask, _ = _mask(resolver, [road], scale=(2.0, 2.0))
    expected = np.zeros((6, 6), dtype=np.uint8)
    expected[:, :] = ROAD
    expected[2:4, 2:4] = 0
    np.testing.assert_array_equal(mask, expected)


def test_an_ignored_object_with_a_hole_ignores_only_its_ring(resolver):
    sky = AnnotatedObject("sky", "o1", vertices=box_to_polygon(0, 0, 6, 6))
    ignored = AnnotatedObject(
        "hole-y", "o2", vertices=box_to_polygon(1, 1, 5, 5), holes=[box_to_polygon(2, 2, 4, 4)]
    )
    mask, stats = _mask(resolver, [sky, ignored])
    assert mask[1, 1] == 255 and mask[2, 2] == SKY and mask[0, 0] == SKY
    assert stats["coverage"] == pytest.approx((36 - 12) / 36)


def test_a_later_object_paints_into_an_earlier_hole(resolver):
    road = AnnotatedObject(
        "road", "o1", vertices=box_to_polygon(0, 0, 4, 4), holes=[box_to_polygon(1, 1, 3, 3)]
    )
    sky = AnnotatedObject("sky", "o2", vertices=box_to_polygon(1, 1, 2, 2))
    mask, _ = _mask(resolver, [road, sky], width=4, height=4)
    expected = np.array([[3, 3, 3, 3], [3, 6, 0, 3], [3, 0, 0, 3], [3, 3, 3, 3]])
    np.testing.assert_array_equal(mask, expected)
