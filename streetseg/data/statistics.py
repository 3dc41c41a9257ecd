"""The dataset stage: what the labels hold, per class and per image, before any training."""

from __future__ import annotations

import pandas as pd

from streetseg.common.files import atomic_path
from streetseg.common.problems import describe
from streetseg.data.splits import SPLITS
from streetseg.labels.classes import IGNORE_LABEL, ClassTable
from streetseg.labels.masks import pixel_columns


def summarize_dataset(split_of: dict[str, str], stats: pd.DataFrame, classes: list[dict]):
    """Summarise the mask statistics (the mask stage's tables, concatenated) of the samples
    in ``split_of`` (sample -> split).

    Returns (per_class, per_image, warnings). ``per_class`` has one row per split and class
    with its pixel count, pixel share and the number of images containing it; ``per_image``
    has each image's size, format, labelled coverage, and its counts of objects, ignored and
    unknown labels.
    """
    table = ClassTable.from_config(classes)
    columns = pixel_columns(table)
    missing = sorted(set(split_of) - set(stats["sample"]))
    if missing:
        raise ValueError(
            f"no mask statistics for {len(missing)} sample(s): {', '.join(missing[:5])}"
        )
    stats = stats.set_index("sample").loc[sorted(split_of)]
    stats.insert(0, "split", [split_of[sample] for sample in stats.index])
    rows = []
    for split in SPLITS:
        pixels = stats.loc[stats["split"] == split, columns]
        totals, images, total = pixels.sum(), (pixels > 0).sum(), int(pixels.to_numpy().sum())
        names = [*table.names, f"ignored ({IGNORE_LABEL})"]
        rows += [
            _class_row(split, name, totals[column], images[column], total)
            for name, column in zip(names, columns)
        ]
    per_class = pd.DataFrame(rows)
    train = stats.loc[stats["split"] == "train", columns].sum()
    warnings = [
        f"class {name!r} has no pixels in the train split; the model cannot learn it"
        for name, column in zip(table.names, columns)
        if train.sum() and train[column] == 0
    ]
    per_image = stats.drop(columns=columns).reset_index()
    per_image["unknown_names"] = per_image["unknown_names"].fillna("")
    return per_class, per_image, warnings


def _class_row(split: str, name: str, pixels: int, images: int, total: int) -> dict:
    return {
        "split": split,
        "class": name,
        "pixels": int(pixels),
        "pixel_share": float(pixels / total) if total else float("nan"),
        "images": int(images),
    }


def read_stats(paths: list[str]) -> pd.DataFrame:
    """The mask stage's statistics tables (results/masks/stats/*.tsv), concatenated."""
    frames = [
        pd.read_csv(path, sep="\t", dtype={"sample": str, "unknown_names": str}) for path in paths
    ]
    return pd.concat(frames, ignore_index=True)


def share_table(per_class: pd.DataFrame) -> str:
    """The class shares as the console shows them: a row per class, a column per split."""
    shares = per_class.pivot(index="class", columns="split", values="pixel_share")
    shares = shares.reindex(index=list(dict.fromkeys(per_class["class"])), columns=list(SPLITS))
    return (shares * 100).to_string(float_format=lambda value: f"{value:5.1f} %", na_rep="    -")


def write_dataset_summary(
    split_of, stats_paths, classes, summary_path, images_path, warn=print, problems=()
) -> list[str]:
    """Write the per-class and per-image tables; report the class shares, the sample counts
    and each warning through ``warn``. The samples of ``problems`` (streetseg.common.problems, left
    out under on_bad_sample: skip) are per-image rows of split "skipped" with their problem."""
    per_class, per_image, warnings = summarize_dataset(split_of, read_stats(stats_paths), classes)
    reasons: dict[str, str] = {}
    for problem in problems:
        if problem.sample and problem.sample not in split_of:
            reasons.setdefault(problem.sample, describe(problem))
    skipped = pd.DataFrame(
        {"sample": list(reasons), "split": "skipped", "problem": list(reasons.values())}
    )
    per_image = pd.concat([per_image.assign(problem=""), skipped], ignore_index=True)
    for frame, path in ((per_class, summary_path), (per_image, images_path)):
        with atomic_path(path) as temporary:
            frame.to_csv(temporary, sep="\t", index=False, float_format="%.6f", na_rep="NA")
    counts = per_image["split"].value_counts()
    warn("pixel share per class and split:\n" + share_table(per_class))
    warn(
        ", ".join(f"{split} {counts.get(split, 0)}" for split in SPLITS)
        + f" images; {len(reasons)} skipped with problems"
    )
    for line in left_out_lines(per_image):
        warn(line)
    for message in warnings:
        warn(f"WARNING: {message}")
    return warnings


def left_out_lines(per_image: pd.DataFrame) -> list[str]:
    """Console lines for the objects no mask shows as a class: those with unknown names
    (painted ignored under labels.unknown: ignore) and the shapes a reader skips (points,
    lines), with the images they are in."""
    lines = []
    unknown = per_image[per_image["unknown"].fillna(0) > 0]
    if len(unknown):
        names = sorted({n for text in unknown["unknown_names"] for n in str(text).split(";") if n})
        shown = ", ".join(repr(n) for n in names[:10]) + (" ..." if len(names) > 10 else "")
        lines.append(
            f"{int(unknown['unknown'].sum())} objects in {len(unknown)} images have unknown "
            f"class names, ignored (255) under labels.unknown: ignore: {shown}"
        )
    skipped = per_image[per_image["skipped"].fillna(0) > 0]
    if len(skipped):
        lines.append(
            f"{int(skipped['skipped'].sum())} shapes in {len(skipped)} images were skipped "
            "(points, lines and other shapes without an area; results/dataset/images.tsv)"
        )
    return lines
