"""The experiments stage: each variant's test scores, and one row per variant with its
overrides, speed and scores."""

from __future__ import annotations

import dataclasses
import os

import pandas as pd

from streetseg.common.files import atomic_path
from streetseg.evaluation.evaluate import write_evaluation
from streetseg.inference.predict import predict_samples
from streetseg.inference.settings import PredictChunk, SegmentSettings
from streetseg.model.runs import read_run_record


def score_experiment(
    model_path: str,
    chunk: PredictChunk,
    tables: dict[str, str],
    settings: SegmentSettings,
    known_bad: dict[str, str],
    log=print,
) -> pd.DataFrame:
    """Predict the test split (``chunk``) with a variant's model (masks only, whatever
    ``settings.pictures`` says) and score it as the evaluate stage does; return the summary.

    ``tables`` maps per_class, summary, confusion and per_image to their paths. Samples in
    ``known_bad`` (sample -> problem; on_bad_sample: skip) are predicted where their photo
    can be read, and never scored. ``settings.tta`` is predict.tta.
    """
    os.makedirs(chunk.out_dir, exist_ok=True)
    predict_samples(
        model_path,
        chunk,
        dataclasses.replace(settings, pictures=False),
        log=log,
        known_bad=known_bad,
    )
    scored = [
        (sample, truth, os.path.join(chunk.out_dir, f"{sample}.png"))
        for sample, truth in zip(chunk.samples, chunk.truths)
        if sample not in known_bad
    ]
    return write_evaluation(
        [(truth, prediction) for _, truth, prediction in scored],
        settings.classes,
        tables["per_class"],
        tables["summary"],
        tables["confusion"],
        tables["per_image"],
        sample_ids=[sample for sample, _, _ in scored],
    )


def experiment_row(
    name: str,
    overrides: str,
    history_path: str,
    run_path: str,
    summary_path: str,
    per_class_path: str,
) -> dict:
    """A variant's row: overrides, machine, train wall time, images/s, epochs, best val mIoU
    (the epoch its checkpoint was kept from), test mIoU, pixel accuracy, then per class the
    IoU, and the precision and recall where ``per_class_path`` has them (a class predicted
    far more often than it is there shows as low precision, which IoU alone hides)."""
    history = pd.read_csv(history_path, sep="\t")
    run = read_run_record(run_path)
    summary = pd.read_csv(summary_path, sep="\t").iloc[0]
    per_class = pd.read_csv(per_class_path, sep="\t")
    val = history["val_miou"].dropna() if "val_miou" in history else pd.Series(dtype=float)
    row = {
        "experiment": name,
        "overrides": overrides or "(base config)",
        "machine": run["machine"],
        "train_minutes": round(run["wall_seconds"] / 60.0, 2),
        "images_per_second": run["images_per_second"],
        "epochs": run["epochs"],
        "best_val_mIoU": round(float(val.max()), 4) if len(val) else None,
        "best_epoch": int(history.loc[val.idxmax(), "epoch"]) if len(val) else None,
        "test_mIoU": round(float(summary["mIoU"]), 4),
        "pixel_accuracy": round(float(summary["pixel_accuracy"]), 4),
    }
    for column in ("IoU", "precision", "recall"):
        if column not in per_class:
            continue
        for class_name, value in zip(per_class["class"], per_class[column]):
            row[f"{column}_{class_name}"] = None if pd.isna(value) else round(float(value), 4)
    return row


def write_experiment_summary(variants: list[dict], out_path: str) -> pd.DataFrame:
    """The table of ``variants`` (keyword arguments of :func:`experiment_row`), in the
    config's order, written as TSV."""
    table = pd.DataFrame([experiment_row(**variant) for variant in variants])
    with atomic_path(out_path) as temporary:
        table.to_csv(temporary, sep="\t", index=False, na_rep="NA")
    return table
