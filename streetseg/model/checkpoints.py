"""Preemption-safe training: state saved every epoch, SIGTERM handled, resumption on rerun.

A SLURM time limit, a preemption or a spot-instance reclaim sends SIGTERM. Training then
stops at the next batch end (:class:`StopOnSignal`) and exits with 143, keeping the state of
the last finished epoch (weights, optimizer state including the learning-rate step, the
epoch number, the history so far and the best checkpoint). Rerunning the rule resumes after
that epoch; no epoch is repeated or skipped. The state lives in ``train_state/`` beside the
model and is removed when training finishes. A state written for other settings or other
shards is discarded, not resumed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import shutil
import signal
import zipfile
from pathlib import Path

import h5py
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


# Settings left out of the state's fingerprint, so that a rerun with other values resumes:
# the early stopping and time budget decide when training stops, not what an epoch computes.
# num_classes has never been part of it (a new class table rewrites the masks and shards).
# jit_compile changes how a step runs, not what it computes.
NOT_FINGERPRINTED = ("num_classes", "early_stopping", "time_limit_minutes", "jit_compile")


def fingerprint(settings, shard_paths: list[str]) -> str:
    """A digest of the training settings (a streetseg.model.settings.TrainSettings, less
    :data:`NOT_FINGERPRINTED`) and the shards' names and sizes."""
    fields = {
        name: value
        for name, value in dataclasses.asdict(settings).items()
        if name not in NOT_FINGERPRINTED
    }
    shards = [(Path(p).name, Path(p).stat().st_size) for p in shard_paths]
    text = json.dumps({"settings": fields, "shards": shards}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _epoch_of(metadata: Path) -> int | None:
    """The epoch recorded in a Keras backup's metadata file, or None if it cannot be read."""
    try:
        return int(json.loads(metadata.read_text())["epoch"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _backup_readable(metadata: Path, weights: Path) -> bool:
    """Whether a Keras backup (epoch file and weights) can be read back in full."""
    if _epoch_of(metadata) is None or not weights.is_file():
        return False
    try:
        with h5py.File(weights, "r") as handle:
            handle.visititems(
                lambda _name, item: item[()] if isinstance(item, h5py.Dataset) else None
            )
    except (OSError, KeyError, ValueError):
        return False
    return True


def _keras_file_readable(path: Path) -> bool:
    """Whether a .keras file (a zip archive) is complete and its members' checksums hold."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (OSError, zipfile.BadZipFile):
        return False


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
        """Make a state cut short by SIGKILL (after a scheduler's grace period) resumable.

        SIGTERM never interrupts a write (see :class:`StopOnSignal`), but SIGKILL can:
        - a history row without its newline is dropped, so the next row starts a line;
        - a truncated best checkpoint is removed, so the next epoch writes a new one;
        - a backup whose weights or epoch file cannot be read falls back to the previous
          backup, or the run starts afresh. Keras itself falls back only for unreadable
          weights, and only when a previous copy exists.
        """
        if self.history_path.exists():
            text = self.history_path.read_bytes()
            if text and not text.endswith(b"\n"):
                self.history_path.write_bytes(text[: text.rfind(b"\n") + 1])
        if self.best_path.exists() and not _keras_file_readable(self.best_path):
            log(f"{self.best_path} is truncated; removed, the next epoch writes a new one")
            self.best_path.unlink()
        metadata = self.backup_dir / "training_metadata.json"
        weights = self.backup_dir / "latest.weights.h5"
        if not (metadata.exists() or weights.exists()) or _backup_readable(metadata, weights):
            return
        previous, previous_weights = Path(f"{metadata}.bkp"), Path(f"{weights}.bkp")
        if _backup_readable(previous, previous_weights):
            log(
                f"the backup in {self.backup_dir} is unreadable; resuming from the previous "
                "backup instead"
            )
            shutil.copyfile(previous_weights, weights)
            shutil.copyfile(previous, metadata)
        else:
            log(
                f"the backup in {self.backup_dir} is unreadable and there is no previous "
                "backup; starting afresh"
            )
            shutil.rmtree(self.backup_dir)

    def completed_epochs(self) -> int:
        """How many epochs the saved state holds (0 for a fresh start)."""
        return _epoch_of(self.backup_dir / "training_metadata.json") or 0

    def history(self) -> pd.DataFrame:
        """The per-epoch log so far, one row per epoch (a repeated epoch keeps its last row)."""
        if not self.history_path.exists() or self.history_path.stat().st_size == 0:
            return pd.DataFrame()
        table = pd.read_csv(self.history_path)
        return table.drop_duplicates("epoch", keep="last").sort_values("epoch")

    def best_score(self) -> float | None:
        """The best val mIoU of the epochs done so far, so that a resumed run keeps its best
        (None when there is no best checkpoint to keep)."""
        table = self.history()
        if not self.best_path.exists():
            return None
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
                    self.best_path,
                    monitor="val_miou",
                    mode="max",
                    save_best_only=True,
                    initial_value_threshold=-math.inf if best is None else best,
                )
            )
        callbacks.append(
            keras.callbacks.BackupAndRestore(
                str(self.backup_dir),
                save_freq="epoch",
                delete_checkpoint=False,
                double_checkpoint=True,
            )
        )
        return callbacks

    def finish(self) -> None:
        """Remove the state once the final outputs are written."""
        shutil.rmtree(self.directory, ignore_errors=True)
