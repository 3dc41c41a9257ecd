"""Preemption-safe training: state saved every epoch, SIGTERM handled, resumption on rerun.

A SLURM time limit, a preemption or a spot-instance reclaim sends SIGTERM. Training then
stops at once and exits non-zero, keeping the state of the last finished epoch (weights,
optimizer state including the learning-rate step, the epoch number, the history so far and
the best checkpoint). Rerunning the rule resumes after that epoch; no epoch is repeated or
skipped. The state lives in ``train_state/`` beside the model and is removed when training
finishes. A state written for other settings or other shards is discarded, not resumed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import shutil
import signal
from pathlib import Path

import keras
import pandas as pd


class TrainingInterrupted(Exception):
    """Raised inside training when the process receives SIGTERM."""


class StopOnSignal(keras.callbacks.Callback):
    """Stops training at the next safe point after SIGTERM.

    The signal handler only records the signal; this callback raises
    :class:`TrainingInterrupted` at the end of the next train or validation batch, or at the
    end of the epoch. It must come last among the callbacks, so that an epoch's history row,
    best checkpoint and backup are always written whole: a signal that arrives while they are
    being saved waits for them instead of leaving a truncated file behind.
    """

    def __init__(self):
        super().__init__()
        self.received = None

    def handle(self, signum, frame):
        self.received = signum

    def check(self, *_args, **_kwargs):
        if self.received is not None:
            raise TrainingInterrupted(f"received signal {self.received}")

    on_train_batch_end = on_test_batch_end = on_epoch_end = check


@contextlib.contextmanager
def stop_on_sigterm():
    """Within the block, SIGTERM is recorded by the :class:`StopOnSignal` callback it yields."""
    stopper = StopOnSignal()
    previous = signal.signal(signal.SIGTERM, stopper.handle)
    try:
        yield stopper
    finally:
        signal.signal(signal.SIGTERM, previous)


def fingerprint(settings: dict, shard_paths: list[str]) -> str:
    """A digest of the training settings and the shards' names and sizes."""
    shards = [(Path(p).name, Path(p).stat().st_size) for p in shard_paths]
    text = json.dumps({"settings": settings, "shards": shards}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _epoch_of(metadata: Path) -> int | None:
    """The epoch recorded in a Keras backup's metadata file, or None if it cannot be read."""
    try:
        return int(json.loads(metadata.read_text())["epoch"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class TrainingState:
    """The folder where an interrupted run keeps what it needs to resume."""

    def __init__(self, directory: str | Path, digest: str, log=print):
        self.directory = Path(directory)
        marker = self.directory / "fingerprint"
        if self.directory.exists() and (not marker.exists() or marker.read_text() != digest):
            log(f"discarding {self.directory}: it was written for other settings or data")
            shutil.rmtree(self.directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        marker.write_text(digest)
        self.backup_dir = self.directory / "backup"
        self.history_path = self.directory / "history.csv"
        self.best_path = self.directory / "best.keras"
        self._repair(log)

    def _repair(self, log) -> None:
        """Fall back to the previous backup, or start afresh, when the latest one is unreadable.

        A SIGKILL (after a scheduler's grace period) can cut a backup write short; Keras falls
        back to its previous copy only for unreadable weights, not for a truncated epoch file.
        """
        metadata = self.backup_dir / "training_metadata.json"
        if not metadata.exists() or _epoch_of(metadata) is not None:
            return
        previous = Path(f"{metadata}.bkp")
        weights = self.backup_dir / "latest.weights.h5"
        if _epoch_of(previous) is not None and Path(f"{weights}.bkp").exists():
            log(f"{metadata} is unreadable; resuming from the previous backup instead")
            shutil.copyfile(f"{weights}.bkp", weights)
            shutil.copyfile(previous, metadata)
        else:
            log(f"{metadata} is unreadable and there is no previous backup; starting afresh")
            shutil.rmtree(self.backup_dir)

    def completed_epochs(self) -> int:
        """How many epochs the saved state holds (0 for a fresh start)."""
        metadata = self.backup_dir / "training_metadata.json"
        return (_epoch_of(metadata) or 0) if metadata.exists() else 0

    def history(self) -> pd.DataFrame:
        """The per-epoch log so far, one row per epoch (a repeated epoch keeps its last row)."""
        if not self.history_path.exists() or self.history_path.stat().st_size == 0:
            return pd.DataFrame()
        table = pd.read_csv(self.history_path)
        return table.drop_duplicates("epoch", keep="last").sort_values("epoch")

    def best_score(self) -> float | None:
        """The best val mIoU of the epochs done so far, so that a resumed run keeps its best."""
        table = self.history()
        if "val_miou" not in table or table["val_miou"].dropna().empty:
            return None
        return float(table["val_miou"].max())

    def callbacks(self, validate: bool) -> list:
        """History log, best checkpoint, then the backup: the backup is the commit point."""
        callbacks = [keras.callbacks.CSVLogger(str(self.history_path), append=True)]
        if validate:
            best = self.best_score()
            callbacks.append(
                keras.callbacks.ModelCheckpoint(
                    self.best_path, monitor="val_miou", mode="max", save_best_only=True,
                    initial_value_threshold=-math.inf if best is None else best,
                )
            )  # fmt: skip
        callbacks.append(
            keras.callbacks.BackupAndRestore(
                str(self.backup_dir), save_freq="epoch", delete_checkpoint=False, double_checkpoint=True
            )
        )
        return callbacks

    def finish(self) -> None:
        """Remove the state once the final outputs are written."""
        shutil.rmtree(self.directory, ignore_errors=True)
