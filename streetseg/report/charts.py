"""Result charts for the report: per-class IoU, confusion, class shares and per-image scores."""

from __future__ import annotations

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from streetseg.common.files import atomic_path
from streetseg.labels.classes import ClassTable, normalize_name

DPI = 110
IGNORED_ROW = "ignored (255)"
IGNORED_COLOUR = (0.62, 0.62, 0.62)
# A class that a table names but the config lacks is still drawn, in a neutral grey.
UNKNOWN_COLOUR = (0.8, 0.8, 0.8)
EDGE_COLOUR = "#222222"
SPLIT_STYLES = {"train": "", "val": "///", "test": "..."}


def iou_order(per_class: pd.DataFrame) -> list[str]:
    """Class names from the best IoU to the worst; classes without an IoU come last.

    The sort is stable, so ties and NA classes keep the order of the table (the config order).
    """
    ranked = per_class.assign(_missing=per_class["IoU"].isna())
    ranked = ranked.sort_values(["_missing", "IoU"], ascending=[True, False], kind="stable")
    return list(ranked["class"])


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its sum, so a truth class's row gives where its pixels went.

    Rows without any pixels stay all zero instead of becoming NaN.
    """
    matrix = np.asarray(matrix, dtype=float)
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def _class_colours(classes: list[dict]) -> dict[str, tuple[float, float, float]]:
    """Config colours as matplotlib RGB tuples, keyed by normalised class name."""
    table = ClassTable.from_config(classes)
    return {
        normalize_name(name): tuple(channel / 255 for channel in colour)
        for name, colour in zip(table.names, table.colors)
    }


def _colour_of(name: str, colours: dict) -> tuple[float, float, float]:
    if name == IGNORED_ROW:
        return IGNORED_COLOUR
    return colours.get(normalize_name(name), UNKNOWN_COLOUR)


def _is_dark(colour: tuple[float, float, float]) -> bool:
    """Whether black text or hatching would vanish on this fill (relative luminance)."""
    red, green, blue = colour[:3]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45


def shorten(text: str, limit: int = 30) -> str:
    """Very long sample ids keep their start and end, which usually tell them apart."""
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return f"{text[:keep]}\u2026{text[-keep:]}"


def save_figure(figure, out_path: str) -> None:
    with atomic_path(out_path) as temporary:
        figure.savefig(temporary, format="png", dpi=DPI)
    plt.close(figure)


def plot_per_class_iou(
    per_class_path: str, summary_path: str, classes: list[dict], out_path: str
) -> None:
    """Horizontal bars of per-class IoU, best at the top, with the mIoU as a dashed line."""
    per_class = pd.read_csv(per_class_path, sep="\t")
    miou = float(pd.read_csv(summary_path, sep="\t")["mIoU"].iloc[0])
    colours = _class_colours(classes)
    scores = per_class.set_index("class")["IoU"]
    order = iou_order(per_class)
    figure, axis = plt.subplots(figsize=(7.5, 1.4 + 0.36 * len(order)), constrained_layout=True)
    for row, name in enumerate(order):
        iou = scores[name]
        if pd.isna(iou):
            # A class absent from truth and prediction has no IoU; saying so beats a zero bar.
            axis.text(0.01, row, "n/a", va="center", ha="left", fontsize=9, color="dimgrey")
            continue
        colour = _colour_of(name, colours)
        axis.barh(row, iou, height=0.7, color=colour, edgecolor=EDGE_COLOUR, linewidth=0.8)
        # Long bars get their value inside the bar end on a white box, so it never leaves the axes.
        inside = iou > 0.88
        axis.text(
            iou - 0.01 if inside else iou + 0.01,
            row,
            f"{iou:.2f}",
            va="center",
            ha="right" if inside else "left",
            fontsize=9,
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.85,
            },
        )
    axis.axvline(miou, color="black", linestyle="--", linewidth=1.2, label=f"mIoU {miou:.2f}")
    axis.set_yticks(range(len(order)), order)
    axis.set_ylim(len(order) - 0.5, -0.5)  # The first (best) class at the top.
    axis.set_xlim(0, 1)
    axis.set_xlabel("IoU")
    axis.set_title("IoU per class", loc="left")
    axis.grid(axis="x", alpha=0.3)
    # The legend sits above the plot, right of the title, where no bar can be.
    axis.legend(loc="lower right", bbox_to_anchor=(1, 1), frameon=False, borderaxespad=0.2)
    save_figure(figure, out_path)


def plot_confusion(confusion_path: str, classes: list[dict], out_path: str) -> None:
    """Row-normalised confusion heatmap: where each true class's pixels were predicted."""
    confusion = pd.read_csv(confusion_path, sep="\t", index_col=0)
    shares = normalise_rows(confusion.to_numpy())
    predicted_names = list(confusion.columns)
    # A true class without pixels has an all-zero row; the label says why rather than a low score.
    empty_rows = confusion.sum(axis=1).to_numpy() == 0
    truth_names = [
        f"{name} (no pixels)" if empty else name for name, empty in zip(confusion.index, empty_rows)
    ]
    count = max(len(truth_names), len(predicted_names))
    side = max(4.8, 1.9 + 0.55 * count)
    figure, axis = plt.subplots(figsize=(side + 1.0, side), constrained_layout=True)
    image = axis.imshow(shares, cmap="Blues", vmin=0, vmax=1, aspect="equal")
    # Beyond 15 classes the numbers would be too small to read, so only the colours remain.
    if count <= 15:
        fontsize = 9 if count <= 11 else 7.5
        # Cells without a single pixel are greyed so that real but small shares stand out.
        zero_counts = confusion.to_numpy() == 0
        for (row, column), share in np.ndenumerate(shares):
            colour = "white" if share > 0.55 else "#9a9a9a" if zero_counts[row, column] else "black"
            axis.text(
                column,
                row,
                f"{share:.2f}",
                ha="center",
                va="center",
                fontsize=fontsize,
                color=colour,
            )
    axis.set_xticks(
        range(len(predicted_names)),
        predicted_names,
        rotation=45,
        ha="right",
        rotation_mode="anchor",
    )
    axis.set_yticks(range(len(truth_names)), truth_names)
    axis.set_xlabel("predicted class")
    axis.set_ylabel("true class")
    axis.set_title("Confusion (each row sums to 1)", loc="left")
    figure.colorbar(image, ax=axis, shrink=0.8, label="share of true pixels")
    save_figure(figure, out_path)


def plot_class_shares(dataset_summary_path: str, classes: list[dict], out_path: str) -> None:
    """Grouped bars of each class's share of pixels, one bar per split (hatch tells them apart)."""
    summary = pd.read_csv(dataset_summary_path, sep="\t")
    colours = _class_colours(classes)
    pixels_per_split = summary.groupby("split")["pixels"].sum()
    splits = [split for split in SPLIT_STYLES if pixels_per_split.get(split, 0) > 0]
    names = list(dict.fromkeys(summary["class"]))
    # The ignored row goes last whatever the file's order, below the real classes.
    names = [name for name in names if name != IGNORED_ROW] + [IGNORED_ROW] * (IGNORED_ROW in names)
    bar_height = 0.8 / max(1, len(splits))
    figure, axis = plt.subplots(
        figsize=(8, 1.5 + len(names) * (0.2 + 0.17 * len(splits))), constrained_layout=True
    )
    shares = summary.set_index(["split", "class"])["pixel_share"]
    largest = float(shares.max()) if len(shares.dropna()) else 1.0
    for offset, split in enumerate(splits):
        for row, name in enumerate(names):
            share = shares.get((split, name), np.nan)
            if pd.isna(share):
                continue
            fill = _colour_of(name, colours)
            y = row - 0.4 + bar_height * (offset + 0.5)
            # Hatching takes a colour that contrasts with the fill, or dark classes hide it.
            axis.barh(
                y,
                share,
                height=bar_height,
                color=fill,
                edgecolor=EDGE_COLOUR,
                linewidth=0.6,
                hatch=SPLIT_STYLES[split],
                hatchcolor="white" if _is_dark(fill) else EDGE_COLOUR,
            )
            axis.text(share + largest * 0.008, y, f"{share:.1%}", va="center", fontsize=7)
    axis.set_yticks(range(len(names)), names)
    axis.set_ylim(len(names) - 0.5, -0.5)
    axis.set_xlim(0, largest * 1.15)
    axis.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    axis.set_xlabel("share of pixels (ignored pixels included)")
    axis.set_title("Pixels per class and split", loc="left")
    axis.grid(axis="x", alpha=0.3)
    handles = [
        Patch(facecolor="#d9d9d9", edgecolor=EDGE_COLOUR, hatch=SPLIT_STYLES[split], label=split)
        for split in splits
    ]
    if handles:
        axis.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1, 1),
            ncols=len(handles),
            frameon=False,
        )
    save_figure(figure, out_path)
