"""Training on random crops (``train.augment.crop_size``) with a whole-image twin.

The models are built with a fixed input shape, and the saved model must take whole images at
``train.image_size`` (the segmenter reads its input size from the file). So a run with a crop
size builds two models of the same architecture: one at the crop size, which fit() trains, and
its twin at ``image_size``. After each epoch the twin takes the trained weights (set_weights:
the same layers in the same order, since one builder makes both) and scores the whole val
images; its loss and mIoU become the epoch's ``val_loss`` and ``val_miou``, which the
history, the best checkpoint, early stopping and the progress lines read as they would after
fit()'s own validation. At the end the twin takes the best checkpoint's weights and is what
gets saved. The train pipeline cuts the crops (streetseg.data.pipeline.crop_pair).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import keras

from streetseg.model.preflight import check_crop_size


def build_models(build, settings, data, strategy, log):
    """The model fit() trains and its :class:`WholeImageValidation` twin, or None without a
    crop size. ``build(settings, data, strategy, log, size)`` builds and compiles one model
    (streetseg.model.training.build_compiled_model); ``settings`` are TrainSettings."""
    crop = settings.augment.crop_size
    if not crop:
        return build(settings, data, strategy, log, settings.image_size), None
    check_crop_size(crop, settings.image_size, settings.model_options())
    height, width = settings.image_size
    log(
        f"training on random {crop[0]}x{crop[1]} crops of the {height}x{width} input; "
        f"validating and saving a twin at {height}x{width}"
    )
    whole = build(settings, data, strategy, lambda _: None, settings.image_size)
    return build(settings, data, strategy, log, tuple(crop)), WholeImageValidation(whole)


class WholeImageValidation(keras.callbacks.Callback):
    """Validation of the crop-trained model on whole images, through its twin ``whole``."""

    def __init__(self, whole: keras.Model):
        super().__init__()
        self.whole, self.val, self.steps = whole, None, None

    def install(self, callbacks: list, data):
        """Put this callback first (before every callback that reads ``val_*`` or times the
        epoch: the time budget counts validation) and return ``data`` (a TrainingData) without
        the val set, which fit() cannot run on the crop-size model."""
        self.val, self.steps = data.val, data.validation_steps
        callbacks.insert(0, self)
        return dataclasses.replace(data, val=None)

    def on_epoch_end(self, epoch, logs=None):
        if self.val is None:
            return
        self.whole.set_weights(self.model.get_weights())
        scores = self.whole.evaluate(self.val, steps=self.steps, verbose=0, return_dict=True)
        if logs is not None:
            logs.update({f"val_{name}": value for name, value in scores.items()})

    def whole_model(self, best_path: Path) -> keras.Model:
        """The twin with the best checkpoint's weights, also written over that checkpoint
        (which fit() saved from the crop-size model); without a checkpoint (no val set), the
        twin with the last epoch's weights."""
        if not best_path.exists():
            self.whole.set_weights(self.model.get_weights())
            return self.whole
        # Loaded without compiling: the twin's own optimizer never stepped, so load_weights
        # would warn that the checkpoint's optimizer state does not fit it.
        best = keras.models.load_model(best_path, compile=False)
        self.whole.set_weights(best.get_weights())
        # Keras wants a .keras suffix on the temporary file too.
        partial = best_path.with_name(f".partial-{best_path.name}")
        self.whole.save(partial)
        os.replace(partial, best_path)
        return self.whole
