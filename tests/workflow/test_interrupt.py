"""A Snakemake run stopped during training recovers on the next run, resuming the training."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pandas as pd
import pytest

from tests.helpers import REPO
from tests.helpers.snakefile import SNAKEMAKE, TINY, snakemake

pytestmark = pytest.mark.workflow
EPOCHS = 60


def test_stopped_run_resumes_training_on_the_next_run(tmp_path):
    config = tmp_path / "longer.yaml"
    config.write_text(f"train:\n  epochs: {EPOCHS}\n")
    command = [
        SNAKEMAKE,
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(tmp_path),
        "--configfile",
        str(TINY),
        str(config),
        "--cores",
        "2",
    ]
    first = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    log = tmp_path / "logs" / "train.log"
    deadline = time.time() + 600
    while time.time() < deadline and first.poll() is None:
        if log.exists() and "epoch 5/" in log.read_text():
            break
        time.sleep(0.1)
    assert first.poll() is None, "the run ended before it could be stopped"
    # What a scheduler or Ctrl-C does: signal the whole Snakemake process group.
    os.killpg(first.pid, signal.SIGTERM)
    first.communicate(timeout=120)
    assert first.returncode != 0
    assert not (tmp_path / "results" / "model" / "model.keras").exists()
    assert (tmp_path / "results" / "model" / "train_state").is_dir()

    second = snakemake(tmp_path, "--cores", "2", "--configfile", str(TINY), str(config))
    assert "Finished" in second.stdout + second.stderr
    text = log.read_text()
    assert "resuming after epoch" in text
    resumed_after = int(text.split("resuming after epoch ")[1].split()[0])
    assert 1 <= resumed_after < EPOCHS
    history = pd.read_csv(tmp_path / "results" / "model" / "history.tsv", sep="\t")
    assert list(history["epoch"]) == list(range(1, EPOCHS + 1))
    assert (tmp_path / "results" / "metrics" / "summary.tsv").is_file()
