"""Training: the learning-rate schedule and data-parallel training that scales the global
batch (with the model and loss levers on)."""

from __future__ import annotations

import os
import subprocess

import pandas as pd
import pytest

from streetseg.model.training import learning_rate_schedule
from tests.helpers.training import tiny_train, train_command


def test_cosine_schedule_warms_up_to_the_peak_then_decays_to_zero():
    schedule = learning_rate_schedule(0.01, "cosine", total_steps=110, warmup_steps=10)
    assert float(schedule(0)) == pytest.approx(0.0)
    assert float(schedule(5)) == pytest.approx(0.005)
    assert float(schedule(10)) == pytest.approx(0.01)
    assert float(schedule(60)) == pytest.approx(0.005, rel=1e-3)  # half way down the cosine
    assert float(schedule(110)) == pytest.approx(0.0, abs=1e-7)
    assert learning_rate_schedule(0.01, "constant", 110, 10) == 0.01


def test_mirrored_training_scales_the_global_batch_and_finishes(shards, tmp_path):
    # Data-parallel training: MirroredStrategy over two devices, exercised on two CPU devices,
    # with the model and loss levers on: the Lovász switch is a variable of both replicas.
    train = tiny_train(2)
    train["model"].update(block="separable", decoder_convs=1, stem_stride=2)
    train["loss"] = {"lovasz_weight": 1.0, "lovasz_from": 0.5, "ohem_fraction": 0.25}
    command = train_command(train, shards, tmp_path, replicas=2)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    process = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert process.returncode == 0, process.stdout + process.stderr
    # Two replicas of 4 images each: 20 training images make 3 steps of 8 per epoch.
    assert "2 replica(s), global batch 8" in process.stdout
    assert "epoch 2: the Lovász-softmax term is on from here" in process.stdout
    history = pd.read_csv(tmp_path / "history.tsv", sep="\t")
    assert list(history["epoch"]) == [1, 2] and history["val_miou"].notna().all()
