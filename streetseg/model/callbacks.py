"""Training callbacks: progress lines, a wall-time budget, the loss's fine-tune phase and early
stopping on val mIoU."""

from __future__ import annotations

import time

import keras

from streetseg.common.defaults import default


class EpochProgress(keras.callbacks.Callback):
    """A progress line per epoch, with elapsed time, throughput, the minutes left of a time
    budget of ``budget_minutes`` and the epoch's metrics; the epoch's seconds and images/s
    also go into the logs that the history table records."""

    def __init__(self, epochs: int, n_train: int, log, budget_minutes: float | None = None):
        super().__init__()
        self.epochs, self.n_train, self.log = epochs, n_train, log
        self.budget_minutes = budget_minutes
        self.started = time.perf_counter()
        self.epoch_started = self.started

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.epoch_started
        rate = self.n_train / max(seconds, 1e-9)
        figures = " ".join(f"{k}={v:.4f}" for k, v in sorted((logs or {}).items()))
        total = time.perf_counter() - self.started
        left = ""
        if self.budget_minutes:
            remaining = max(self.budget_minutes - total / 60, 0)
            left = f", {remaining:.1f} of {self.budget_minutes:g} min left"
        self.log(
            f"epoch {epoch + 1}/{self.epochs} {seconds:.1f}s ({rate:.1f} img/s, total "
            f"{total:.0f}s{left}) {figures}"
        )
        # Keras hands every callback the same logs: the history table (CSVLogger, after this
        # callback) gets the epoch's wall time and throughput, validation included.
        if logs is not None:
            logs["seconds"] = seconds
            logs["images_per_second"] = rate


class TimeBudget(keras.callbacks.Callback):
    """Stop training before an epoch that would end past ``minutes`` of wall time.

    The estimate of an epoch's time is the mean of the epochs so far, the first left out
    once others are timed (it also traces the graph), validation included, so the budget
    holds to within the spread of epoch times. Used for equal-time comparisons, CPU-hour
    limits and a demo that takes as long on any machine. A schedule handed to
    :meth:`follow` is re-planned after each epoch to reach zero at the last epoch that fits.
    """

    def __init__(self, minutes: float, log=print):
        super().__init__()
        self.seconds, self.log = minutes * 60.0, log
        self.schedule = None
        # The epochs the budget allows in all, as judged after the last epoch (None before).
        self.planned_epochs = None

    def follow(self, schedule, epochs: int, steps_per_epoch: int) -> None:
        """Fit ``schedule`` (a :class:`~streetseg.model.schedules.BudgetedCosine`) to the
        epochs that the budget allows, at most ``epochs``."""
        self.schedule, self.epochs, self.steps_per_epoch = schedule, epochs, steps_per_epoch

    def on_train_begin(self, logs=None):
        self.started, self.durations, self.announced = time.perf_counter(), [], False

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        self.durations.append(now - self.epoch_started)
        elapsed = now - self.started
        timed = self.durations[1:] or self.durations
        estimate = sum(timed) / len(timed)
        fits = int((self.seconds - elapsed) // estimate) if estimate > 0 else 0
        self.planned_epochs = epoch + 1 + max(fits, 0)
        if fits < 1:
            self.log(
                f"stopping after epoch {epoch + 1}: {elapsed / 60:.1f} min used, another epoch "
                f"would pass the time budget of {self.seconds / 60:g} min"
            )
            self.model.stop_training = True
        elif self.schedule is not None:
            # The epochs that fit from here on (this run's clock; a resumed run replans).
            last = min(self.epochs, epoch + 1 + fits)
            self.schedule.plan(last * self.steps_per_epoch)
            if not self.announced:
                self.log(
                    f"time budget: the learning rate decays to zero at epoch {last} "
                    "(replanned each epoch)"
                )
            self.announced = True


class LossPhase(keras.callbacks.Callback):
    """Switch on the Lovász-softmax term of the model's SegmentationLoss as a fine-tune phase:
    from the first epoch at or past ``start`` (train.loss.lovasz_from) of the planned epochs.

    The planned epochs are ``epochs``, or fewer where a :class:`TimeBudget` handed as
    ``budget`` judges that only fewer fit, so the phase keeps its share of a time-limited run.
    Once on, the term stays on. The epoch Keras reports counts from the first epoch of the
    run, a resumed one included, so a resumed run switches at the same epoch.
    """

    def __init__(self, start: float, epochs: int, log=print, budget: TimeBudget | None = None):
        super().__init__()
        self.start, self.epochs, self.log, self.budget = start, epochs, log, budget

    def on_epoch_begin(self, epoch, logs=None):
        active = self.model.loss.lovasz_active
        if float(keras.ops.convert_to_numpy(active)) > 0:
            return
        planned = self.epochs
        if self.budget is not None and self.budget.planned_epochs:
            planned = min(planned, self.budget.planned_epochs)
        if epoch >= self.start * planned:
            active.assign(1.0)
            self.log(
                f"epoch {epoch + 1}: the Lovász-softmax term is on from here "
                f"(train.loss.lovasz_from {self.start:g} of {planned} planned epochs)"
            )


def early_stopping(
    patience: int, min_delta: float = default("train.early_stopping.min_delta")
) -> keras.callbacks.EarlyStopping:
    """Stop when val mIoU has not improved by ``min_delta`` for ``patience`` epochs.

    The best checkpoint by val mIoU is kept by the checkpoint callback, so weights are not
    restored here.
    """
    return keras.callbacks.EarlyStopping(
        monitor="val_miou", mode="max", patience=patience, min_delta=min_delta, verbose=1
    )


class _SwapAtEpochEnd(keras.callbacks.Callback):
    """Swap the model's weights with the optimizer's moving averages at each epoch's end."""

    def __init__(self, swapper: keras.callbacks.SwapEMAWeights):
        super().__init__()
        self.swapper = swapper

    def on_epoch_end(self, epoch, logs=None):
        self.swapper._swap_variables()


def install_weight_averaging(callbacks: list) -> None:
    """Validate, checkpoint and save the exponential moving average of the weights
    (``train.ema``: the optimizer's ``use_ema``) instead of the raw weights.

    Keras' SwapEMAWeights, first in ``callbacks``, swaps the averages in for fit()'s own
    validation. Another swap first at each epoch's end puts them in the model for the
    whole-image twin, the history and the best checkpoint, and a last one, just before the
    backup (the resumable state), puts the raw weights back, so that the backup holds the
    raw weights in the model and the averages in the optimizer, as training left them.
    """
    swapper = keras.callbacks.SwapEMAWeights(swap_on_epoch=False)
    backup = next(
        i for i, c in enumerate(callbacks) if isinstance(c, keras.callbacks.BackupAndRestore)
    )
    callbacks.insert(backup, _SwapAtEpochEnd(swapper))
    callbacks.insert(0, _SwapAtEpochEnd(swapper))
    callbacks.insert(0, swapper)
