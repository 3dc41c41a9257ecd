"""Multi-scale test-time augmentation: the photo at 0.75, 1 and 1.25 of the model's input
size, each output resized back and averaged, with the same weights at every size; refused
for a SavedModel, whose signature fixes one size."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from tests.helpers import REPO
from tests.helpers.models import unet_model


def test_scaled_sizes_round_to_the_models_down_sampling():
    from streetseg.inference.tta import scaled_size

    assert scaled_size((192, 256), 0.75, 16) == (144, 192)
    assert scaled_size((192, 256), 1.25, 16) == (240, 320)
    # 0.75 x 64 = 48 is 1.5 strides of 32: rounded to 2 strides (64); never under one stride.
    assert scaled_size((64, 64), 0.75, 32) == (64, 64)
    assert scaled_size((64, 64), 0.1, 16) == (16, 16)


def test_a_scale_that_rounds_to_a_size_already_there_counts_once():
    from streetseg.inference.tta import scaled_sizes

    assert scaled_sizes((192, 256), "flip_multiscale", 16) == [(144, 192), (192, 256), (240, 320)]
    # 0.75 and 1.25 of 64 both round to 64 at stride 32: the input size alone.
    assert scaled_sizes((64, 64), "multiscale", 32) == [(64, 64)]
    assert scaled_sizes((192, 256), "flip", 16) == [(192, 256)]


def test_the_schema_offers_exactly_the_modes_the_segmenter_knows():
    from streetseg.inference.tta import MODES

    schema = yaml.safe_load((REPO / "schemas" / "config.schema.yaml").read_text())
    assert schema["properties"]["predict"]["properties"]["tta"]["enum"] == list(MODES)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return unet_model(tmp_path_factory.mktemp("ms") / "unet.keras")


def test_multiscale_is_the_mean_of_the_model_built_at_each_scale_resized_back(model_path):
    import keras
    import tensorflow as tf

    from streetseg.inference.segmenter import Segmenter
    from streetseg.inference.tta import input_stride
    from streetseg.model.unet import build_unet

    model = keras.models.load_model(model_path, compile=False)
    # Depth 2: two halvings, so the sides must be multiples of 4.
    assert input_stride(model) == 4
    batch = np.random.default_rng(3).uniform(0, 255, (2, 64, 64, 3)).astype(np.float32)
    outputs = []
    for side in (48, 64, 80):  # 0.75, 1 and 1.25 of 64
        # The same architecture built for that size, with the trained weights.
        sized = build_unet((side, side), num_classes=3, depth=2, base_filters=4)
        sized.set_weights(model.get_weights())
        resized = tf.image.resize(batch, (side, side)) if side != 64 else batch
        output = sized(resized, training=False)
        outputs.append(tf.image.resize(output, (64, 64)).numpy() if side != 64 else output)
    expected = np.mean(outputs, axis=0)
    plain = model(batch, training=False).numpy()
    assert np.abs(expected - plain).max() > 0.01  # the scales change the answer
    scaled = Segmenter(model_path, tta="multiscale").probabilities(batch)
    np.testing.assert_allclose(scaled, expected, atol=1e-5)
    # With flip, each scale's output is itself the mean with the mirror image's.
    both = Segmenter(model_path, tta="flip_multiscale").probabilities(batch)
    mirrored = Segmenter(model_path, tta="multiscale").probabilities(batch[:, :, ::-1].copy())
    np.testing.assert_allclose(both, (scaled + mirrored[:, :, ::-1]) / 2, atol=1e-5)


def test_an_encoder_unet_without_dropout_is_rebuilt_at_each_scale(tmp_path):
    # The backbone's coarsest map (stride 32) lies inside the nested keras.applications
    # model; without dropout nothing outside it has that size.
    import keras
    import tensorflow as tf

    from streetseg.inference.segmenter import Segmenter
    from streetseg.inference.tta import input_stride
    from streetseg.model.encoders import build_encoder_unet

    keras.utils.set_random_seed(0)
    model = build_encoder_unet((128, 160), 3, "mobilenet_v2", dropout_rate=0.0, base_filters=4)
    model.save(tmp_path / "encoder.keras")
    assert input_stride(model) == 32
    batch = np.random.default_rng(4).uniform(0, 255, (1, 128, 160, 3)).astype(np.float32)
    outputs = []
    for size in ((96, 128), (128, 160), (160, 192)):  # 0.75, 1, 1.25, to multiples of 32
        sized = build_encoder_unet(size, 3, "mobilenet_v2", dropout_rate=0.0, base_filters=4)
        sized.set_weights(model.get_weights())
        output = sized(tf.image.resize(batch, size), training=False)
        outputs.append(tf.image.resize(output, (128, 160)).numpy())
    scaled = Segmenter(tmp_path / "encoder.keras", tta="multiscale").probabilities(batch)
    np.testing.assert_allclose(scaled, np.mean(outputs, axis=0), atol=1e-4)


def test_each_mode_keeps_its_results_apart(model_path):
    from streetseg.inference.segmenter import model_id, results_id

    suffixes = {
        tta: results_id(model_path, tta)[len(model_id(model_path)) :]
        for tta in ("none", "flip", "multiscale", "flip_multiscale")
    }
    assert suffixes == {
        "none": "",
        "flip": "-flip",
        "multiscale": "-ms",
        "flip_multiscale": "-flip-ms",
    }


def test_a_savedmodel_refuses_other_scales_naming_the_folder(tmp_path):
    from streetseg.inference.segmenter import ModelError, Segmenter

    folder = tmp_path / "saved_model"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"graph")
    with pytest.raises(ModelError, match=rf"{folder}: an exported SavedModel takes one input"):
        Segmenter(folder, tta="multiscale")
