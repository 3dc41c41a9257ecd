"""The experiments chart: test and best val mIoU per variant beside a per-class IoU heatmap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from streetseg.report.charts import plt, save_figure, shorten

IOU_PREFIX = "IoU_"


def plot_experiments(summary_path: str, out_path: str) -> None:
    """Bars of test mIoU (and best val mIoU) per variant, best at the top, each labelled with
    its images/s and epochs, and a heatmap of per-class test IoU in the same row order."""
    table = pd.read_csv(summary_path, sep="\t").sort_values(
        "test_mIoU", ascending=False, kind="stable"
    )
    classes = [column for column in table.columns if column.startswith(IOU_PREFIX)]
    rows = len(table)
    figure, (bars, heat) = plt.subplots(
        1,
        2,
        figsize=(6 + 0.55 * len(classes), 1.6 + 0.45 * rows),
        gridspec_kw={"width_ratios": [1.1, max(1.0, 0.12 * len(classes))]},
        constrained_layout=True,
    )
    positions = np.arange(rows)
    bars.barh(positions - 0.18, table["test_mIoU"], height=0.36, color="#3b6fb6", label="test")
    bars.barh(
        positions + 0.18,
        table["best_val_mIoU"].fillna(0),
        height=0.36,
        color="#b7c9e2",
        label="best val",
    )
    for row, record in enumerate(table.itertuples(index=False)):
        bars.text(
            min(record.test_mIoU + 0.01, 0.8),
            row - 0.18,
            f"{record.test_mIoU:.3f}  ({record.images_per_second} img/s, {record.epochs} ep.)",
            va="center",
            fontsize=8,
        )
    bars.set_yticks(positions, [shorten(name, 24) for name in table["experiment"]])
    bars.set_ylim(rows - 0.5, -0.5)
    bars.set_xlim(0, 1)
    bars.set_xlabel("mIoU")
    bars.set_title("mIoU per experiment", loc="left")
    bars.grid(axis="x", alpha=0.3)
    bars.legend(loc="lower right", bbox_to_anchor=(1, 1), frameon=False, ncols=2)
    values = table[classes].to_numpy(dtype=float)
    image = heat.imshow(np.nan_to_num(values), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    for (row, column), value in np.ndenumerate(values):
        text = "n/a" if np.isnan(value) else f"{value:.2f}"
        colour = "black" if not np.isnan(value) and value > 0.6 else "white"
        heat.text(column, row, text, ha="center", va="center", fontsize=7, color=colour)
    heat.set_xticks(
        range(len(classes)),
        [name[len(IOU_PREFIX) :] for name in classes],
        rotation=45,
        ha="right",
    )
    heat.set_yticks(positions, [])
    heat.set_title("test IoU per class", loc="left")
    figure.colorbar(image, ax=heat, fraction=0.04, pad=0.02)
    save_figure(figure, out_path)
