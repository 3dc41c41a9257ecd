"""The plots stage: training curves from the history table."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from streetseg.io import atomic_path  # noqa: E402


def plot_training_curves(history_path: str, out_path: str) -> None:
    """Loss and mIoU per epoch, train and val, side by side."""
    history = pd.read_csv(history_path, sep="\t")
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    for axis, metric, label in ((axes[0], "loss", "loss"), (axes[1], "miou", "mean IoU")):
        axis.plot(history["epoch"], history[metric], marker="o", label="train")
        if f"val_{metric}" in history and history[f"val_{metric}"].notna().any():
            axis.plot(history["epoch"], history[f"val_{metric}"], marker="s", label="val")
        axis.set_xlabel("epoch")
        axis.set_ylabel(label)
        axis.set_title(f"{label} per epoch")
        axis.grid(alpha=0.3)
        axis.legend()
    axes[1].set_ylim(0, 1)
    with atomic_path(out_path) as temporary:
        figure.savefig(temporary, format="png", dpi=110)
    plt.close(figure)
