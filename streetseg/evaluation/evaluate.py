"""The evaluate stage: scores over a whole split from one accumulated confusion matrix."""

from __future__ import annotations

import pandas as pd

from streetseg.common.files import atomic_path
from streetseg.evaluation.metrics import confusion_matrix, per_class_scores, summary_scores
from streetseg.labels.classes import ClassTable
from streetseg.labels.masks import read_mask


def evaluate_predictions(
    pairs: list[tuple[str, str]], classes: list[dict], sample_ids: list[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Score (truth_mask_path, prediction_path) pairs.

    Returns per-class, summary and confusion tables computed from one confusion matrix over
    all pixels, and a per-image table (each image's own mIoU and pixel accuracy) for finding
    the best and worst predictions.
    """
    table = ClassTable.from_config(classes)
    sample_ids = sample_ids or [str(prediction) for _, prediction in pairs]
    total, per_image = None, []
    for sample, (truth_path, prediction_path) in zip(sample_ids, pairs):
        truth, prediction = read_mask(truth_path), read_mask(prediction_path)
        if truth.shape != prediction.shape:
            raise ValueError(
                f"{prediction_path}: prediction is {prediction.shape} but truth {truth_path} "
                f"is {truth.shape}"
            )
        counts = confusion_matrix(truth, prediction, table.num_classes)
        total = counts if total is None else total + counts
        scores = summary_scores(counts)
        per_image.append(
            {"sample": sample, "mIoU": scores["mIoU"], "pixel_accuracy": scores["pixel_accuracy"]}
        )
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
    return per_class, summary, confusion, pd.DataFrame(per_image)


def write_evaluation(
    pairs, classes, per_class_path, summary_path, confusion_path, per_image_path, sample_ids=None
) -> pd.DataFrame:
    """Evaluate and write the four TSV tables; return the summary."""
    per_class, summary, confusion, per_image = evaluate_predictions(pairs, classes, sample_ids)
    for frame, path, index in (
        (per_class, per_class_path, False),
        (summary, summary_path, False),
        (confusion, confusion_path, True),
        (per_image, per_image_path, False),
    ):
        with atomic_path(path) as temporary:
            frame.to_csv(temporary, sep="\t", index=index, float_format="%.6f", na_rep="NA")
    return summary


def test_report(per_class_path: str, summary: pd.DataFrame) -> str:
    """The test metrics for the console: IoU, precision, recall and support per class, then
    mIoU, pixel accuracy, frequency-weighted IoU and the image count."""
    per_class = pd.read_csv(per_class_path, sep="\t")
    table = per_class.to_string(index=False, float_format=lambda value: f"{value:.3f}")
    totals = summary.iloc[0]
    return (
        f"test metrics ({int(totals['n_images'])} images, {per_class_path}):\n{table}\n"
        f"mIoU {totals['mIoU']:.3f}, pixel accuracy {totals['pixel_accuracy']:.3f}, "
        f"frequency-weighted IoU {totals['fwIoU']:.3f}"
    )
