"""Training callbacks: progress lines, a wall-time budget and early stopping on val mIoU."""

from __future__ import annotations

import time

import keras


class EpochProgress(keras.callbacks.Callback):
    """A progress line per epoch, with elapsed time, throughput and the epoch's metrics."""

    def __init__(self, epochs: int, n_train: int, log):
        super().__init__()
        self.epochs, self.n_train, self.log = epochs, n_train, log
        self.started = time.perf_counter()
        self.epoch_started = self.started

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.epoch_started
        figures = " ".join(f"{k}={v:.4f}" for k, v in sorted((logs or {}).items()))
        self.log(
            f"epoch {epoch + 1}/{self.epochs} {seconds:.1f}s "
            f"({self.n_train / max(seconds, 1e-9):.1f} img/s, total "
            f"{time.perf_counter() - self.started:.0f}s) {figures}"
        )


class TimeBudget(keras.callbacks.Callback):
    """Stop training before an epoch that would end past ``minutes`` of wall time.

    The estimate is the mean epoch time so far (validation included), so the budget holds
    to within the spread of epoch times. Used for equal-time comparisons and CPU-hour limits.
    """

    def __init__(self, minutes: float, log=print):
        super().__init__()
        self.seconds, self.log = minutes * 60.0, log

    def on_train_begin(self, logs=None):
        self.started, self.epochs_done = time.perf_counter(), 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_done += 1
        elapsed = time.perf_counter() - self.started
        if elapsed + elapsed / self.epochs_done > self.seconds:
            self.log(
                f"stopping after epoch {epoch + 1}: {elapsed / 60:.1f} min used, another epoch "
                f"would pass the time budget of {self.seconds / 60:g} min"
            )
            self.model.stop_training = True


def early_stopping(patience: int, min_delta: float = 0.0) -> keras.callbacks.EarlyStopping:
    """Stop when val mIoU has not improved by ``min_delta`` for ``patience`` epochs.

    The best checkpoint by val mIoU is kept by the checkpoint callback, so weights are not
    restored here.
    """
    return keras.callbacks.EarlyStopping(
        monitor="val_miou", mode="max", patience=patience, min_delta=min_delta, verbose=1
    )
