"""Issue 5's quality levers: loss terms, augmentation alignment, schedule stops, encoders."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from streetseg.model.losses import SegmentationLoss

# Two labelled pixels (class 0 at p=0.8, class 1 at p=0.6) and one ignored pixel.
TRUTH = np.array([[[0, 1, 255]]])
PROBABILITIES = np.array([[[[0.8, 0.2], [0.4, 0.6], [0.5, 0.5]]]], np.float32)
CE = (-math.log(0.8) - math.log(0.6)) / 2


def loss_value(truth=TRUTH, probabilities=PROBABILITIES, **options):
    return float(SegmentationLoss(2, **options)(truth, probabilities))


def test_plain_loss_is_keras_cross_entropy_over_labelled_pixels():
    assert loss_value() == pytest.approx(CE, rel=1e-5)
    keras_loss = keras.losses.SparseCategoricalCrossentropy(ignore_class=255)
    assert loss_value() == pytest.approx(float(keras_loss(TRUTH, PROBABILITIES)), rel=1e-5)
    # What the ignored pixel predicts does not matter.
    changed = PROBABILITIES.copy()
    changed[..., 2, :] = [0.99, 0.01]
    assert loss_value(probabilities=changed) == pytest.approx(CE, rel=1e-5)


def test_class_weights_and_focal_term_on_hand_worked_values():
    weighted = (1 * -math.log(0.8) + 3 * -math.log(0.6)) / 2
    assert loss_value(class_weights=[1.0, 3.0]) == pytest.approx(weighted, rel=1e-5)
    focal = (0.2**2 * -math.log(0.8) + 0.4**2 * -math.log(0.6)) / 2
    assert loss_value(focal_gamma=2.0) == pytest.approx(focal, rel=1e-5)


def test_dice_term_adds_the_batch_soft_dice_loss():
    # Class 0: intersection 0.8, |P| 1.2, |T| 1 -> (1.6 + 1) / (2.2 + 1); class 1: 0.6, 0.8, 1
    # -> (1.2 + 1) / (1.8 + 1). The ignored pixel is left out of both.
    dice = 1 - ((2.6 / 3.2) + (2.2 / 2.8)) / 2
    assert loss_value(dice_weight=0.5) == pytest.approx(CE + 0.5 * dice, rel=1e-5)
    perfect = np.array([[[[1, 0], [0, 1], [0.5, 0.5]]]], np.float32)
    assert loss_value(probabilities=perfect, dice_weight=1.0) == pytest.approx(0.0, abs=1e-5)


def test_loss_survives_a_model_save_and_load(tmp_path):
    inputs = keras.Input((1, 3, 2))
    model = keras.Model(inputs, keras.layers.Softmax()(inputs))
    model.compile(loss=SegmentationLoss(2, [1.0, 2.0], focal_gamma=1.0, dice_weight=0.3))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.loss.get_config() == model.loss.get_config()


def test_augmentation_moves_image_and_mask_together():
    from streetseg.data.pipeline import augment_pair

    # An asymmetric pattern of 8x8 blocks whose grey level encodes the class id, so every
    # crop, zoom and flip must keep image value == 20 * mask away from block borders.
    rng = np.random.default_rng(0)
    blocks = rng.integers(0, 10, size=(8, 12))
    mask = np.kron(blocks, np.ones((8, 8), int))[..., None]
    image = np.repeat(mask * 20.0, 3, axis=-1).astype(np.float32)
    tf.random.set_seed(3)
    flipped_views = 0
    for _ in range(20):
        out_image, out_mask = augment_pair(
            tf.constant(image), tf.constant(mask, tf.int32), (48, 72),
            {"flip": True, "min_scale": 0.5, "color_jitter": 0.0},
        )  # fmt: skip
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


class _Counter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1


def _fit(callbacks, val_miou=None, epochs=10):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    counter = _Counter()
    scores = iter(val_miou or [])

    class FakeScore(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_miou"] = next(scores)

    extra = [FakeScore()] if val_miou else []
    data = np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32)
    model.fit(*data, epochs=epochs, verbose=0, callbacks=[*extra, *callbacks, counter])
    return counter.epochs


def test_early_stopping_stops_after_patience_epochs_without_a_better_val_miou():
    from streetseg.model.callbacks import early_stopping

    scores = [0.1, 0.3, 0.5, 0.49, 0.5, 0.45, 0.6, 0.7, 0.8, 0.9]
    assert _fit([early_stopping(patience=3)], scores) == 6
    assert _fit([early_stopping(patience=5)], scores) == 10


def test_time_budget_stops_before_an_epoch_would_pass_it(monkeypatch):
    from streetseg.model import callbacks

    clock = iter(range(0, 1000, 60))  # every call advances one minute
    monkeypatch.setattr(callbacks.time, "perf_counter", lambda: float(next(clock)))
    messages = []
    # Train begins at minute 1; epochs end at 2, 3, 4: after the third, 3 + 1 min > 3.5 min.
    assert _fit([callbacks.TimeBudget(3.5, messages.append)]) == 3
    assert "time budget of 3.5 min" in messages[0]


def test_encoder_unet_builds_and_loads_a_local_weights_file(tmp_path):
    from streetseg.model.encoders import build_backbone, build_encoder_unet

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
    from streetseg.model.encoders import build_backbone
    from streetseg.model.unet import build_model

    with pytest.raises(FileNotFoundError, match="missing.weights.h5"):
        build_backbone("mobilenet_v2", (64, 64), str(tmp_path / "missing.weights.h5"))
    other = tmp_path / "other.weights.h5"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save_weights(other)
    with pytest.raises(ValueError, match="other.weights.h5"):
        build_backbone("mobilenet_v2", (64, 64), str(other))
    with pytest.raises(ValueError, match="divisible by 32"):
        build_model((48, 64), 3, encoder="mobilenet_v2")
