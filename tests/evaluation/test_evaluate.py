"""The evaluate stage's console report."""

import pandas as pd

from streetseg.evaluation.evaluate import test_report as report


def test_the_console_report_holds_the_per_class_table_and_the_headline(tmp_path):
    path = tmp_path / "per_class.tsv"
    pd.DataFrame(
        {
            "class": ["road", "pole"],
            "IoU": [0.9, 0.125],
            "precision": [0.95, float("nan")],
            "recall": [0.94, 0.2],
            "support": [900, 10],
        }
    ).to_csv(path, sep="\t", index=False)
    summary = pd.DataFrame([{"mIoU": 0.5126, "pixel_accuracy": 0.9, "fwIoU": 0.88, "n_images": 3}])
    lines = report(str(path), summary).splitlines()
    assert lines[0] == f"test metrics (3 images, {path}):"
    assert lines[1].split() == ["class", "IoU", "precision", "recall", "support"]
    assert lines[2].split() == ["road", "0.900", "0.950", "0.940", "900"]
    assert lines[3].split() == ["pole", "0.125", "NaN", "0.200", "10"]
    assert lines[-1] == "mIoU 0.513, pixel accuracy 0.900, frequency-weighted IoU 0.880"
