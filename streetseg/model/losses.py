"""The training loss: class-weighted cross-entropy, optionally focal and restricted to the
hardest pixels (OHEM), plus optional Dice and Lovász-softmax terms over the batch."""

from __future__ import annotations

import keras
from keras import ops

from streetseg.common.defaults import defaults
from streetseg.labels.classes import IGNORE_LABEL

LOSS = defaults("train.loss")


@keras.saving.register_keras_serializable(package="streetseg")
class SegmentationLoss(keras.losses.Loss):
    """Per-pixel loss for class-probability maps against integer masks (255 = ignored).

    Each labelled pixel costs ``w[y] * (1 - p_y) ** focal_gamma * -log(p_y)``: plain
    cross-entropy with ``focal_gamma=0`` and no ``class_weights``, Lin et al.'s focal loss
    with ``focal_gamma > 0``. With ``0 < ohem_fraction < 1`` only the hardest pixels count
    (online hard-example mining, :func:`hardest_pixels`). Ignored pixels are masked out: the
    mean runs over the labelled (or kept) pixels only.

    Two terms over the whole batch are added to that mean: ``dice_weight`` times the soft
    Dice loss, ``1 - mean_c (2 |P_c * T_c| + 1) / (|P_c| + |T_c| + 1)`` over the labelled
    pixels, and ``lovasz_weight`` times the Lovász-softmax loss (:func:`lovasz_softmax`). The
    Lovász term is on from the start with ``lovasz_from=0``; otherwise it waits for
    ``lovasz_active`` (a non-trainable variable, 0 until
    streetseg.model.callbacks.LossPhase sets it to 1) and costs nothing before.
    """

    def __init__(
        self,
        num_classes: int,
        class_weights: list[float] | None = None,
        focal_gamma: float = LOSS["focal_gamma"],
        dice_weight: float = LOSS["dice_weight"],
        lovasz_weight: float = LOSS["lovasz_weight"],
        lovasz_from: float = LOSS["lovasz_from"],
        ohem_fraction: float = LOSS["ohem_fraction"],
        name: str = "segmentation_loss",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.num_classes = int(num_classes)
        self.class_weights = [float(w) for w in class_weights] if class_weights else None
        self.focal_gamma = float(focal_gamma)
        self.dice_weight = float(dice_weight)
        self.lovasz_weight = float(lovasz_weight)
        self.lovasz_from = float(lovasz_from)
        self.ohem_fraction = float(ohem_fraction)
        self.lovasz_active = None
        if self.lovasz_weight and self.lovasz_from:
            self.lovasz_active = keras.Variable(
                0.0, dtype="float32", trainable=False, name="lovasz_active"
            )

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
        counted = valid
        if 0.0 < self.ohem_fraction < 1.0:
            counted = hardest_pixels(losses, valid, self.ohem_fraction)
        batch_terms = ops.zeros((), "float32")
        if self.dice_weight:
            batch_terms += self.dice_weight * soft_dice_loss(probabilities, truth, valid)
        if self.lovasz_weight:
            batch_terms += self.lovasz_weight * self._lovasz(probabilities, truth, valid)
        # Keras averages the returned values over all pixels; scaling the counted ones by
        # all / counted makes that the mean over counted pixels (as Keras' ignore_class does),
        # and a batch term added to each of them adds exactly itself to the mean.
        counted = ops.cast(counted, "float32")
        scale = ops.cast(ops.size(counted), "float32") / ops.maximum(ops.sum(counted), 1.0)
        return (losses + batch_terms) * counted * scale

    def _lovasz(self, probabilities, truth, valid):
        """The Lovász-softmax loss, or 0 while ``lovasz_active`` is 0 (then not computed)."""
        if self.lovasz_active is None:
            return lovasz_softmax(probabilities, truth, valid)
        return ops.cond(
            ops.greater(self.lovasz_active, 0.0),
            lambda: lovasz_softmax(probabilities, truth, valid),
            lambda: ops.zeros((), "float32"),
        )

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "class_weights": self.class_weights,
            "focal_gamma": self.focal_gamma,
            "dice_weight": self.dice_weight,
            "lovasz_weight": self.lovasz_weight,
            "lovasz_from": self.lovasz_from,
            "ohem_fraction": self.ohem_fraction,
        }


def soft_dice_loss(probabilities, truth, valid, smooth: float = 1.0):
    """1 - the mean over classes of the soft Dice coefficient over the batch's labelled pixels."""
    weight = ops.expand_dims(ops.cast(valid, "float32"), -1)
    axes = tuple(range(len(truth.shape) - 1))
    intersection = ops.sum(probabilities * truth * weight, axis=axes)
    total = ops.sum(probabilities * weight, axis=axes) + ops.sum(truth * weight, axis=axes)
    return 1.0 - ops.mean((2.0 * intersection + smooth) / (total + smooth))


def lovasz_softmax(probabilities, truth, valid):
    """Berman et al.'s Lovász-softmax loss over the batch's labelled pixels, "present" classes.

    As lovasz_softmax_flat of the reference implementation (bermanmaxim/LovaszSoftmax): for
    each class c, the errors ``|[y = c] - p_c|`` of the labelled pixels sorted in decreasing
    order are weighted by the steps of the Jaccard loss ``1 - |fg - prefix| / |fg + prefix|``
    along that order (the gradient of its Lovász extension); the loss is the mean over the
    classes that occur in the batch's truth. Ignored pixels sort last with error 0, so they
    neither count nor enter the prefix of a labelled pixel.
    """
    classes = truth.shape[-1]
    labelled = ops.reshape(ops.cast(valid, "float32"), (-1, 1))
    foreground = ops.transpose(ops.reshape(truth, (-1, classes)) * labelled)
    errors = ops.transpose(
        ops.abs(ops.reshape(truth, (-1, classes)) - ops.reshape(probabilities, (-1, classes)))
        * labelled
    )
    # Descending order of the errors, ignored pixels (key -1) after every labelled one.
    order = ops.argsort(-(errors - ops.transpose(1.0 - labelled)), axis=-1)
    errors = ops.take_along_axis(errors, order, axis=-1)
    foreground = ops.take_along_axis(foreground, order, axis=-1)
    total = ops.sum(foreground, axis=-1, keepdims=True)
    intersection = total - ops.cumsum(foreground, axis=-1)
    union = total + ops.cumsum(1.0 - foreground, axis=-1)
    jaccard = 1.0 - intersection / union
    steps = ops.concatenate([jaccard[:, :1], jaccard[:, 1:] - jaccard[:, :-1]], axis=-1)
    per_class = ops.sum(errors * ops.stop_gradient(steps), axis=-1)
    present = ops.cast(ops.greater(total[:, 0], 0.0), "float32")
    return ops.sum(per_class * present) / ops.maximum(ops.sum(present), 1.0)


def hardest_pixels(losses, valid, fraction: float):
    """The labelled pixels whose loss is among the highest ``fraction`` of the batch's.

    ``k = ceil(fraction * labelled pixels)`` (at least 1) pixels are kept: those whose loss
    is at least the k-th highest labelled loss, so ties at that value are all kept.
    """
    flat = ops.reshape(ops.where(valid, losses, -ops.ones_like(losses)), (-1,))
    labelled = ops.cast(ops.sum(ops.cast(valid, "int32")), "float32")
    k = ops.maximum(ops.cast(ops.ceil(fraction * labelled), "int32"), 1)
    threshold = ops.take(-ops.sort(-flat), k - 1)
    return ops.logical_and(valid, ops.greater_equal(losses, ops.stop_gradient(threshold)))
