"""The result charts and the prediction overlay, on small hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from streetseg.inference.overlays import make_overlay
from streetseg.labels.classes import IGNORE_LABEL, ClassTable
from streetseg.report.charts import (
    iou_order,
    normalise_rows,
    plot_class_shares,
    plot_confusion,
    plot_per_class_iou,
)
from streetseg.report.per_image import plot_per_image_scores

CLASSES = [
    {"id": 0, "name": "background", "color": [0, 0, 0]},
    {"id": 1, "name": "road", "color": [128, 64, 128]},
    {"id": 2, "name": "sky", "color": [70, 130, 180]},
    {"id": 3, "name": "tree", "color": [34, 140, 34]},
]
NAMES = [entry["name"] for entry in CLASSES]


def write_tsv(path, frame: pd.DataFrame, index: bool = False):
    frame.to_csv(path, sep="\t", index=index, na_rep="NA")
    return str(path)


def assert_png(path, min_side: int = 300):
    """The chart exists, is a real PNG and is big enough to hold labelled axes."""
    with Image.open(path) as picture:
        assert picture.format == "PNG"
        assert min(picture.size) >= min_side
        assert max(picture.size) < 4000


@pytest.fixture
def per_class_files(tmp_path):
    per_class = pd.DataFrame(
        {
            "class": NAMES,
            "IoU": [0.25, 0.9, np.nan, 0.6],
            "precision": [0.3, 0.95, np.nan, 0.7],
            "recall": [0.5, 0.93, np.nan, 0.8],
            "support": [100, 900, 0, 400],
        }
    )
    summary = pd.DataFrame([{"mIoU": 0.583333, "pixel_accuracy": 0.9, "fwIoU": 0.8, "n_images": 4}])
    return (
        write_tsv(tmp_path / "per_class.tsv", per_class),
        write_tsv(tmp_path / "summary.tsv", summary),
    )


def test_iou_order_is_best_first_with_missing_classes_last(per_class_files):
    per_class = pd.read_csv(per_class_files[0], sep="\t")
    assert per_class["IoU"].isna().sum() == 1  # "NA" is read back as missing.
    assert iou_order(per_class) == ["road", "tree", "background", "sky"]


def test_plot_per_class_iou_writes_a_png(per_class_files, tmp_path):
    out = tmp_path / "charts" / "per_class_iou.png"
    plot_per_class_iou(*per_class_files, CLASSES, str(out))
    assert_png(out)
    # Only the finished file is left behind: atomic_path removed its temporary.
    assert [path.name for path in out.parent.iterdir()] == ["per_class_iou.png"]


def test_normalise_rows_by_hand():
    matrix = np.array([[3, 1, 0], [0, 0, 0], [2, 2, 4]])
    expected = np.array([[0.75, 0.25, 0.0], [0.0, 0.0, 0.0], [0.25, 0.25, 0.5]])
    shares = normalise_rows(matrix)
    np.testing.assert_allclose(shares, expected)
    assert not np.isnan(shares).any()


def test_plot_confusion_writes_a_png(tmp_path):
    counts = np.array([[50, 5, 0, 0], [10, 80, 0, 10], [0, 0, 0, 0], [0, 20, 0, 30]])
    confusion = pd.DataFrame(counts, index=NAMES, columns=NAMES)
    confusion.index.name = "truth\\prediction"
    path = write_tsv(tmp_path / "confusion.tsv", confusion, index=True)
    out = tmp_path / "confusion.png"
    plot_confusion(path, CLASSES, str(out))
    assert_png(out)


def test_plot_class_shares_skips_empty_splits(tmp_path):
    rows = []
    splits = {"train": [10, 50, 30, 5, 5], "val": [0, 0, 0, 0, 0], "test": [5, 20, 20, 3, 2]}
    for split, pixels in splits.items():
        total = sum(pixels)
        for name, count in zip(NAMES + ["ignored (255)"], pixels):
            share = count / total if total else np.nan
            rows.append(
                {"split": split, "class": name, "pixels": count, "pixel_share": share, "images": 2}
            )
    path = write_tsv(tmp_path / "dataset_summary.tsv", pd.DataFrame(rows))
    out = tmp_path / "class_shares.png"
    plot_class_shares(path, CLASSES, str(out))
    assert_png(out)


def test_plot_per_image_scores_writes_a_png(tmp_path):
    scores = pd.DataFrame(
        {
            "sample": [f"scene_{index:03d}" for index in range(9)],
            "mIoU": [0.1, 0.9, 0.5, 0.55, np.nan, 0.7, 0.3, 0.62, 0.48],
            "pixel_accuracy": [0.5, 0.99, 0.8, 0.8, np.nan, 0.9, 0.7, 0.85, 0.8],
        }
    )
    path = write_tsv(tmp_path / "per_image.tsv", scores)
    out = tmp_path / "per_image.png"
    plot_per_image_scores(path, str(out))
    assert_png(out)


def test_plot_per_image_scores_with_few_images(tmp_path):
    scores = pd.DataFrame(
        {"sample": ["only", "two"], "mIoU": [0.4, 0.8], "pixel_accuracy": [0.9, 0.9]}
    )
    out = tmp_path / "per_image.png"
    plot_per_image_scores(write_tsv(tmp_path / "per_image.tsv", scores), str(out))
    assert_png(out)


def test_make_overlay_blends_colours_and_keeps_ignored_pixels():
    table = ClassTable.from_config(CLASSES)
    photo_colour = np.array([100, 150, 200], dtype=np.uint8)
    image = np.tile(photo_colour, (4, 6, 1))
    prediction = np.full((4, 6), 3, dtype=np.uint8)  # tree, colour (34, 140, 34)
    prediction[0, 0] = IGNORE_LABEL
    prediction[3, 5] = 1  # road, colour (128, 64, 128)
    overlay = make_overlay(image, prediction, table, alpha=0.5)
    assert overlay.height > 4 * 60  # Enlarged so the legend is legible, and the legend adds height.
    zoom = int(np.ceil(240 / 4))
    tile_w = 6 * zoom
    left = (overlay.width - tile_w) // 2
    pixels = np.asarray(overlay)

    def at(row, column):
        """The middle of an enlarged mask pixel (without a title the image starts at the top)."""
        return tuple(pixels[row * zoom + zoom // 2, left + column * zoom + zoom // 2])

    # Tree: (100 + 34) / 2, (150 + 140) / 2, (200 + 34) / 2.
    # Road: (100 + 128) / 2, (150 + 64) / 2, (200 + 128) / 2.
    assert at(1, 1) == (67, 145, 117)
    assert at(3, 5) == (114, 107, 164)
    assert at(0, 0) == (100, 150, 200)
    # The legend strip below the image is not plain white: it holds the swatches.
    legend = pixels[zoom * 4 + 8 :]
    assert legend.shape[0] > 10 and (legend < 250).any()


def test_make_overlay_title_adds_height():
    table = ClassTable.from_config(CLASSES)
    image = np.zeros((240, 320, 3), dtype=np.uint8)
    prediction = np.zeros((240, 320), dtype=np.uint8)
    plain = make_overlay(image, prediction, table)
    titled = make_overlay(image, prediction, table, title="scene_001")
    assert titled.height > plain.height > 240
    assert plain.width == 320 + 16
