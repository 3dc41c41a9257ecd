"""The U-Net: per-pixel probabilities of every class, an input size that fits its depth, and
the separable and lighter-decoder variants on hand-counted weights."""

import keras
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


def _kinds(model) -> dict[str, str]:
    return {layer.name: type(layer).__name__ for layer in model.layers if "_conv" in layer.name}


# Weights of build_unet((8, 8), 2, depth=1, base_filters=4, dropout 0, no batch norm), by layer.
# conv: down0 3->4 (9*3*4 + 4 = 112), 4->4 (9*16 + 4 = 148); bottleneck 4->8 (9*32 + 8 = 296),
# 8->8 (9*64 + 8 = 584); up0_tconv 8->4 (2*2*8*4 + 4 = 132); up0 8->4 (9*32 + 4 = 292),
# 4->4 (148); probabilities 4->2 (8 + 2 = 10). Total 1722.
# separable (depthwise 9*in + pointwise in*out + bias; the first, on RGB, stays full): 112,
# 36 + 16 + 4 = 56; 36 + 32 + 8 = 76, 72 + 64 + 8 = 144; 132; 72 + 32 + 4 = 108, 56; 10.
# Total 694; with one decoder convolution, 694 - 56 = 638. A stride-2 stem 3->4 (112) makes
# down0's first convolution 4->4 (148): 1722 + 148 = 1870.
@pytest.mark.parametrize(
    ("options", "parameters"),
    [
        ({}, 1722),
        ({"block": "separable"}, 694),
        ({"block": "separable", "decoder_convs": 1}, 638),
        ({"decoder_convs": 1}, 1722 - 148),
        ({"stem_stride": 2}, 1870),
    ],
)
def test_block_and_decoder_convs_on_hand_counted_weights(options, parameters):
    model = build_unet(
        (8, 8), 2, depth=1, base_filters=4, dropout_rate=0, batch_norm=False, **options
    )
    assert model.count_params() == parameters


def test_separable_unet_keeps_the_first_convolution_full_and_saves(tmp_path):
    model = build_unet((16, 16), 3, depth=2, base_filters=4, block="separable", decoder_convs=1)
    kinds = _kinds(model)
    assert kinds.pop("down0_conv1") == "Conv2D"
    assert set(kinds.values()) == {"SeparableConv2D"}
    assert "up0_conv2" not in kinds and "down0_conv2" in kinds
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    images = np.random.default_rng(1).uniform(0, 255, (1, 16, 16, 3)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0))


def test_a_stride_2_stem_runs_the_unet_at_half_size_and_answers_at_full_size():
    model = build_unet((16, 24), 3, depth=2, base_filters=4, stem_stride=2)
    assert model.get_layer("down0_conv1").output.shape[1:3] == (8, 12)
    output = model.predict(np.zeros((1, 16, 24, 3), np.float32), verbose=0)
    assert output.shape == (1, 16, 24, 3)
    with pytest.raises(ValueError, match="divisible by 8 on both sides \\(depth 2, stem_stride 2"):
        build_unet((12, 24), 3, depth=2, stem_stride=2)
