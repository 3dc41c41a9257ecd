"""The mask stage: palette PNGs with class ids, name matching and clear refusals."""

import numpy as np
import pytest
from PIL import Image

from streetseg.annotations import AnnotationError
from streetseg.images import ImageError
from streetseg.masks import make_mask, read_mask


def test_mask_is_a_palette_png_holding_class_ids_and_colours(make_sample, tmp_path, classes):
    image, xml = make_sample(width=4, height=4)
    out = tmp_path / "out" / "scene.png"
    make_mask(xml, image, out, classes)
    with Image.open(out) as picture:
        assert picture.mode == "P"
        assert picture.getpalette()[3 * 6 : 3 * 6 + 3] == [70, 130, 180]  # sky's colour
    # Sky covers rows 0-1. The road triangle (0,4),(2,2),(4,4) spans x in [1.5, 2.5) on
    # row 2's centre line (y = 2.5) and [0.5, 3.5) on row 3's, so centres on its right edge
    # (2.5 and 3.5) stay out.
    expected = np.array([[6, 6, 6, 6], [6, 6, 6, 6], [0, 3, 0, 0], [3, 3, 3, 0]])
    np.testing.assert_array_equal(read_mask(out), expected)


def test_same_inputs_give_byte_identical_masks(make_sample, tmp_path, classes):
    image, xml = make_sample()
    make_mask(xml, image, tmp_path / "a.png", classes)
    make_mask(xml, image, tmp_path / "b.png", classes)
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_unknown_class_names_the_file_the_object_and_the_known_names(make_sample, tmp_path, classes):
    image, xml = make_sample(objects=[("sky", np.array([[0, 0], [4, 0], [4, 4]])), ("lamppost", np.array([[0, 0], [4, 0], [4, 4]]))])
    out = tmp_path / "mask.png"
    with pytest.raises(AnnotationError) as error:
        make_mask(xml, image, out, classes)
    message = str(error.value)
    assert str(xml) in message and "object 2 ('lamppost')" in message
    assert "background, tree, landscaping, road" in message
    assert not out.exists()


def test_unknown_policy_ignore_skips_and_aliases_map(make_sample, tmp_path, classes):
    square = np.array([[0, 0], [12, 0], [12, 8], [0, 8]])
    image, xml = make_sample(objects=[("vegetation", square), ("lamppost", square)])
    mask = make_mask(xml, image, tmp_path / "m.png", classes, labels={"aliases": {"Vegetation": "landscaping"}, "unknown": "ignore"})
    assert np.all(mask == 2)


def test_ignored_names_become_255(make_sample, tmp_path, classes):
    square = np.array([[0, 0], [12, 0], [12, 8], [0, 8]])
    image, xml = make_sample(objects=[("car", square)])
    mask = make_mask(xml, image, tmp_path / "m.png", classes, labels={"ignore": ["car"]})
    assert np.all(mask == 255)


def test_declared_size_must_match_the_image(make_sample, tmp_path, classes):
    image, xml = make_sample(width=12, height=8)
    Image.new("RGB", (13, 8)).save(image)
    with pytest.raises(AnnotationError, match="annotation size is 12x8 but the image .* is 13x8"):
        make_mask(xml, image, tmp_path / "m.png", classes)
    assert not (tmp_path / "m.png").exists()


def test_missing_and_corrupt_images_are_named(make_sample, tmp_path, classes):
    image, xml = make_sample()
    image.write_bytes(image.read_bytes()[:40])
    with pytest.raises(ImageError, match=f"{image}: cannot decode"):
        make_mask(xml, image, tmp_path / "m.png", classes)
    image.unlink()
    with pytest.raises(ImageError, match=f"{image}: image not found"):
        make_mask(xml, image, tmp_path / "m.png", classes)
