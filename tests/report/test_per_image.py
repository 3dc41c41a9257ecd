"""The per-image score chart, with many images and with few."""

from __future__ import annotations

import numpy as np
import pandas as pd

from streetseg.report.per_image import plot_per_image_scores
from tests.helpers.charts import assert_png, write_tsv


def test_plot_per_image_scores_writes_a_png(tmp_path):
    scores = pd.DataFrame(
        {
            "sample": [f"scene_{index:03d}" for index in range(9)],
            "mIoU": [0.1, 0.9, 0.5, 0.55, np.nan, 0.7, 0.3, 0.62, 0.48],
            "pixel_accuracy": [0.5, 0.99, 0.8, 0.8, np.nan, 0.9, 0.7, 0.85, 0.8],
        }
    )
    path = write_tsv(tmp_path / "per_image.tsv", scores)
    out = tmp_path / "per_image.png"
    plot_per_image_scores(path, str(out))
    assert_png(out)


def test_plot_per_image_scores_with_few_images(tmp_path):
    scores = pd.DataFrame(
        {"sample": ["only", "two"], "mIoU": [0.4, 0.8], "pixel_accuracy": [0.9, 0.9]}
    )
    out = tmp_path / "per_image.png"
    plot_per_image_scores(write_tsv(tmp_path / "per_image.tsv", scores), str(out))
    assert_png(out)
