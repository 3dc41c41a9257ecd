"""Rasterisation under the pixel-centre convention, checked against hand-worked cases."""

import numpy as np

from streetseg.labels.rasterize import box_to_polygon, rasterize


def test_box_from_origin_to_two_covers_exactly_four_pixels():
    mask = rasterize([(1, box_to_polygon(0, 0, 2, 2))], 4, 4)
    expected = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(mask, expected)


def test_triangle_includes_only_pixels_whose_centres_are_inside():
    # Centres (c + .5, r + .5) are inside x + y < 4 when c + r < 3; centres on the
    # hypotenuse (c + r = 3) lie on a right edge and are outside.
    mask = rasterize([(3, np.array([[0, 0], [4, 0], [0, 4]]))], 4, 4)
    expected = np.array([[3, 3, 3, 0], [3, 3, 0, 0], [3, 0, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(mask, expected)


def test_fractional_box_takes_pixels_by_centre():
    # x from 0.6 to 2.4 contains centres 1.5 only... and 0.5 < 0.6, 2.5 > 2.4.
    mask = rasterize([(1, box_to_polygon(0.6, 0.4, 2.4, 1.6))], 4, 3)
    expected = np.array([[0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(mask, expected)


def test_shapes_outside_the_image_are_clipped_without_moving_vertices():
    # The hypotenuse of this triangle is the line x + y = 2. Clamping the vertices into the
    # image would move it; exact clipping keeps it, so only the centre (0.5, 0.5) is inside.
    triangle = np.array([[-10.0, -10.0], [12.0, -10.0], [-10.0, 12.0]])
    mask = rasterize([(2, triangle)], 3, 3)
    expected = np.array([[2, 0, 0], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(mask, expected)


def test_adjacent_polygons_share_an_edge_without_gap_or_overlap():
    left = np.array([[0, 0], [2.5, 0], [1.5, 4], [0, 4]])
    right = np.array([[2.5, 0], [5, 0], [5, 4], [1.5, 4]])
    first = rasterize([(1, left)], 5, 4)
    second = rasterize([(2, right)], 5, 4)
    assert not np.any((first > 0) & (second > 0))
    assert np.all((first > 0) | (second > 0))


def test_later_objects_are_painted_on_top():
    mask = rasterize([(1, box_to_polygon(0, 0, 4, 4)), (2, box_to_polygon(1, 1, 3, 3))], 4, 4)
    assert mask[0, 0] == 1 and mask[1, 1] == 2 and mask[2, 2] == 2 and mask[3, 3] == 1


def test_mask_has_no_blended_ids_at_boundaries():
    rng = np.random.default_rng(0)
    shapes = [(cid, rng.uniform(-5, 45, size=(7, 2))) for cid in (3, 5, 7)]
    mask = rasterize(shapes, 40, 30)
    assert set(np.unique(mask)) <= {0, 3, 5, 7}


def test_concave_polygon_leaves_its_notch_empty():
    # A "U" shape: the notch between x = 1 and x = 3 above y = 2 stays background.
    u_shape = np.array([[0, 0], [1, 0], [1, 2], [3, 2], [3, 0], [4, 0], [4, 4], [0, 4]])
    mask = rasterize([(1, u_shape)], 4, 4)
    expected = np.array([[1, 0, 0, 1], [1, 0, 0, 1], [1, 1, 1, 1], [1, 1, 1, 1]])
    np.testing.assert_array_equal(mask, expected)
