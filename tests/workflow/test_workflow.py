"""The real Snakefile, end to end on the tiny config, plus dry run, lint and formatting."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from tests.helpers import REPO
from tests.helpers.snakefile import SNAKEMAKE, snakemake

pytestmark = pytest.mark.workflow


def test_dry_run_lists_every_stage(tmp_path):
    output = snakemake(tmp_path, "-n", "--quiet", "rules").stdout
    for rule in ("demo", "masks", "splits", "tfrecords", "train", "predict", "evaluate", "plots"):
        assert rule in output


def test_rulegraph_and_dag_render_as_svg(tmp_path):
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz's dot is not installed (make test installs it as root)")
    for flag in ("--rulegraph", "--dag"):
        graph = snakemake(tmp_path, flag).stdout
        svg = subprocess.run(
            [dot, "-Tsvg"], input=graph, capture_output=True, text=True, check=True
        )
        assert "<svg" in svg.stdout and "masks" in svg.stdout


def test_summary_lists_every_output_with_its_status(finished_run):
    summary = snakemake(finished_run, "--summary").stdout
    assert "results/metrics/summary.tsv" in summary and "results/model/model.keras" in summary
    assert "ok" in summary


def test_invalid_config_stops_before_any_job_naming_the_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  epochs: zero\n")
    process = snakemake(tmp_path, "-n", "--configfile", str(bad), check=False)
    assert process.returncode != 0
    assert "epochs" in process.stdout + process.stderr
    assert not (tmp_path / "results").exists()


def test_bad_split_group_stops_the_dry_run_naming_the_key(tmp_path):
    process = snakemake(tmp_path, "-n", "--config", "split={group: drive}", check=False)
    assert process.returncode != 0
    assert (
        "split.group: 'drive' is not a column of the sample table"
        in process.stdout + process.stderr
    )


def test_every_final_target_exists_and_is_valid(finished_run):
    results = finished_run / "results"
    test_ids = (results / "splits" / "test.txt").read_text().split()
    train_ids = (results / "splits" / "train.txt").read_text().split()
    val_ids = (results / "splits" / "val.txt").read_text().split()
    # tiny.yaml, seed 1: test u < 0.2 (scene_001, scene_008), val u < 0.4 (scene_000).
    assert (
        test_ids == ["scene_001", "scene_008"] and val_ids == ["scene_000"] and len(train_ids) == 7
    )
    for sample in test_ids:
        with Image.open(results / "predictions" / f"{sample}.png") as mask:
            assert mask.mode == "P" and mask.size == (96, 64)
            assert set(np.unique(np.asarray(mask))) <= set(range(8))
        with Image.open(results / "predictions" / f"{sample}_panel.png") as panel:
            assert panel.width > 3 * 96
    per_class = pd.read_csv(results / "metrics" / "per_class.tsv", sep="\t")
    assert list(per_class.columns) == ["class", "IoU", "precision", "recall", "support"]
    assert len(per_class) == 8
    summary = pd.read_csv(results / "metrics" / "summary.tsv", sep="\t")
    assert list(summary.columns) == ["mIoU", "pixel_accuracy", "fwIoU", "n_images"]
    assert summary["n_images"].item() == 2 and 0 <= summary["mIoU"].item() <= 1
    assert per_class["support"].sum() == 2 * 96 * 64
    confusion = pd.read_csv(results / "metrics" / "confusion.tsv", sep="\t", index_col=0)
    assert confusion.shape == (8, 8) and confusion.values.sum() == 2 * 96 * 64
    history = pd.read_csv(results / "model" / "history.tsv", sep="\t")
    assert {"epoch", "loss", "miou", "val_loss", "val_miou"} <= set(history.columns)
    assert len(history) == 1
    assert (results / "model" / "model.keras").stat().st_size > 0
    with Image.open(results / "plots" / "training_curves.png") as curves:
        assert curves.width > 400
    shards = sorted(p.name for p in (results / "tfrecords").iterdir())
    assert shards == [
        f"{s}-0000{i}-of-00002.tfrecord" for s in ("test", "train", "val") for i in (0, 1)
    ]


def test_every_job_wrote_its_log(finished_run):
    logs = finished_run / "logs"
    for name in (
        "demo.log",
        "splits.log",
        "train.log",
        "predict/00000.log",
        "evaluate.log",
        "plots.log",
    ):
        assert (logs / name).is_file(), name
    assert "epoch 1/1" in (logs / "train.log").read_text()
    # Ten scenes in chunks of four: three mask jobs.
    assert sorted(p.name for p in (logs / "masks").glob("*.log")) == [
        "00000.log",
        "00001.log",
        "00002.log",
    ]
    assert "4/4 masks" in (logs / "masks" / "00000.log").read_text()


def test_second_run_has_nothing_to_do(finished_run):
    output = snakemake(finished_run, "-n").stdout
    assert "Nothing to be done" in output


def test_lint_is_clean():
    process = subprocess.run([SNAKEMAKE, "--lint"], cwd=REPO, capture_output=True, text=True)
    assert process.returncode == 0, process.stdout + process.stderr


def test_snakefmt_check_passes():
    snakefmt = str(Path(SNAKEMAKE).with_name("snakefmt"))
    process = subprocess.run([snakefmt, "--check", "."], cwd=REPO, capture_output=True, text=True)
    assert process.returncode == 0, process.stdout + process.stderr
