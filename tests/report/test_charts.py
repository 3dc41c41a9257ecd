"""The result charts, on small hand-made tables: per-class IoU, the confusion matrix, class
shares per split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from streetseg.report.charts import (
    iou_order,
    normalise_rows,
    plot_class_shares,
    plot_confusion,
    plot_per_class_iou,
)
from tests.helpers.charts import CLASSES, NAMES, assert_png, write_tsv


@pytest.fixture
def per_class_files(tmp_path):
    per_class = pd.DataFrame(
        {
            "class": NAMES,
            "IoU": [0.25, 0.9, np.nan, 0.6],
            "precision": [0.3, 0.95, np.nan, 0.7],
            "recall": [0.5, 0.93, np.nan, 0.8],
            "support": [100, 900, 0, 400],
        }
    )
    summary = pd.DataFrame([{"mIoU": 0.583333, "pixel_accuracy": 0.9, "fwIoU": 0.8, "n_images": 4}])
    return (
        write_tsv(tmp_path / "per_class.tsv", per_class),
        write_tsv(tmp_path / "summary.tsv", summary),
    )


def test_iou_order_is_best_first_with_missing_classes_last(per_class_files):
    per_class = pd.read_csv(per_class_files[0], sep="\t")
    assert per_class["IoU"].isna().sum() == 1  # "NA" is read back as missing.
    assert iou_order(per_class) == ["road", "tree", "background", "sky"]


def test_plot_per_class_iou_writes_a_png(per_class_files, tmp_path):
    out = tmp_path / "charts" / "per_class_iou.png"
    plot_per_class_iou(*per_class_files, CLASSES, str(out))
    assert_png(out)
    # Only the finished file is left behind: atomic_path removed its temporary.
    assert [path.name for path in out.parent.iterdir()] == ["per_class_iou.png"]


def test_normalise_rows_by_hand():
    matrix = np.array([[3, 1, 0], [0, 0, 0], [2, 2, 4]])
    expected = np.array([[0.75, 0.25, 0.0], [0.0, 0.0, 0.0], [0.25, 0.25, 0.5]])
    shares = normalise_rows(matrix)
    np.testing.assert_allclose(shares, expected)
    assert not np.isnan(shares).any()


def test_plot_confusion_writes_a_png(tmp_path):
    counts = np.array([[50, 5, 0, 0], [10, 80, 0, 10], [0, 0, 0, 0], [0, 20, 0, 30]])
    confusion = pd.DataFrame(counts, index=NAMES, columns=NAMES)
    confusion.index.name = "truth\\prediction"
    path = write_tsv(tmp_path / "confusion.tsv", confusion, index=True)
    out = tmp_path / "confusion.png"
    plot_confusion(path, CLASSES, str(out))
    assert_png(out)


def test_plot_class_shares_skips_empty_splits(tmp_path):
    rows = []
    splits = {"train": [10, 50, 30, 5, 5], "val": [0, 0, 0, 0, 0], "test": [5, 20, 20, 3, 2]}
    for split, pixels in splits.items():
        total = sum(pixels)
        for name, count in zip(NAMES + ["ignored (255)"], pixels):
            share = count / total if total else np.nan
            rows.append(
                {"split": split, "class": name, "pixels": count, "pixel_share": share, "images": 2}
            )
    path = write_tsv(tmp_path / "dataset_summary.tsv", pd.DataFrame(rows))
    out = tmp_path / "class_shares.png"
    plot_class_shares(path, CLASSES, str(out))
    assert_png(out)
