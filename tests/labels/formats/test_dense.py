"""Dense label PNGs: 16-bit and palette index masks, index maps with void values, RGBA colour
masks."""

import numpy as np
from PIL import Image

from streetseg.labels.annotations import detect_format
from tests.helpers.format_writers import write_png16


def test_index_png_16_bit_and_palette(image, mask_of, tmp_path):
    values = np.array([[0, 1, 2, 3, 4, 5]] * 4, dtype=np.uint16)
    write_png16(tmp_path / "labels16.png", values)
    assert detect_format(tmp_path / "labels16.png") == "index_png"
    np.testing.assert_array_equal(mask_of(tmp_path / "labels16.png", image), values)
    palette = Image.fromarray(values.astype(np.uint8)[::-1].copy(), mode="P")
    palette.putpalette([255, 0, 0] * 256)
    palette.save(tmp_path / "pal.png")
    np.testing.assert_array_equal(mask_of(tmp_path / "pal.png", image), values[::-1])


def test_index_map_with_void_and_unknown_values_under_ignore(image, mask_of, tmp_path):
    values = np.array([[0, 1, 11, 11, 9, 9]] * 4, dtype=np.uint8)
    Image.fromarray(values, mode="L").save(tmp_path / "camvid.png")
    labels = {"index_map": {0: "sky", 1: "building", 11: "ignore"}, "unknown": "ignore"}
    mask = mask_of(tmp_path / "camvid.png", image, labels=labels)
    np.testing.assert_array_equal(mask[0], [6, 5, 255, 255, 255, 255])


def test_rgba_colour_mask_treats_transparent_pixels_as_unlabelled(image, mask_of, tmp_path):
    pixels = np.zeros((4, 6, 4), dtype=np.uint8)
    pixels[:, :3] = (128, 64, 128, 255)  # road
    pixels[:, 3:] = (1, 2, 3, 0)  # transparent, any colour
    Image.fromarray(pixels).save(tmp_path / "rgba.png")
    mask = mask_of(tmp_path / "rgba.png", image)
    np.testing.assert_array_equal(mask[0], [3, 3, 3, 255, 255, 255])
