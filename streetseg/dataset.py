"""The dataset stage: what the labels hold, per class and per image, before any training."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from streetseg.classes import IGNORE_LABEL, ClassTable
from streetseg.io import atomic_path
from streetseg.masks import read_mask
from streetseg.splits import SPLITS


def summarize_dataset(samples: list[tuple[str, str, str, str]], classes: list[dict]):
    """Summarise (sample, split, mask_path, stats_path) rows.

    Returns (per_class, per_image, warnings). ``per_class`` has one row per split and class
    with its pixel count, pixel share and the number of images containing it; ``per_image``
    has each image's size, format, labelled coverage, and its counts of objects, ignored and
    unknown labels.
    """
    table = ClassTable.from_config(classes)
    counts = {split: np.zeros(256, dtype=np.int64) for split in SPLITS}
    present = {split: np.zeros(256, dtype=np.int64) for split in SPLITS}
    images = []
    for sample, split, mask_path, stats_path in samples:
        histogram = np.bincount(read_mask(mask_path).ravel(), minlength=256)
        counts[split] += histogram
        present[split] += histogram > 0
        with open(stats_path) as handle:
            stats = json.load(handle)
        images.append(
            {
                "sample": sample,
                "split": split,
                "width": stats["width"],
                "height": stats["height"],
                "format": stats["format"],
                "coverage": stats["coverage"],
                "objects": stats["objects"],
                "ignored": stats["ignored"],
                "unknown": stats["unknown"],
                "unknown_names": ";".join(sorted(set(stats["unknown_names"]))),
            }
        )
    rows = []
    for split in SPLITS:
        total = counts[split].sum()
        for class_id, name in zip(table.ids, table.names):
            rows.append(_class_row(split, name, counts[split][class_id], present[split][class_id], total))
        rows.append(
            _class_row(split, "ignored (255)", counts[split][IGNORE_LABEL], present[split][IGNORE_LABEL], total)
        )
    per_class = pd.DataFrame(rows)
    warnings = [
        f"class {name!r} has no pixels in the train split; the model cannot learn it"
        for class_id, name in zip(table.ids, table.names)
        if counts["train"].sum() and counts["train"][class_id] == 0
    ]
    return per_class, pd.DataFrame(images), warnings


def _class_row(split: str, name: str, pixels: int, images: int, total: int) -> dict:
    return {
        "split": split,
        "class": name,
        "pixels": int(pixels),
        "pixel_share": float(pixels / total) if total else float("nan"),
        "images": int(images),
    }


def write_dataset_summary(samples, classes, summary_path, images_path, warn=print) -> list[str]:
    """Write the per-class and per-image tables; report each warning through ``warn``."""
    per_class, per_image, warnings = summarize_dataset(samples, classes)
    for frame, path in ((per_class, summary_path), (per_image, images_path)):
        with atomic_path(path) as temporary:
            frame.to_csv(temporary, sep="\t", index=False, float_format="%.6f", na_rep="NA")
    for message in warnings:
        warn(f"WARNING: {message}")
    return warnings
