"""Data-parallel training: MirroredStrategy over two devices, exercised on two CPU devices."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from tests.helpers import REPO, config_with_defaults

MIRRORED = """
import json, sys
sys.path.insert(0, {repo!r})
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from streetseg.model.settings import TrainSettings
from streetseg.model.training import train_model
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
arguments = json.loads(sys.argv[1])
settings = TrainSettings.from_config(arguments.pop("train"), arguments.pop("classes"))
train_model(
    settings, strategy=strategy, log=lambda message: print(message, flush=True), **arguments
)
"""


def test_mirrored_training_scales_the_global_batch_and_finishes(shards, tmp_path):
    train, val = shards
    config = config_with_defaults(
        train={
            "image_size": [64, 64], "epochs": 2, "batch_size": 4, "seed": 0,
            "model": {"depth": 2, "base_filters": 4},
            "augment": {"flip": True, "min_scale": 1.0, "color_jitter": 0.0},
        }
    )  # fmt: skip
    arguments = {
        "train": config["train"], "classes": config["classes"],
        "train_shards": train, "val_shards": val,
        "model_path": str(tmp_path / "model.keras"), "history_path": str(tmp_path / "history.tsv"),
    }  # fmt: skip
    command = [sys.executable, "-c", MIRRORED.format(repo=str(REPO)), json.dumps(arguments)]
    process = subprocess.run(
        command, capture_output=True, text=True, timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr
    # Two replicas of 4 images each: 20 training images make 3 steps of 8 per epoch.
    assert "2 replica(s), global batch 8" in process.stdout
    history = pd.read_csv(tmp_path / "history.tsv", sep="\t")
    assert list(history["epoch"]) == [1, 2] and history["val_miou"].notna().all()


def test_a_multi_task_slurm_job_is_refused_with_the_reason(monkeypatch):
    # Two local workers under MultiWorkerMirroredStrategy were tried: Keras 3's fit() fails
    # there ("Attempt to convert a value (PerReplica...)", keras-team/keras#20585), so a
    # multi-task job stops at once with a message instead of failing inside training.
    from streetseg.model.training import distribution_strategy

    monkeypatch.setenv("SLURM_NTASKS", "2")
    with pytest.raises(RuntimeError, match="2 SLURM tasks.*keras-team/keras#20585.*one node"):
        distribution_strategy(log=lambda *_: None)
