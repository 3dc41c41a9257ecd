"""The U-Net: per-pixel probabilities of every class, and an input size that fits its depth."""

import numpy as np
import pytest

from streetseg.model.unet import build_unet


def test_unet_outputs_per_pixel_probabilities_of_every_class():
    model = build_unet((32, 48), num_classes=8, depth=3, base_filters=4)
    output = model.predict(np.zeros((2, 32, 48, 3), np.float32), verbose=0)
    assert output.shape == (2, 32, 48, 8)
    np.testing.assert_allclose(output.sum(axis=-1), 1.0, atol=1e-4)


def test_image_size_must_fit_the_depth():
    with pytest.raises(ValueError, match="divisible by 16 on both sides \\(depth 4\\)"):
        build_unet((40, 48), num_classes=3, depth=4)
