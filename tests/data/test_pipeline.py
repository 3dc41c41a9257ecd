"""The tf.data pipeline: augmentation moves image and mask together."""

import numpy as np
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
