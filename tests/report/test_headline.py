"""The report's first page: the description followed by the test headline figures."""

from __future__ import annotations

import math

import pandas as pd

from streetseg.report.headline import headline_rst, write_report_text


def _tables():
    summary = pd.DataFrame(
        {"mIoU": [0.3908], "pixel_accuracy": [0.8136], "fwIoU": [0.7261], "n_images": [101]}
    )
    per_class = pd.DataFrame(
        {
            "class": ["sky", "pole", "sign", "bicyclist", "road"],
            "IoU": [0.81, 0.05, 0.12, math.nan, 0.9],
            "precision": [0.9, 0.2, 0.3, math.nan, 0.95],
            "recall": [0.88, 0.07, 0.2, math.nan, 0.94],
        }
    )
    return summary, per_class


def test_the_headline_gives_the_test_scores_and_the_weakest_classes():
    text = headline_rst("streetseg trained a U-Net.\n\n", *_tables())
    assert text.splitlines() == [
        "streetseg trained a U-Net.",
        "",
        "Test split: 101 held-out images",
        "-------------------------------",
        "",
        "**mIoU 0.391** · pixel accuracy 0.814 · frequency-weighted IoU 0.726",
        "",
        "Weakest classes (IoU): pole 0.050 (precision 0.20, recall 0.07), sign 0.120 "
        "(precision 0.30, recall 0.20), sky 0.810 (precision 0.90, recall 0.88).",
    ]


def test_the_page_renders_as_restructured_text(tmp_path):
    from docutils.core import publish_parts

    summary, per_class = _tables()
    summary.to_csv(tmp_path / "summary.tsv", sep="\t", index=False)
    per_class.to_csv(tmp_path / "per_class.tsv", sep="\t", index=False)
    (tmp_path / "workflow.rst").write_text("A description.\n")
    out = tmp_path / "page.rst"
    write_report_text(
        tmp_path / "workflow.rst", tmp_path / "summary.tsv", tmp_path / "per_class.tsv", out
    )
    html = publish_parts(out.read_text(), writer="html")["html_body"]
    assert "<strong>mIoU 0.391</strong>" in html and "Test split: 101 held-out images" in html
