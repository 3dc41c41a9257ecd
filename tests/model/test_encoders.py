"""Pretrained encoders: a U-Net on MobileNetV2 loads a local weights file, and a missing or
foreign file is named."""

import keras
import numpy as np
import pytest

from streetseg.model.encoders import build_backbone, build_encoder_unet
from streetseg.model.unet import build_model


def test_encoder_unet_builds_and_loads_a_local_weights_file(tmp_path):
    keras.utils.set_random_seed(1)
    backbone = build_backbone("mobilenet_v2", (64, 96), None)
    weights_file = tmp_path / "mobilenet_v2.weights.h5"
    backbone.save_weights(weights_file)
    keras.utils.set_random_seed(2)
    model = build_encoder_unet((64, 96), 5, "mobilenet_v2", str(weights_file), base_filters=4)
    encoder = model.get_layer("mobilenet_v2_encoder")
    loaded = {w.path.split("/", 1)[-1]: w.numpy() for w in encoder.weights}
    saved = {w.path.split("/", 1)[-1]: w.numpy() for w in backbone.weights}
    assert loaded.keys() == saved.keys()
    assert all(np.array_equal(loaded[k], saved[k]) for k in saved)
    output = model.predict(np.zeros((1, 64, 96, 3), np.float32), verbose=0)
    assert output.shape == (1, 64, 96, 5)
    np.testing.assert_allclose(output.sum(-1), 1.0, atol=1e-4)
    # Random initialisation really differs, so the equality above came from the file.
    fresh = build_encoder_unet((64, 96), 5, "mobilenet_v2", None, base_filters=4)
    fresh_weights = [w.numpy() for w in fresh.get_layer("mobilenet_v2_encoder").weights]
    assert not all(np.array_equal(a, b) for a, b in zip(fresh_weights, saved.values()))


def test_encoder_weights_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.weights.h5"):
        build_backbone("mobilenet_v2", (64, 64), str(tmp_path / "missing.weights.h5"))
    other = tmp_path / "other.weights.h5"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save_weights(other)
    with pytest.raises(ValueError, match="other.weights.h5"):
        build_backbone("mobilenet_v2", (64, 64), str(other))
    with pytest.raises(ValueError, match="divisible by 32"):
        build_model((48, 64), 3, encoder="mobilenet_v2")
