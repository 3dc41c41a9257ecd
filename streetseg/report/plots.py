"""The plots and report stage: training curves, and the files the HTML report shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import yaml

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from streetseg.common.files import atomic_folder, atomic_path  # noqa: E402
from streetseg.report.per_image import best_and_worst, read_image_scores  # noqa: E402


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


def build_gallery(
    panel_paths: list[str],
    sample_ids: list[str],
    per_image_path: str,
    gallery_dir: str,
    best_dir: str,
    worst_dir: str,
    count: int = 3,
) -> None:
    """Lay the prediction panels out for the report, one file per sample, and pick extremes.

    ``gallery_dir`` gets every panel as ``{sample}.png`` so the report can label it by sample;
    ``best_dir`` and ``worst_dir`` get the ``count`` panels with the highest and the lowest
    per-image mIoU.
    """
    best, worst = best_and_worst(read_image_scores(per_image_path), count)
    panels = dict(zip(sample_ids, panel_paths))
    picks = {gallery_dir: sample_ids, best_dir: best, worst_dir: worst}
    for folder, chosen in picks.items():
        with atomic_folder(folder) as temporary:
            for sample in chosen:
                shutil.copyfile(panels[sample], Path(temporary) / f"{sample}.png")


def write_config(config: dict, path: str) -> None:
    """The configuration the run used, as YAML, for the report."""
    with atomic_path(path) as temporary:
        Path(temporary).write_text(yaml.safe_dump(config, sort_keys=False))


TABLE_STYLE = """<style>
body { font-family: sans-serif; font-size: 14px; margin: 1em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
</style>"""


def write_tables_html(tables: dict[str, str], out_path: str, title: str) -> None:
    """Render TSV tables as one HTML page, so that the report shows them instead of offering
    files to download. ``tables`` maps a heading to a TSV path."""
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>",
        TABLE_STYLE,
        f"</head><body><h2>{title}</h2>",
    ]
    for heading, path in tables.items():
        frame = pd.read_csv(path, sep="\t")
        parts.append(f"<h3>{heading}</h3>")
        parts.append(frame.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="n/a"))
    parts.append("</body></html>")
    with atomic_path(out_path) as temporary:
        Path(temporary).write_text("\n".join(parts))
