"""The segmentation loss on hand-worked values: cross-entropy over labelled pixels, class
weights, the focal and Dice terms, and a save and load of a model compiled with it."""

import math

import keras
import numpy as np
import pytest

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
