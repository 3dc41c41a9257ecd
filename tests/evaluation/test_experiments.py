"""The experiments table, from hand-written run files."""

import json

import pandas as pd

from streetseg.evaluation.experiments import experiment_row, write_experiment_summary
from tests.helpers.charts import write_tsv

RUN = {"machine": "Test CPU, 2 cores, AVX-512", "wall_seconds": 90.0, "images_per_second": 7.5}


def _variant(folder, name, overrides, val_miou, test_miou, ious, epochs, precisions=None):
    folder.mkdir()
    history = pd.DataFrame(
        {
            "epoch": range(1, len(val_miou) + 1),
            "loss": 1.0,
            "miou": 0.5,
            "val_loss": 1.0,
            "val_miou": val_miou,
        }
    )
    run = folder / "run.json"
    run.write_text(json.dumps({**RUN, "epochs": epochs}))
    summary = pd.DataFrame([{"mIoU": test_miou, "pixel_accuracy": 0.9, "n_images": 3}])
    per_class = pd.DataFrame({"class": ["road", "sky"], "IoU": ious})
    if precisions:
        per_class["precision"], per_class["recall"] = precisions, [1.0, float("nan")]
    return {
        "name": name,
        "overrides": overrides,
        "history_path": write_tsv(folder / "history.tsv", history),
        "run_path": str(run),
        "summary_path": write_tsv(folder / "summary.tsv", summary),
        "per_class_path": write_tsv(folder / "per_class.tsv", per_class),
    }


def test_a_row_holds_the_overrides_speed_best_val_epoch_and_test_scores(tmp_path):
    variant = _variant(
        tmp_path / "a",
        "deep",
        "train.model.depth=5",
        [0.2, 0.45, 0.4],
        0.375,
        [0.5, 0.25],
        3,
        precisions=[0.5, 0.3],
    )
    assert experiment_row(**variant) == {
        "experiment": "deep",
        "overrides": "train.model.depth=5",
        "machine": "Test CPU, 2 cores, AVX-512",
        "train_minutes": 1.5,
        "images_per_second": 7.5,
        "epochs": 3,
        "best_val_mIoU": 0.45,
        "best_epoch": 2,
        "test_mIoU": 0.375,
        "pixel_accuracy": 0.9,
        "IoU_road": 0.5,
        "IoU_sky": 0.25,
        "precision_road": 0.5,
        "precision_sky": 0.3,
        "recall_road": 1.0,
        "recall_sky": None,
    }


def test_the_summary_keeps_the_config_order_and_marks_missing_values(tmp_path):
    variants = [
        _variant(tmp_path / "b", "zeta", "", [float("nan")], 0.5, [0.5, float("nan")], 1),
        _variant(tmp_path / "c", "alpha", "train.seed=2", [0.1], 0.6, [0.7, 0.5], 1),
    ]
    out = tmp_path / "summary.tsv"
    write_experiment_summary(variants, str(out))
    table = pd.read_csv(out, sep="\t")
    assert table["experiment"].tolist() == ["zeta", "alpha"]
    assert table["overrides"].tolist() == ["(base config)", "train.seed=2"]
    assert table["best_val_mIoU"].isna().tolist() == [True, False]
    assert table["IoU_sky"].isna().tolist() == [True, False]
    assert "\tNA\t" in out.read_text()
