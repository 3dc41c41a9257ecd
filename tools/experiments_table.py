"""The markdown tables of docs/results.md from the summary of `snakemake experiments`.

Usage: .venv/bin/python tools/experiments_table.py [SUMMARY] [CLASS ...]
       (default: results/experiments/summary.tsv, and CamVid's thin classes pole,
       sign_symbol, fence, pedestrian, bicyclist)

Prints two tables, one row per variant: images/s, epochs, train minutes, test mIoU and pixel
accuracy, and the mean IoU, precision and recall of the named classes; then IoU / precision /
recall of each of them. A class never predicted has no precision: the means skip such gaps
and say how many classes they cover.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

THIN = ["pole", "sign_symbol", "fence", "pedestrian", "bicyclist"]


def _mean(values: pd.Series) -> str:
    present = values.dropna()
    if present.empty:
        return "-"
    suffix = "" if len(present) == len(values) else f" ({len(present)} of {len(values)})"
    return f"{present.mean():.3f}{suffix}"


def tables(summary_path: Path, classes: list[str]) -> str:
    summary = pd.read_csv(summary_path, sep="\t")
    head = (
        "| variant | images/s | epochs | train min | test mIoU | pixel acc | "
        "thin mIoU | thin precision | thin recall |"
    )
    lines = [head, "|" + "---|" * 9]
    detail = ["| variant | " + " | ".join(classes) + " |", "|" + "---|" * (len(classes) + 1)]
    for _, row in summary.iterrows():
        scores = {
            kind: pd.Series([row.get(f"{kind}_{name}") for name in classes], dtype=float)
            for kind in ("IoU", "precision", "recall")
        }
        lines.append(
            f"| {row['experiment']} | {row['images_per_second']} | {row['epochs']} | "
            f"{row['train_minutes']} | {row['test_mIoU']:.3f} | {row['pixel_accuracy']:.3f} | "
            + " | ".join(_mean(scores[kind]) for kind in ("IoU", "precision", "recall"))
            + " |"
        )
        cells = [
            " / ".join("-" if pd.isna(v) else f"{v:.2f}" for v in (s[i] for s in scores.values()))
            for i in range(len(classes))
        ]
        detail.append(f"| {row['experiment']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\nIoU / precision / recall:\n\n" + "\n".join(detail)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    path = Path(arguments.pop(0)) if arguments else Path("results/experiments/summary.tsv")
    print(tables(path, arguments or THIN))
