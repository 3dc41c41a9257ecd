"""The segmentation loss on hand-worked values: cross-entropy over labelled pixels, class
weights, the focal, Dice and Lovász-softmax terms, hard-example mining, a training step in
the graph and a save and load of a model compiled with it."""

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
    loss = SegmentationLoss(
        2, [1.0, 2.0], focal_gamma=1.0, dice_weight=0.3, lovasz_weight=0.5, lovasz_from=0.8
    )
    model.compile(loss=loss)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.loss.get_config() == model.loss.get_config()


# Four labelled pixels (classes 0, 0, 1, 1) and one ignored pixel, p(class 0) given, two classes.
TRUTH_4 = np.array([[[0, 0, 1, 1, 255]]])
P0 = np.array([0.9, 0.4, 0.3, 0.2, 0.0], np.float32)
PROBABILITIES_4 = np.stack([P0, 1 - P0], axis=-1)[None, None]
# True-class probabilities 0.9, 0.4, 0.7, 0.8.
CE_4 = -(math.log(0.9) + math.log(0.4) + math.log(0.7) + math.log(0.8)) / 4
# Class 0: foreground pixels 1, 2; errors |fg - p0| = 0.1, 0.6, 0.3, 0.2. In decreasing
# order 0.6 (fg), 0.3, 0.2, 0.1 (fg); |fg| = 2. Jaccard loss of each prefix, 1 - I / U:
# {0.6}: I = 2 - 1, U = 2 + 0 -> 1/2; +0.3: I 1, U 3 -> 2/3; +0.2: I 1, U 4 -> 3/4;
# +0.1: I 0, U 4 -> 1. Steps 1/2, 1/6, 1/12, 1/4: 0.3 + 0.05 + 1/60 + 0.025 = 47/120.
# Class 1: the same errors in the same order, now fg at 0.3 and 0.2: {0.6}: I 2, U 3 -> 1/3;
# +0.3: I 1, U 3 -> 2/3; +0.2: I 0, U 3 -> 1; +0.1: I 0, U 4 -> 1. Steps 1/3, 1/3, 1/3, 0:
# 1.1 / 3 = 44/120. Mean over the two present classes: 91/240.
LOVASZ_4 = 91 / 240


def test_lovasz_term_on_a_hand_worked_batch():
    value = loss_value(TRUTH_4, PROBABILITIES_4, lovasz_weight=1.0)
    assert value == pytest.approx(CE_4 + LOVASZ_4, rel=1e-5)
    # Whatever the ignored pixel predicts, it neither counts nor moves the others' order.
    changed = PROBABILITIES_4.copy()
    changed[..., 4, :] = [1.0, 0.0]
    value = loss_value(TRUTH_4, changed, lovasz_weight=0.5)
    assert value == pytest.approx(CE_4 + 0.5 * LOVASZ_4, rel=1e-5)


def test_lovasz_averages_only_the_classes_present_in_the_truth():
    # Only class 0 present (pixels 1, 2 of class 0, 3 ignored): errors 0.1, 0.6, |fg| = 2;
    # {0.6}: 1 - 1/2; +0.1: 1 - 0/2 -> steps 1/2, 1/2: 0.35. Class 1 is left out, not 0.
    truth = np.array([[[0, 0, 255]]])
    probabilities = np.array([[[[0.9, 0.1], [0.4, 0.6], [0.5, 0.5]]]], np.float32)
    ce = -(math.log(0.9) + math.log(0.4)) / 2
    value = loss_value(truth, probabilities, lovasz_weight=1.0)
    assert value == pytest.approx(ce + 0.35, rel=1e-5)


def test_lovasz_waits_for_its_phase_when_lovasz_from_is_set():
    loss = SegmentationLoss(2, lovasz_weight=1.0, lovasz_from=0.5)
    assert float(loss(TRUTH_4, PROBABILITIES_4)) == pytest.approx(CE_4, rel=1e-5)
    loss.lovasz_active.assign(1.0)
    assert float(loss(TRUTH_4, PROBABILITIES_4)) == pytest.approx(CE_4 + LOVASZ_4, rel=1e-5)
    assert SegmentationLoss(2, lovasz_weight=1.0).lovasz_active is None


def test_ohem_keeps_the_hardest_share_of_the_labelled_pixels():
    # Pixel losses -log 0.9, -log 0.4, -log 0.7, -log 0.8; the ignored pixel (p_true 0)
    # would be the hardest but never counts. 0.5 of 4 -> the 2 hardest: 0.4 and 0.7.
    hardest_two = -(math.log(0.4) + math.log(0.7)) / 2
    assert loss_value(TRUTH_4, PROBABILITIES_4, ohem_fraction=0.5) == pytest.approx(
        hardest_two, rel=1e-5
    )
    # ceil(0.3 * 4) = 2 as well; 0.25 of 4 keeps 1; 0 and 1 keep every labelled pixel.
    assert loss_value(TRUTH_4, PROBABILITIES_4, ohem_fraction=0.3) == pytest.approx(
        hardest_two, rel=1e-5
    )
    value = loss_value(TRUTH_4, PROBABILITIES_4, ohem_fraction=0.25)
    assert value == pytest.approx(-math.log(0.4), rel=1e-5)
    for off in (0.0, 1.0):
        value = loss_value(TRUTH_4, PROBABILITIES_4, ohem_fraction=off)
        assert value == pytest.approx(CE_4, rel=1e-5)
    # Class weights rank the weighted losses: class 1 x4 makes -4 log 0.7 (1.43) the hardest.
    value = loss_value(TRUTH_4, PROBABILITIES_4, class_weights=[1.0, 4.0], ohem_fraction=0.25)
    assert value == pytest.approx(-4 * math.log(0.7), rel=1e-5)
    # The batch terms still cover every labelled pixel: the Lovász term is added unchanged.
    value = loss_value(TRUTH_4, PROBABILITIES_4, ohem_fraction=0.5, lovasz_weight=1.0)
    assert value == pytest.approx(hardest_two + LOVASZ_4, rel=1e-5)


@pytest.mark.parametrize("lovasz_from", [0.0, 0.5])
def test_every_term_trains_in_the_graph(lovasz_from):
    inputs = keras.Input((1, 5, 2))
    model = keras.Model(inputs, keras.layers.Softmax()(keras.layers.Dense(2)(inputs)))
    loss = SegmentationLoss(
        2, dice_weight=0.5, lovasz_weight=1.0, lovasz_from=lovasz_from, ohem_fraction=0.5
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    features = np.log(PROBABILITIES_4.clip(1e-3)).astype(np.float32)
    history = model.fit(features, TRUTH_4, epochs=3, verbose=0).history["loss"]
    if loss.lovasz_active is not None:
        # The switch reaches the traced step: the same weights now cost the Lovász term more.
        loss.lovasz_active.assign(1.0)
        history += model.fit(features, TRUTH_4, epochs=1, verbose=0).history["loss"]
        assert history[-1] > history[-2] + 0.1
    assert all(math.isfinite(value) for value in history) and history[2] < history[0]
