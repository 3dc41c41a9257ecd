"""Learning-rate schedules: Keras' cosine decay, or one whose length follows a time budget.

With ``train.time_limit_minutes`` the number of epochs that fit is known only once epochs
have been timed, so a cosine planned over ``train.epochs`` would be cut off at a high rate
on a slow machine. :class:`BudgetedCosine` decays over a length that
:class:`~streetseg.model.callbacks.TimeBudget` re-plans after every epoch, so the rate
reaches zero as the budget runs out, on any machine.
"""

from __future__ import annotations

import math

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable("streetseg")
class BudgetedCosine(keras.optimizers.schedules.LearningRateSchedule):
    """A linear warm-up to ``peak`` over ``warmup_steps``, then a cosine decay to zero at
    ``total_steps``, which :meth:`plan` may change while training runs. With a fixed
    length it equals ``keras.optimizers.schedules.CosineDecay`` with the same warm-up."""

    def __init__(self, peak: float, total_steps: int, warmup_steps: int = 0):
        self.peak, self.warmup_steps = float(peak), int(warmup_steps)
        self.total_steps = tf.Variable(float(total_steps), trainable=False, dtype=tf.float32)

    def plan(self, total_steps: int) -> None:
        """Decay to zero at ``total_steps`` from now on."""
        self.total_steps.assign(float(max(total_steps, self.warmup_steps + 1)))

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        warmup = float(self.warmup_steps)
        decay_length = tf.maximum(self.total_steps - warmup, 1.0)
        progress = tf.clip_by_value((step - warmup) / decay_length, 0.0, 1.0)
        decayed = 0.5 * self.peak * (1.0 + tf.cos(math.pi * progress))
        if not self.warmup_steps:
            return decayed
        return tf.where(step < warmup, self.peak * step / warmup, decayed)

    def get_config(self) -> dict:
        return {
            "peak": self.peak,
            "total_steps": int(self.total_steps.numpy()),
            "warmup_steps": self.warmup_steps,
        }


def learning_rate_schedule(
    learning_rate: float,
    schedule: str,
    total_steps: int,
    warmup_steps: int,
    budgeted: bool = False,
):
    """A constant rate, or a cosine decay to zero after a linear warm-up to the peak: Keras'
    own, or with ``budgeted`` one whose length a time budget re-plans."""
    if schedule == "constant":
        return learning_rate
    warmup_steps = min(warmup_steps, max(total_steps - 1, 0))
    if budgeted:
        return BudgetedCosine(learning_rate, total_steps, warmup_steps)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup_steps else learning_rate,
        decay_steps=max(total_steps - warmup_steps, 1),
        warmup_target=learning_rate if warmup_steps else None,
        warmup_steps=warmup_steps,
    )
