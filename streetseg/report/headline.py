"""The report's first page: the workflow description with the run's headline figures.

``snakemake --report`` renders one description page before any result; the plots stage
writes it (results/report/workflow.rst) from report/workflow.rst and the test metrics, and
the Snakefile uses it once it exists, so the first thing a reader sees is how well the model
did on the held-out test split, and where it is weakest.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from streetseg.common.files import atomic_path

# How many of the weakest classes the first page names.
WEAKEST = 3


def headline_rst(description: str, summary: pd.DataFrame, per_class: pd.DataFrame) -> str:
    """``description`` (reStructuredText) followed by the headline: test mIoU, pixel accuracy
    and frequency-weighted IoU on how many images, and the weakest classes by IoU with their
    precision and recall (a low precision means the class is over-predicted)."""
    row = summary.iloc[0]
    scored = per_class.dropna(subset=["IoU"]).sort_values("IoU", kind="stable")
    weakest = ", ".join(
        f"{item['class']} {item['IoU']:.3f} (precision {item['precision']:.2f}, recall "
        f"{item['recall']:.2f})"
        for _, item in scored.head(WEAKEST).iterrows()
    )
    title = f"Test split: {int(row['n_images'])} held-out images"
    lines = [
        description.rstrip(),
        "",
        title,
        "-" * len(title),
        "",
        f"**mIoU {row['mIoU']:.3f}** · pixel accuracy {row['pixel_accuracy']:.3f} · "
        f"frequency-weighted IoU {row['fwIoU']:.3f}",
        "",
        f"Weakest classes (IoU): {weakest or 'none scored'}.",
        "",
    ]
    return "\n".join(lines)


def write_report_text(template, summary_path, per_class_path, out_path) -> None:
    """Write :func:`headline_rst` of report/workflow.rst and the metrics tables."""
    text = headline_rst(
        Path(template).read_text(),
        pd.read_csv(summary_path, sep="\t"),
        pd.read_csv(per_class_path, sep="\t"),
    )
    with atomic_path(out_path) as temporary:
        Path(temporary).write_text(text)
