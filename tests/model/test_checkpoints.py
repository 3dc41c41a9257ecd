"""Preemption: SIGTERM mid-training saves and exits non-zero; a rerun resumes and finishes. The
state's fingerprint, and the repair of what a kill mid-write leaves behind."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd

from streetseg.model.checkpoints import fingerprint
from streetseg.model.settings import TrainSettings
from tests.helpers import config_with_defaults
from tests.helpers.training import tiny_train, train_command, train_settings

EPOCHS = 12


def _start(tmp_path, shards):
    (tmp_path / "model").mkdir(exist_ok=True)
    command = train_command(tiny_train(EPOCHS), shards, tmp_path / "model", threads=1)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )


def _finished_epochs(state: Path) -> int:
    metadata = state / "backup" / "training_metadata.json"
    try:
        return json.loads(metadata.read_text())["epoch"]
    except (FileNotFoundError, json.JSONDecodeError):
        return 0


def test_sigterm_saves_state_and_a_rerun_resumes_at_the_next_epoch(shards, tmp_path):
    state = tmp_path / "model" / "train_state"
    first = _start(tmp_path, shards)
    deadline = time.time() + 300
    while _finished_epochs(state) < 3 and first.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "training ended before it could be interrupted"
    first.send_signal(signal.SIGTERM)
    output = first.communicate(timeout=120)[0]
    assert first.returncode == 143, output
    saved = _finished_epochs(state)
    assert 3 <= saved < EPOCHS
    assert "training interrupted" in output
    assert not (tmp_path / "model" / "model.keras").exists()
    assert not (tmp_path / "model" / "history.tsv").exists()

    second = _start(tmp_path, shards)
    output = second.communicate(timeout=300)[0]
    assert second.returncode == 0, output
    assert f"resuming after epoch {saved}" in output
    # The resumed run trains exactly the epochs that were missing, each once.
    trained = [line.split()[1] for line in output.splitlines() if line.startswith("epoch ")]
    assert trained == [f"{n}/{EPOCHS}" for n in range(saved + 1, EPOCHS + 1)]
    history = pd.read_csv(tmp_path / "model" / "history.tsv", sep="\t")
    assert list(history["epoch"]) == list(range(1, EPOCHS + 1))
    assert history["val_miou"].notna().all()
    assert (tmp_path / "model" / "model.keras").stat().st_size > 0
    assert not state.exists()


def test_the_fingerprint_is_the_one_of_the_former_settings_dict(tmp_path):
    # A state left by an interrupted run before the settings object existed still resumes:
    # the digest is computed from the same values under the same keys (with the levers of
    # issue 22: weight_decay, ema and augment.max_scale, which change what an epoch computes).
    shard = tmp_path / "train-00000-of-00001.tfrecord"
    shard.write_bytes(b"0123")
    config = config_with_defaults(train={"model": {"depth": 3}})
    train = config["train"]
    keys = ("epochs", "batch_size", "learning_rate", "model", "augment", "schedule")
    keys += ("warmup_epochs", "seed", "class_weighting", "loss", "mixed_precision")
    keys += ("weight_decay", "ema")
    former = {"image_size": list(train["image_size"]), **{key: train[key] for key in keys}}
    text = json.dumps(
        {"settings": former, "shards": [(shard.name, 4)]}, sort_keys=True, default=str
    )
    settings = TrainSettings.from_config(train, config["classes"])
    assert fingerprint(settings, [str(shard)]) == hashlib.sha256(text.encode()).hexdigest()


def test_stopping_rules_leave_the_fingerprint_alone_and_what_an_epoch_computes_does_not(
    tmp_path,
):
    shard = tmp_path / "train.tfrecord"
    shard.write_bytes(b"0")
    base = fingerprint(train_settings(), [str(shard)])
    assert fingerprint(train_settings(time_limit_minutes=5), [str(shard)]) == base
    assert fingerprint(train_settings(early_stopping={"patience": 3}), [str(shard)]) == base
    assert fingerprint(train_settings(epochs=3), [str(shard)]) != base
    assert fingerprint(train_settings(augment={"flip": False}), [str(shard)]) != base
    # The model and loss levers change what is trained: a state made without them is stale.
    for changed in (
        {"model": {"block": "separable"}},
        {"model": {"stem_stride": 2}},
        {"loss": {"lovasz_from": 0.5}},
        {"loss": {"ohem_fraction": 0.25}},
    ):
        assert fingerprint(train_settings(**changed), [str(shard)]) != base, changed


def test_state_from_other_settings_is_discarded(tmp_path):
    from streetseg.model.checkpoints import TrainingState

    first = TrainingState(tmp_path / "state", "digest-a", log=lambda *_: None)
    (first.backup_dir).mkdir()
    (first.backup_dir / "training_metadata.json").write_text('{"epoch": 4, "batch": 0}')
    _weights(first.backup_dir / "latest.weights.h5", 4.0)
    assert (
        TrainingState(tmp_path / "state", "digest-a", log=lambda *_: None).completed_epochs() == 4
    )
    messages = []
    assert (
        TrainingState(tmp_path / "state", "digest-b", log=messages.append).completed_epochs() == 0
    )
    assert "discarding" in messages[0]


def test_a_signal_during_the_epoch_saves_waits_for_them(tmp_path):
    """SIGTERM arriving while an epoch's state is written stops training only once it is whole."""
    import keras
    import numpy as np
    import pytest

    from streetseg.model.checkpoints import TrainingInterrupted, TrainingState, stop_on_sigterm

    class SignalAtSecondEpochEnd(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                os.kill(os.getpid(), signal.SIGTERM)

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    state = TrainingState(tmp_path / "state", "digest", log=lambda *_: None)
    x, y = np.zeros((8, 4), "float32"), np.zeros((8, 2), "float32")
    with pytest.raises(TrainingInterrupted), stop_on_sigterm() as stopper:
        # The signal comes before the history row and the backup of epoch 2 are written.
        callbacks = [SignalAtSecondEpochEnd(), *state.callbacks(validate=False), stopper]
        model.fit(x, y, epochs=5, batch_size=4, callbacks=callbacks, verbose=0)
    assert state.completed_epochs() == 2
    assert list(state.history()["epoch"]) == [0, 1]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def _weights(path: Path, value: float) -> None:
    import h5py
    import numpy as np

    with h5py.File(path, "w") as handle:
        handle.create_dataset("layers/dense/vars/0", data=np.full((64, 64), value, "float32"))


def test_an_unreadable_backup_falls_back_to_the_previous_one(tmp_path):
    """What a SIGKILL in the middle of Keras' backup writes leaves behind is repaired on resume."""
    from streetseg.model.checkpoints import TrainingState

    state = TrainingState(tmp_path / "state", "digest", log=lambda *_: None)
    backup = state.backup_dir
    backup.mkdir()
    # Killed while writing the epoch file: new weights, empty epoch file, a whole previous pair.
    _weights(backup / "latest.weights.h5", 5.0)
    (backup / "training_metadata.json").write_text("")
    _weights(backup / "latest.weights.h5.bkp", 4.0)
    (backup / "training_metadata.json.bkp").write_text('{"epoch": 4, "batch": 0}')
    messages = []
    resumed = TrainingState(tmp_path / "state", "digest", log=messages.append)
    assert resumed.completed_epochs() == 4
    assert (backup / "latest.weights.h5").read_bytes() == (
        backup / "latest.weights.h5.bkp"
    ).read_bytes()
    assert "previous backup" in messages[0]

    # Killed while writing the weights: a truncated weights file, the previous pair intact.
    data = (backup / "latest.weights.h5").read_bytes()
    (backup / "latest.weights.h5").write_bytes(data[: len(data) // 2])
    (backup / "training_metadata.json").write_text('{"epoch": 5, "batch": 0}')
    assert TrainingState(tmp_path / "state", "digest", log=lambda *_: None).completed_epochs() == 4

    # Killed during the very first save: no previous pair to go back to.
    for name in ("latest.weights.h5.bkp", "training_metadata.json.bkp", "training_metadata.json"):
        (backup / name).unlink()
    (backup / "latest.weights.h5").write_bytes(data[: len(data) // 2])
    messages.clear()
    assert TrainingState(tmp_path / "state", "digest", log=messages.append).completed_epochs() == 0
    assert not backup.exists()
    assert "starting afresh" in messages[0]


def test_a_truncated_best_checkpoint_and_history_row_are_repaired(tmp_path):
    import keras

    from streetseg.model.checkpoints import TrainingState

    state = TrainingState(tmp_path / "state", "digest", log=lambda *_: None)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.save(state.best_path)
    state.history_path.write_text("epoch,loss,val_miou\n0,0.9,0.5\n1,0.8,0.6\n2,0.7")
    assert TrainingState(tmp_path / "state", "digest", log=lambda *_: None).best_score() == 0.6
    assert state.history_path.read_text() == "epoch,loss,val_miou\n0,0.9,0.5\n1,0.8,0.6\n"

    data = state.best_path.read_bytes()
    state.best_path.write_bytes(data[: len(data) // 2])
    messages = []
    resumed = TrainingState(tmp_path / "state", "digest", log=messages.append)
    assert not state.best_path.exists() and "truncated" in messages[0]
    # With no best checkpoint left, the next epoch must write one whatever its score.
    assert resumed.best_score() is None
