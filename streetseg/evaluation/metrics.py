"""Segmentation metrics from a confusion matrix accumulated over a whole split."""

from __future__ import annotations

import numpy as np

from streetseg.labels.classes import IGNORE_LABEL


def confusion_matrix(
    truth: np.ndarray, prediction: np.ndarray, num_classes: int, ignore_label: int = IGNORE_LABEL
) -> np.ndarray:
    """Counts[true_class, predicted_class] over all pixels whose truth is not ignored."""
    truth = np.asarray(truth).ravel().astype(np.int64)
    prediction = np.asarray(prediction).ravel().astype(np.int64)
    if truth.shape != prediction.shape:
        raise ValueError(f"truth has {truth.size} pixels but prediction has {prediction.size}")
    keep = truth != ignore_label
    truth, prediction = truth[keep], prediction[keep]
    if truth.size and (truth.max() >= num_classes or prediction.max() >= num_classes):
        raise ValueError(f"class ids must be below {num_classes} (or {ignore_label} in truth)")
    counts = np.bincount(truth * num_classes + prediction, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes)


def per_class_scores(confusion: np.ndarray) -> dict[str, np.ndarray]:
    """IoU, precision, recall and support per class; NaN where a score is undefined.

    A class that appears in neither truth nor prediction has an undefined IoU (0 / 0), and it
    is left out of the mean rather than counted as 0.
    """
    confusion = confusion.astype(np.float64)
    true_positive = np.diag(confusion)
    support = confusion.sum(axis=1)
    predicted = confusion.sum(axis=0)
    union = support + predicted - true_positive
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(union > 0, true_positive / union, np.nan)
        precision = np.where(predicted > 0, true_positive / predicted, np.nan)
        recall = np.where(support > 0, true_positive / support, np.nan)
    return {"iou": iou, "precision": precision, "recall": recall, "support": support}


def summary_scores(confusion: np.ndarray) -> dict[str, float]:
    """mIoU (over classes present in truth or prediction), pixel accuracy and fwIoU."""
    scores = per_class_scores(confusion)
    total = confusion.sum()
    iou = scores["iou"]
    defined = ~np.isnan(iou)
    frequency = scores["support"] / total if total else np.zeros_like(iou)
    return {
        "mIoU": float(np.mean(iou[defined])) if defined.any() else float("nan"),
        "pixel_accuracy": float(np.trace(confusion) / total) if total else float("nan"),
        "fwIoU": float(np.sum(frequency[defined] * iou[defined])) if total else float("nan"),
    }
