"""The dataset summary: class shares per split, images per class, and the empty-class warning."""

import json

import numpy as np
import pytest

from streetseg.classes import ClassTable
from streetseg.dataset import summarize_dataset, write_dataset_summary
from streetseg.masks import encode_mask


def _sample(tmp_path, classes, name, mask, **stats):
    mask_path = tmp_path / f"{name}.png"
    mask_path.write_bytes(encode_mask(np.array(mask, dtype=np.uint8), ClassTable.from_config(classes)))
    stats_path = tmp_path / f"{name}.json"
    base = {"width": 2, "height": 2, "format": "labelbox_voc", "coverage": 1.0, "objects": 1,
            "ignored": 0, "unknown": 0, "unknown_names": []}  # fmt: skip
    stats_path.write_text(json.dumps({**base, **stats}))
    return str(mask_path), str(stats_path)


def test_shares_images_and_warning_on_a_hand_worked_case(tmp_path, classes):
    # Train: a = [[road, road], [sky, 255]], b = [[road]*2, [road]*2]; test: c = all sky.
    rows = [
        ("a", "train", *_sample(tmp_path, classes, "a", [[3, 3], [6, 255]], ignored=1, coverage=0.75)),
        ("b", "train", *_sample(tmp_path, classes, "b", [[3, 3], [3, 3]], unknown=2, unknown_names=["car", "car"])),
        ("c", "test", *_sample(tmp_path, classes, "c", [[6, 6], [6, 6]])),
    ]
    per_class, per_image, warnings = summarize_dataset(rows, classes)
    train = per_class[per_class["split"] == "train"].set_index("class")
    assert train.loc["road", "pixels"] == 6 and train.loc["road", "images"] == 2
    assert train.loc["road", "pixel_share"] == pytest.approx(6 / 8)
    assert train.loc["sky", "pixel_share"] == pytest.approx(1 / 8)
    assert train.loc["ignored (255)", "pixels"] == 1
    test = per_class[per_class["split"] == "test"].set_index("class")
    assert test.loc["sky", "pixel_share"] == 1.0
    assert per_image.set_index("sample").loc["b", "unknown_names"] == "car"
    # Every class but road and sky is missing from train.
    assert len(warnings) == 6 and any("'tree' has no pixels in the train split" in w for w in warnings)


def test_warnings_reach_the_console_callback(tmp_path, classes):
    rows = [("a", "train", *_sample(tmp_path, classes, "a", [[3, 3], [3, 3]]))]
    said = []
    write_dataset_summary(rows, classes, tmp_path / "s.tsv", tmp_path / "i.tsv", warn=said.append)
    assert said and all(message.startswith("WARNING: class") for message in said)
    assert (tmp_path / "s.tsv").read_text().startswith("split\tclass\tpixels\tpixel_share\timages")
