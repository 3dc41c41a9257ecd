"""What training optimises and reports: class weights, Adam or AdamW (with a moving average
of the weights), the segmentation loss and mean IoU, compiled into the model."""

from __future__ import annotations

import math
import statistics

import keras

from streetseg.common.defaults import defaults
from streetseg.labels.classes import IGNORE_LABEL
from streetseg.model.losses import SegmentationLoss

TRAIN = defaults("train")


def class_weights(counts: list[int], method: str, max_weight: float = 50.0) -> list[float] | None:
    """Per-class loss weights from pixel counts, or None for unweighted training.

    ``median_frequency`` is SegNet's median-frequency balancing, median(f) / f_c;
    ``inverse_sqrt`` is 1 / sqrt(f_c), milder. Both are normalised so that the average pixel
    weighs 1, classes with no pixels get weight 0, and weights are capped at ``max_weight``.
    """
    if method == "none":
        return None
    total = sum(counts)
    frequency = [count / total if total else 0.0 for count in counts]
    present = sorted(f for f in frequency if f > 0)
    if not present:
        return None
    if method == "median_frequency":
        median = statistics.median(present)
        raw = [median / f if f > 0 else 0.0 for f in frequency]
    elif method == "inverse_sqrt":
        raw = [1 / math.sqrt(f) if f > 0 else 0.0 for f in frequency]
    else:
        raise ValueError(
            f"unknown class weighting {method!r}; use none, median_frequency or inverse_sqrt"
        )
    mean = sum(f * w for f, w in zip(frequency, raw))
    return [min(w / mean, max_weight) for w in raw]


def mean_iou_metric(num_classes: int):
    """Keras' dataset-level mean IoU: a confusion matrix accumulated over the whole epoch.

    Classes absent from both truth and prediction are left out of the mean, and pixels
    labelled 255 are ignored.
    """
    return keras.metrics.MeanIoU(
        num_classes=num_classes, name="miou", ignore_class=IGNORE_LABEL, sparse_y_pred=False
    )


def make_optimizer(
    learning_rate,
    weight_decay: float = TRAIN["weight_decay"],
    ema: float = TRAIN["ema"],
):
    """Adam, or AdamW with decoupled ``weight_decay`` (biases and batch-norm scales and
    offsets excluded, as usual), keeping an exponential moving average of the weights with
    momentum ``ema`` when it is above 0 (Keras' ``use_ema``; streetseg.model.callbacks
    swaps it in for validation and the saved model)."""
    averaging = {"use_ema": True, "ema_momentum": ema} if ema else {}
    if not weight_decay:
        return keras.optimizers.Adam(learning_rate, **averaging)
    optimizer = keras.optimizers.AdamW(learning_rate, weight_decay=weight_decay, **averaging)
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    return optimizer


def compile_model(
    model,
    num_classes: int,
    learning_rate,
    loss: dict | None = None,
    class_weights=None,
    optimizer: dict | None = None,
    jit_compile: bool = False,
):
    """Adam or AdamW (``optimizer``: :func:`make_optimizer`'s options), the segmentation loss
    (cross-entropy skipping ignored pixels, class weights, and the optional focal and Dice
    terms of ``loss``) and mean IoU; ``jit_compile`` compiles the steps with XLA."""
    model.compile(
        optimizer=make_optimizer(learning_rate, **(optimizer or {})),
        loss=SegmentationLoss(num_classes, class_weights, **(loss or {})),
        metrics=[mean_iou_metric(num_classes)],
        jit_compile=jit_compile,
    )
    return model
