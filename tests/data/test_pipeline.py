"""The tf.data pipeline: augmentation moves image and mask together."""

import numpy as np
import pytest
import tensorflow as tf

from streetseg.data.pipeline import augment_pair


def test_augmentation_moves_image_and_mask_together():
    # An asymmetric pattern of 8x8 blocks whose grey level encodes the class id, so every
    # crop, zoom and flip must keep image value == 20 * mask away from block borders.
    rng = np.random.default_rng(0)
    blocks = rng.integers(0, 10, size=(8, 12))
    mask = np.kron(blocks, np.ones((8, 8), int))[..., None]
    image = np.repeat(mask * 20.0, 3, axis=-1).astype(np.float32)
    tf.random.set_seed(3)
    flipped_views = 0
    for _ in range(20):
        options = {"flip": True, "min_scale": 0.5, "color_jitter": 0.0}
        pair = tf.constant(image), tf.constant(mask, tf.int32)
        out_image, out_mask = augment_pair(*pair, (48, 72), options)
        labels = out_mask.numpy()[..., 0]
        agree = np.abs(out_image.numpy()[..., 0] - 20 * labels) < 1
        # Bilinear resizing blends the image across block borders, so compare the pixels
        # more than two pixels away from any border of the mask.
        padded = np.pad(labels, 2, mode="edge")
        window = np.lib.stride_tricks.sliding_window_view(padded, (5, 5))
        interior = (window == labels[..., None, None]).all(axis=(-1, -2))
        assert interior.mean() > 0.2
        assert agree[interior].mean() > 0.99
        flipped_views += int(out_mask.numpy()[0, 0, 0] != mask[0, 0, 0])
    assert flipped_views > 0  # the flips and crops did move things


def _position_shard(tmp_path):
    """One record of 12x12 whose pixels say where they are: red = row, green = column, and
    mask = 12 * row + column, so any window of it can be located and checked exactly."""
    from PIL import Image

    from streetseg.data.shards import write_shards

    rows, columns = np.mgrid[0:12, 0:12]
    image = np.stack([rows, columns, np.full_like(rows, 7)], axis=-1).astype(np.uint8)
    Image.fromarray(image).save(tmp_path / "p.png")
    Image.fromarray((12 * rows + columns).astype(np.uint8)).save(tmp_path / "p_mask.png")
    shard = str(tmp_path / "train-00000-of-00001.tfrecord")
    write_shards(
        {"p": (str(tmp_path / "p.png"), str(tmp_path / "p_mask.png"))}, [shard], log=lambda *_: None
    )
    return shard


def test_crops_are_unresized_windows_of_the_input_with_their_masks(tmp_path):
    from streetseg.data.pipeline import load_dataset

    shard = _position_shard(tmp_path)
    tf.random.set_seed(5)
    for flip in (False, True):
        # min_scale 1: the whole image, resized to its own 12x12 (unchanged), then a 4x6 crop.
        options = {"flip": flip, "min_scale": 1.0, "color_jitter": 0.0, "crop_size": [4, 6]}
        corners, flips = set(), 0
        for image, mask in load_dataset([shard], (12, 12), 1, options, repeat=True).take(12):
            image, mask = image.numpy()[0], mask.numpy()[0]
            assert image.shape == (4, 6, 3) and mask.shape == (4, 6)
            top, left = int(image[0, :, 0].min()), int(image[:, :, 1].min())
            # Rows top..top+3 down the crop, columns left..left+5 across it (right to left when
            # flipped), unblended; the blue channel is untouched.
            np.testing.assert_array_equal(image[:, 0, 0], np.arange(top, top + 4))
            across = np.arange(left, left + 6)
            mirrored = bool(image[0, 0, 1] > image[0, 1, 1])
            np.testing.assert_array_equal(image[0, :, 1], across[::-1] if mirrored else across)
            flips += mirrored
            assert (image[..., 2] == 7).all()
            # The mask moved with the image: each pixel's class id is 12 * row + column.
            np.testing.assert_array_equal(mask, 12 * image[..., 0] + image[..., 1])
            corners.add((top, left))
        assert len(corners) > 1  # the window moves
        assert (flips > 0) == flip


def test_zooming_out_puts_the_image_on_a_larger_canvas_whose_mask_is_ignored():
    # A 4x4 photo of grey 100 and class 1, at side fraction 2 (min = max = 2): an 8x8 canvas
    # with the photo somewhere on it, resized back to 4x4. Nearest-neighbour sampling takes
    # every other canvas pixel, and any 4 consecutive canvas rows (or columns) hold exactly 2
    # sampled ones, so 2x2 = 4 pixels keep class 1 and the other 12 are ignored (255).
    image = tf.fill([4, 4, 3], 100.0)
    mask = tf.ones([4, 4, 1], tf.int32)
    options = {"flip": False, "min_scale": 2.0, "max_scale": 2.0, "color_jitter": 0.0}
    tf.random.set_seed(1)
    positions = set()
    for _ in range(12):
        out_image, out_mask = augment_pair(image, mask, (4, 4), options)
        labels = out_mask.numpy()[..., 0]
        assert (labels == 1).sum() == 4 and (labels == 255).sum() == 12
        # The photo stays grey and the canvas is black: bilinear resizing averages 2x2 blocks
        # of canvas pixels, so one across the photo's edge gives 50, across a corner 25.
        grey = out_image.numpy()[..., 0]
        assert (grey[labels == 1] >= 25 - 1e-3).all() and (grey[labels == 255] <= 50 + 1e-3).all()
        assert grey.max() == pytest.approx(100) and grey.min() == pytest.approx(0)
        rows, columns = np.nonzero(labels == 1)
        assert rows.max() - rows.min() == 1 and columns.max() - columns.min() == 1
        positions.add((int(rows.min()), int(columns.min())))
    assert len(positions) > 1  # the photo lands at random places on the canvas


def test_without_max_scale_no_pixel_is_ignored():
    image = tf.fill([8, 8, 3], 100.0)
    mask = tf.ones([8, 8, 1], tf.int32)
    options = {"flip": True, "min_scale": 0.5, "max_scale": 1.0, "color_jitter": 0.0}
    for _ in range(5):
        _, out_mask = augment_pair(image, mask, (8, 8), options)
        assert (out_mask.numpy() == 1).all()
