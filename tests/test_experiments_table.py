"""tools/experiments_table.py: the results tables from a summary, on a hand-worked case."""

import pandas as pd

from tests.helpers import load_tool


def test_the_thin_class_means_skip_classes_never_predicted(tmp_path):
    row = {
        "experiment": "zoom",
        "images_per_second": 12.5,
        "epochs": 24,
        "train_minutes": 15.2,
        "test_mIoU": 0.5,
        "pixel_accuracy": 0.875,
        "IoU_pole": 0.1,
        "IoU_fence": 0.3,
        "precision_pole": 0.25,
        "precision_fence": None,
        "recall_pole": 0.5,
        "recall_fence": 0.7,
    }
    path = tmp_path / "summary.tsv"
    pd.DataFrame([row]).to_csv(path, sep="\t", index=False, na_rep="NA")
    text = load_tool("experiments_table").tables(path, ["pole", "fence"])
    # IoU (0.1 + 0.3) / 2, precision of pole only (fence never predicted), recall 0.6.
    assert "| zoom | 12.5 | 24 | 15.2 | 0.500 | 0.875 | 0.200 | 0.250 (1 of 2) | 0.600 |" in text
    assert "| zoom | 0.10 / 0.25 / 0.50 | 0.30 / - / 0.70 |" in text
