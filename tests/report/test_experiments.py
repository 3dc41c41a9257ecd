"""The experiments chart, on a hand-made summary table."""

import pandas as pd

from streetseg.report.experiments import plot_experiments
from tests.helpers.charts import assert_png, write_tsv


def test_the_chart_draws_every_variant_and_missing_values(tmp_path):
    summary = pd.DataFrame(
        {
            "experiment": ["baseline", "separable_and_a_long_name_for_the_label", "crops"],
            "images_per_second": [8.1, 12.4, None],
            "epochs": [20, 31, 25],
            "best_val_mIoU": [0.51, 0.55, None],
            "test_mIoU": [0.45, 0.52, 0.48],
            "IoU_road": [0.9, 0.92, 0.91],
            "IoU_sky": [0.8, None, 0.85],
        }
    )
    out = tmp_path / "comparison.png"
    plot_experiments(write_tsv(tmp_path / "summary.tsv", summary), str(out))
    assert_png(out, min_side=200)
