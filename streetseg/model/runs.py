"""The records of a training job: the history table, and where it ran and how fast.

Experiments are compared at equal wall time, and CPU training speed differs up to 3x between
machines, so each trained model says which machine trained it (results/model/run.json).
"""

from __future__ import annotations

import json
import math

import pandas as pd

from streetseg.common.files import atomic_path
from streetseg.common.machine import describe_machine, machine_facts

# The history table's first columns; seconds and images_per_second (per epoch, validation
# included) and any other logged figures follow.
HISTORY_COLUMNS = ["epoch", "loss", "miou", "val_loss", "val_miou"]


def run_record(
    history: pd.DataFrame, n_train: int, n_val: int, gpus: list[str], wall_seconds: float
) -> dict:
    """The machine (of the job's last run, if it was resumed elsewhere), the epochs trained,
    the training throughput (the median over epochs of train images per epoch second,
    validation included; None when no epoch was timed), the seconds of all epochs and the
    wall time of the training call (data, model, epochs and writing the outputs; of the last
    run only, if it was resumed)."""
    facts = machine_facts()
    rates = history["images_per_second"].dropna() if "images_per_second" in history else []
    return {
        "machine": describe_machine(facts, gpus),
        **facts,
        "gpus": gpus,
        "epochs": int(len(history)),
        "train_images": int(n_train),
        "val_images": int(n_val),
        "images_per_second": round(float(pd.Series(rates).median()), 2) if len(rates) else None,
        "fit_seconds": round(float(history["seconds"].sum()), 1) if "seconds" in history else None,
        "wall_seconds": round(float(wall_seconds), 1),
    }


def write_run_record(path: str, record: dict) -> None:
    """``record`` as indented JSON, written atomically."""
    with atomic_path(path) as temporary, open(temporary, "w") as handle:
        json.dump(record, handle, indent=2)
        handle.write("\n")


def read_run_record(path: str) -> dict:
    """A run record written by :func:`write_run_record`."""
    with open(path) as handle:
        return json.load(handle)


def history_table(log: pd.DataFrame) -> pd.DataFrame:
    """One row per epoch with loss, mIoU and their val_* twins (NaN without validation)."""
    table = log.drop(columns=["epoch"], errors="ignore").reset_index(drop=True)
    for column in HISTORY_COLUMNS[1:]:
        if column not in table:
            table[column] = math.nan
    table.insert(0, "epoch", range(1, len(table) + 1))
    extra = [c for c in table.columns if c not in HISTORY_COLUMNS]
    return table[HISTORY_COLUMNS + extra]
