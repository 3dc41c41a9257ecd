"""The evaluate stage: scores over a whole split from one accumulated confusion matrix."""

from __future__ import annotations

import pandas as pd

from streetseg.classes import ClassTable
from streetseg.io import atomic_path
from streetseg.masks import read_mask
from streetseg.metrics import confusion_matrix, per_class_scores, summary_scores


def evaluate_predictions(
    pairs: list[tuple[str, str]], classes: list[dict]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Score (truth_mask_path, prediction_path) pairs; return per-class, summary, confusion."""
    table = ClassTable.from_config(classes)
    total = None
    for truth_path, prediction_path in pairs:
        truth, prediction = read_mask(truth_path), read_mask(prediction_path)
        if truth.shape != prediction.shape:
            raise ValueError(
                f"{prediction_path}: prediction is {prediction.shape} but truth {truth_path} "
                f"is {truth.shape}"
            )
        counts = confusion_matrix(truth, prediction, table.num_classes)
        total = counts if total is None else total + counts
    if total is None:
        raise ValueError("nothing to evaluate: the split has no images")
    scores = per_class_scores(total)
    per_class = pd.DataFrame(
        {
            "class": table.names,
            "IoU": scores["iou"],
            "precision": scores["precision"],
            "recall": scores["recall"],
            "support": scores["support"].astype("int64"),
        }
    )
    summary = pd.DataFrame([{**summary_scores(total), "n_images": len(pairs)}])
    confusion = pd.DataFrame(total, index=list(table.names), columns=list(table.names))
    confusion.index.name = "truth\\prediction"
    return per_class, summary, confusion


def write_evaluation(pairs, classes, per_class_path, summary_path, confusion_path) -> pd.DataFrame:
    """Evaluate and write the three TSV tables; return the summary."""
    per_class, summary, confusion = evaluate_predictions(pairs, classes)
    for frame, path, index in (
        (per_class, per_class_path, False),
        (summary, summary_path, False),
        (confusion, confusion_path, True),
    ):
        with atomic_path(path) as temporary:
            frame.to_csv(temporary, sep="\t", index=index, float_format="%.6f", na_rep="NA")
    return summary
