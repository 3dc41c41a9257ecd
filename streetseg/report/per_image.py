"""The per-image view of the scores: which images the model does best and worst on, and the
histogram of per-image mIoU that names them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from streetseg.report.charts import EDGE_COLOUR, save_figure, shorten

BEST_COLOUR, WORST_COLOUR = "#1a9850", "#d73027"


def read_image_scores(per_image_path: str) -> pd.DataFrame:
    """The evaluate stage's per-image scores, sample ids kept as text."""
    return pd.read_csv(per_image_path, sep="\t", dtype={"sample": str})


def best_and_worst(scores: pd.DataFrame, count: int) -> tuple[list[str], list[str]]:
    """Of the samples that have an mIoU, the ``count`` with the highest and with the lowest,
    best first and worst first; ties go by sample id. With fewer than 2 * count images the
    two lists share them out instead of overlapping. The histogram and the report's
    galleries both use this, so their names agree."""
    scored = scores.dropna(subset=["mIoU"])
    ranked = list(scored.sort_values(["mIoU", "sample"], ascending=[False, True])["sample"])
    best = ranked[: min(count, (len(ranked) + 1) // 2)]
    worst = ranked[::-1][: min(count, len(ranked) // 2)]
    return best, worst


def plot_per_image_scores(per_image_path: str, out_path: str, count: int = 3) -> None:
    """Histogram of per-image mIoU, with the ``count`` best and worst images marked and named."""
    scores = read_image_scores(per_image_path)
    scored = scores.dropna(subset=["mIoU"])
    best_ids, worst_ids = best_and_worst(scores, count)
    best = scored.set_index("sample").loc[best_ids].reset_index()
    worst = scored.set_index("sample").loc[worst_ids].reset_index()
    figure, (axis, names_axis) = plt.subplots(
        1, 2, figsize=(9.5, 4.2), width_ratios=[2.4, 1], constrained_layout=True
    )
    axis.hist(
        scored["mIoU"],
        bins=np.linspace(0, 1, 21),
        color="#7a9cc6",
        edgecolor=EDGE_COLOUR,
        linewidth=0.6,
    )
    if len(scored):
        median = float(scored["mIoU"].median())
        axis.axvline(
            median, color="black", linestyle="--", linewidth=1.2, label=f"median {median:.2f}"
        )
    # Triangles on the x axis show where the named images fall without hiding any bar.
    for picked, colour in ((best, BEST_COLOUR), (worst, WORST_COLOUR)):
        if len(picked):
            axis.plot(
                picked["mIoU"],
                np.zeros(len(picked)),
                linestyle="none",
                marker="^",
                markersize=9,
                color=colour,
                markeredgecolor=EDGE_COLOUR,
                clip_on=False,
                zorder=3,
            )
    axis.set_xlim(0, 1)
    axis.set_xlabel("per-image mIoU")
    axis.set_ylabel("images")
    missing = len(scores) - len(scored)
    note = f", {missing} without a score" if missing else ""
    axis.set_title(f"mIoU per image ({len(scored)} images{note})", loc="left")
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.grid(axis="y", alpha=0.3)
    if len(scored):
        axis.legend(loc="best", fontsize=9)
    else:
        axis.set_ylim(0, 1)
        axis.text(0.5, 0.5, "no image has a score", ha="center", va="center", color="dimgrey")
    # The names go in a panel of their own: close scores would make labels on the bars collide.
    names_axis.axis("off")
    lines = [("best", BEST_COLOUR, best), ("worst", WORST_COLOUR, worst)]
    y = 0.97
    for heading, colour, picked in lines:
        if not len(picked):
            continue
        names_axis.text(
            0, y, f"\u25b2 {heading} images", color=colour, fontsize=11, fontweight="bold", va="top"
        )
        y -= 0.09
        for sample, miou in zip(picked["sample"], picked["mIoU"]):
            names_axis.text(
                0, y, f"{miou:.2f}  {shorten(sample)}", fontsize=9.5, va="top", family="monospace"
            )
            y -= 0.075
        y -= 0.06
    save_figure(figure, out_path)
