"""What training optimises: the mIoU metric, class weights, AdamW's weight decay and the
moving average of the weights, on hand-worked cases."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from streetseg.model.compiling import class_weights, make_optimizer, mean_iou_metric


def test_training_metric_accumulates_a_confusion_matrix_and_skips_absent_and_ignored():
    # Truth [0, 0, 1, 255] against predictions [0, 1, 1, 2]: the ignored pixel does not count,
    # class 2 never appears in truth or (non-ignored) prediction, so IoU(0) = 1/2, IoU(1) = 1/2
    # and the mean is 0.5 over two classes, not 1/3 over three.
    metric = mean_iou_metric(3)
    truth = np.array([[0, 0, 1, 255]])
    prediction = np.eye(3)[[[0, 1, 1, 2]]].astype(np.float32)
    metric.update_state(truth[:, :2], prediction[:, :2])
    metric.update_state(truth[:, 2:], prediction[:, 2:])
    assert float(metric.result()) == pytest.approx(0.5)


def test_class_weights_on_a_hand_worked_case():
    # Frequencies 0.5, 0.25, 0.25, 0: median of the present ones is 0.25, so raw weights are
    # 0.5, 1, 1 (absent class 0); the mean pixel weight 0.5*0.5 + 0.25 + 0.25 = 0.75 -> /0.75.
    weights = class_weights([50, 25, 25, 0], "median_frequency")
    assert weights == pytest.approx([0.5 / 0.75, 1 / 0.75, 1 / 0.75, 0.0])
    # inverse_sqrt: 1/sqrt(.5), 2, 2 with mean .5*1.414+.25*2+.25*2 = 1.7071.
    weights = class_weights([50, 25, 25, 0], "inverse_sqrt")
    assert weights == pytest.approx([1.41421 / 1.70711, 2 / 1.70711, 2 / 1.70711, 0.0], rel=1e-4)
    assert class_weights([1, 2], "none") is None


def test_adamw_shrinks_kernels_by_rate_times_decay_and_leaves_biases_alone():
    # A zero gradient moves nothing under Adam (0 / (sqrt(0) + eps) = 0), so one AdamW step
    # leaves only the decoupled decay: w - rate * decay * w = 2 - 0.1 * 0.5 * 2 = 1.9.
    kernel = keras.Variable(np.array([2.0], "float32"), name="kernel")
    bias = keras.Variable(np.array([2.0], "float32"), name="bias")
    optimizer = make_optimizer(0.1, weight_decay=0.5)
    assert isinstance(optimizer, keras.optimizers.AdamW)
    zero = np.zeros(1, "float32")
    optimizer.apply_gradients([(zero, kernel), (zero, bias)])
    assert float(kernel.numpy()[0]) == pytest.approx(1.9)
    assert float(bias.numpy()[0]) == pytest.approx(2.0)
    assert type(make_optimizer(0.1)) is keras.optimizers.Adam


def test_the_moving_average_of_the_weights_follows_its_momentum():
    # Adam's first steps under a constant gradient move a weight by exactly the rate (the
    # bias-corrected m / sqrt(v) is 1): w = 1 - 0.1, then 1 - 0.2. Keras' average copies the
    # weight after the first step (0.9), then 0.5 * 0.9 + 0.5 * 0.8 = 0.85.
    weight = keras.Variable(np.array([1.0], "float32"), name="kernel")
    optimizer = make_optimizer(0.1, ema=0.5)
    one = np.ones(1, "float32")
    for _ in range(2):
        optimizer.apply_gradients([(one, weight)])
    assert float(weight.numpy()[0]) == pytest.approx(0.8, abs=1e-5)
    average = optimizer._model_variables_moving_average[0]
    assert float(average.numpy()[0]) == pytest.approx(0.85, abs=1e-5)
