"""The training loss: class-weighted cross-entropy, optionally focal, plus an optional Dice term."""

from __future__ import annotations

import keras
from keras import ops

from streetseg.labels.classes import IGNORE_LABEL


@keras.saving.register_keras_serializable(package="streetseg")
class SegmentationLoss(keras.losses.Loss):
    """Per-pixel loss for class-probability maps against integer masks (255 = ignored).

    Each labelled pixel costs ``w[y] * (1 - p_y) ** focal_gamma * -log(p_y)``: plain
    cross-entropy with ``focal_gamma=0`` and no ``class_weights``, Lin et al.'s focal loss
    with ``focal_gamma > 0``. With ``dice_weight > 0`` the batch's soft Dice loss,
    ``1 - mean_c (2 |P_c * T_c| + 1) / (|P_c| + |T_c| + 1)`` over the labelled pixels, is
    added to every pixel, so the mean over pixels gains exactly ``dice_weight`` times it.
    Ignored pixels are masked out: the mean runs over labelled pixels only.
    """

    def __init__(
        self,
        num_classes: int,
        class_weights: list[float] | None = None,
        focal_gamma: float = 0.0,
        dice_weight: float = 0.0,
        name: str = "segmentation_loss",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.num_classes = int(num_classes)
        self.class_weights = [float(w) for w in class_weights] if class_weights else None
        self.focal_gamma = float(focal_gamma)
        self.dice_weight = float(dice_weight)

    def call(self, y_true, y_pred):
        labels = ops.cast(y_true, "int32")
        if len(labels.shape) == len(y_pred.shape):
            labels = ops.squeeze(labels, axis=-1)
        valid = ops.not_equal(labels, IGNORE_LABEL)
        labels = ops.where(valid, labels, ops.zeros_like(labels))
        probabilities = ops.clip(ops.cast(y_pred, "float32"), 1e-7, 1.0)
        truth = ops.one_hot(labels, self.num_classes, dtype="float32")
        true_probability = ops.sum(probabilities * truth, axis=-1)
        losses = -ops.log(true_probability)
        if self.focal_gamma:
            losses = losses * ops.power(1.0 - true_probability, self.focal_gamma)
        if self.class_weights:
            losses = losses * ops.take(ops.convert_to_tensor(self.class_weights), labels)
        if self.dice_weight:
            losses = losses + self.dice_weight * soft_dice_loss(probabilities, truth, valid)
        # Keras averages the returned values over all pixels; scaling the labelled ones by
        # all / labelled makes that the mean over labelled pixels (as Keras' ignore_class does).
        labelled = ops.cast(valid, "float32")
        scale = ops.cast(ops.size(labelled), "float32") / ops.maximum(ops.sum(labelled), 1.0)
        return losses * labelled * scale

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "class_weights": self.class_weights,
            "focal_gamma": self.focal_gamma,
            "dice_weight": self.dice_weight,
        }


def soft_dice_loss(probabilities, truth, valid, smooth: float = 1.0):
    """1 - the mean over classes of the soft Dice coefficient over the batch's labelled pixels."""
    weight = ops.expand_dims(ops.cast(valid, "float32"), -1)
    axes = tuple(range(len(truth.shape) - 1))
    intersection = ops.sum(probabilities * truth * weight, axis=axes)
    total = ops.sum(probabilities * weight, axis=axes) + ops.sum(truth * weight, axis=axes)
    return 1.0 - ops.mean((2.0 * intersection + smooth) / (total + smooth))
