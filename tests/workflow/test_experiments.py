"""`snakemake experiments`: variants trained on shared shards and compared in one table."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from tests.helpers.snakefile import TINY, snakemake

VARIANTS = {
    "base": {},
    "wide": {
        "train": {"model": {"base_filters": 6}, "augment": {"crop_size": [32, 32]}},
        "predict": {"tta": "flip"},
    },
    # Differs from base only under predict: scored with base's model, trains nothing.
    "base_flip": {"predict": {"tta": "flip"}},
}
TRAINED = ("base", "wide")


def _config(folder, experiments) -> str:
    path = folder / "experiments.yaml"
    path.write_text(json.dumps({"experiments": experiments}))
    return str(path)


def _job_counts(stdout: str) -> dict[str, int]:
    """The "Job stats" table of a snakemake run: rule -> jobs."""
    table = stdout.split("Job stats:", 1)[1].split("total", 1)[0]
    return {rule: int(count) for rule, count in re.findall(r"^(\S+)\s+(\d+)$", table, re.M)}


@pytest.fixture(scope="module")
def experiments_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("experiments")
    config = _config(workdir, VARIANTS)
    process = snakemake(workdir, "--cores", "2", "experiments", "--configfile", str(TINY), config)
    return workdir, process


def test_each_variant_trains_alone_on_shards_built_once(experiments_run):
    workdir, process = experiments_run
    counts = _job_counts(process.stdout + process.stderr)
    assert counts["experiment_train"] == len(TRAINED)
    assert counts["experiment_evaluate"] == len(VARIANTS)
    assert not (workdir / "results" / "experiments" / "base_flip" / "model").exists()
    # Shards of train and val, once for both variants; the main model is not trained.
    assert counts["tfrecords"] == 2
    assert "train" not in counts
    assert not (workdir / "results" / "model").exists()
    assert not list((workdir / "results" / "experiments").rglob("*.tfrecord"))
    for name in TRAINED:
        model = workdir / "results" / "experiments" / name / "model"
        assert (model / "model.keras").stat().st_size > 0
        run = json.loads((model / "run.json").read_text())
        assert run["epochs"] == 1 and run["train_images"] > 0
    test = (workdir / "results" / "splits" / "test.txt").read_text().split()
    for name in VARIANTS:
        predictions = workdir / "results" / "experiments" / name / "predictions"
        assert sorted(path.stem for path in predictions.glob("*.png")) == sorted(test)


def test_the_summary_has_a_row_per_variant_and_a_chart(experiments_run):
    workdir, _ = experiments_run
    table = pd.read_csv(workdir / "results" / "experiments" / "summary.tsv", sep="\t")
    assert table["experiment"].tolist() == ["base", "wide", "base_flip"]
    assert table["overrides"].tolist() == [
        "(base config)",
        "train.model.base_filters=6; train.augment.crop_size=[32, 32]; predict.tta=flip",
        "predict.tta=flip",
    ]
    assert table["epochs"].tolist() == [1, 1, 1]
    # base_flip's training is base's: the same time and validation score, its own test score.
    rows = table.set_index("experiment")
    for column in ("train_minutes", "images_per_second", "best_val_mIoU"):
        assert rows.loc["base_flip", column] == rows.loc["base", column]
    assert table["test_mIoU"].between(0, 1).all()
    assert [column for column in table if column.startswith("IoU_")][:2] == [
        "IoU_background",
        "IoU_tree",
    ]
    assert (workdir / "results" / "experiments" / "comparison.png").stat().st_size > 0
    # Each variant's scores are its own: the metrics files differ.
    base, wide, base_flip = (
        (workdir / "results" / "experiments" / name / "metrics" / "per_class.tsv").read_text()
        for name in VARIANTS
    )
    assert base != wide
    assert base_flip != base


def test_bad_experiments_are_all_named_before_any_job(tmp_path):
    config = _config(
        tmp_path,
        {
            "ok": {},
            "data_too": {"data": {"source": "folders"}},
            "typo": {"train": {"epoch": 3}},
            "odd_size": {"train": {"image_size": [62, 64]}},
        },
    )
    process = snakemake(
        tmp_path, "-n", "experiments", "--configfile", str(TINY), config, check=False
    )
    assert process.returncode == 1
    assert "Error: config: bad experiments:" in process.stderr
    assert "experiments.data_too: data cannot differ between experiments" in process.stderr
    typo = "experiments.typo: train.epoch: unknown key; did you mean train.epochs?"
    assert typo in process.stderr
    assert "experiments.odd_size: train.image_size 62x64 must be divisible by 4" in process.stderr
    assert "Traceback" not in process.stderr


def test_experiments_without_variants_says_how_to_add_them(tmp_path):
    process = snakemake(tmp_path, "--dry-run", "experiments", "--cores", "1", check=False)
    assert process.returncode == 1
    assert "add an `experiments:` section to the config" in process.stdout + process.stderr
