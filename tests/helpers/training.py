"""Training for the tests: a train section small enough to run in seconds, the settings object
of a section, and the command that trains in a child process as a job does."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.helpers import REPO, config_with_defaults

# The child process: train_model on the arguments given as JSON, on ``replicas`` logical CPU
# devices under MirroredStrategy when there are several.
TRAIN_SCRIPT = """
import json, sys
sys.path.insert(0, {repo!r})
import tensorflow as tf
from streetseg.model.settings import TrainSettings
from streetseg.model.training import TrainOutputs, train_model
arguments = json.loads(sys.argv[1])
replicas = arguments.pop("replicas")
outputs = TrainOutputs(arguments.pop("model_path"), arguments.pop("history_path"))
strategy = None
if replicas > 1:
    cpu = tf.config.list_physical_devices("CPU")[0]
    devices = [tf.config.LogicalDeviceConfiguration()] * replicas
    tf.config.set_logical_device_configuration(cpu, devices)
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{{i}}" for i in range(replicas)])
settings = TrainSettings.from_config(arguments.pop("train"), arguments.pop("classes"))
train_model(
    settings,
    outputs=outputs,
    strategy=strategy,
    log=lambda message: print(message, flush=True),
    **arguments,
)
"""


def tiny_train(epochs: int) -> dict:
    """A train section for 64x64 inputs in batches of 4 and a U-Net of depth 2 with 4 filters,
    augmented by flips only."""
    return {
        "image_size": [64, 64],
        "epochs": epochs,
        "batch_size": 4,
        "seed": 0,
        "model": {"depth": 2, "base_filters": 4},
        "augment": {"flip": True, "min_scale": 1.0, "color_jitter": 0.0},
    }


def train_settings(**train):
    """The TrainSettings of the default config with ``train``'s keys in its train section."""
    from streetseg.model.settings import TrainSettings

    config = config_with_defaults(train=train)
    return TrainSettings.from_config(config["train"], config["classes"])


def train_command(train: dict, shards, out: Path, replicas: int = 1, **extra) -> list[str]:
    """The command that trains on the (train, val) ``shards`` with ``train``'s keys over the
    schema's defaults, writing out/model.keras and out/history.tsv; ``extra`` goes to
    train_model."""
    config = config_with_defaults(train=train)
    arguments = {
        "train": config["train"],
        "classes": config["classes"],
        "train_shards": shards[0],
        "val_shards": shards[1],
        "model_path": str(out / "model.keras"),
        "history_path": str(out / "history.tsv"),
        "replicas": replicas,
        **extra,
    }
    return [sys.executable, "-c", TRAIN_SCRIPT.format(repo=str(REPO)), json.dumps(arguments)]
