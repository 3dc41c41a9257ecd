"""The dataset summary: class shares per split, images per class, and the empty-class warning."""

import numpy as np
import pandas as pd
import pytest

from streetseg.data.statistics import summarize_dataset, write_dataset_summary
from streetseg.labels.classes import ClassTable
from streetseg.labels.masks import pixel_columns


def _row(classes, name, mask, **stats):
    """One row of a mask-stage statistics table for a hand-written mask."""
    counts = np.bincount(np.array(mask, dtype=np.uint8).ravel(), minlength=256)
    table = ClassTable.from_config(classes)
    pixels = dict(zip(pixel_columns(table), counts[[*table.ids, 255]].tolist()))
    base = {
        "sample": name,
        "width": 2,
        "height": 2,
        "format": "labelbox_voc",
        "coverage": 1.0,
        "objects": 1,
        "ignored": 0,
        "unknown": 0,
        "skipped": 0,
        "unknown_names": "",
    }
    return {**base, **stats, **pixels}


def test_shares_images_and_warning_on_a_hand_worked_case(tmp_path, classes):
    # Train: a = [[road, road], [sky, 255]], b = [[road]*2, [road]*2]; test: c = all sky.
    rows = [
        _row(classes, "c", [[6, 6], [6, 6]]),
        _row(classes, "a", [[3, 3], [6, 255]], ignored=1, coverage=0.75),
        _row(classes, "b", [[3, 3], [3, 3]], unknown=2, unknown_names="car", skipped=3),
        _row(classes, "z", [[1, 1], [1, 1]]),  # in the tables but in no split: left out
    ]
    stats = pd.DataFrame(rows)
    split_of = {"a": "train", "b": "train", "c": "test"}
    per_class, per_image, warnings = summarize_dataset(split_of, stats, classes)
    train = per_class[per_class["split"] == "train"].set_index("class")
    assert train.loc["road", "pixels"] == 6 and train.loc["road", "images"] == 2
    assert train.loc["road", "pixel_share"] == pytest.approx(6 / 8)
    assert train.loc["sky", "pixel_share"] == pytest.approx(1 / 8)
    assert train.loc["ignored (255)", "pixels"] == 1
    test = per_class[per_class["split"] == "test"].set_index("class")
    assert test.loc["sky", "pixel_share"] == 1.0
    assert list(per_image["sample"]) == ["a", "b", "c"] and list(per_image["split"]) == [
        "train",
        "train",
        "test",
    ]
    assert per_image.set_index("sample").loc["b", "unknown_names"] == "car"
    assert per_image.set_index("sample").loc["b", "skipped"] == 3  # shapes without area, per image
    assert not any(column.startswith("pixels_") for column in per_image.columns)
    # Every class but road and sky is missing from train.
    assert len(warnings) == 6 and any(
        "'tree' has no pixels in the train split" in w for w in warnings
    )


def test_warnings_reach_the_console_callback(tmp_path, classes):
    pd.DataFrame([_row(classes, "a", [[3, 3], [3, 3]])]).to_csv(
        tmp_path / "00000.tsv", sep="\t", index=False
    )
    said = []
    write_dataset_summary(
        {"a": "train"},
        [tmp_path / "00000.tsv"],
        classes,
        tmp_path / "s.tsv",
        tmp_path / "i.tsv",
        warn=said.append,
    )
    assert said[0].startswith("pixel share per class and split:") and "tree" in said[0]
    assert said[1] == "train 1, val 0, test 0 images; 0 skipped with problems"
    assert said[2:] and all(message.startswith("WARNING: class") for message in said[2:])
    assert (tmp_path / "s.tsv").read_text().startswith("split\tclass\tpixels\tpixel_share\timages")


def test_a_sample_without_statistics_is_named(classes):
    stats = pd.DataFrame([_row(classes, "a", [[3, 3], [3, 3]])])
    with pytest.raises(ValueError, match="no mask statistics for 1 sample.*: b"):
        summarize_dataset({"a": "train", "b": "val"}, stats, classes)


def test_skipped_samples_are_counted_with_their_problem(tmp_path, classes):
    from streetseg.common.problems import Problem

    pd.DataFrame([_row(classes, "a", [[3, 3], [3, 3]])]).to_csv(
        tmp_path / "00000.tsv", sep="\t", index=False
    )
    problems = [
        Problem("b", "data/b.xml", "object 2 ('truck')", "unknown class 'truck'"),
        Problem("", "data/.c.xml", "", "hidden"),
    ]
    said = []
    write_dataset_summary(
        {"a": "train"},
        [tmp_path / "00000.tsv"],
        classes,
        tmp_path / "s.tsv",
        tmp_path / "i.tsv",
        warn=said.append,
        problems=problems,
    )
    assert said[1] == "train 1, val 0, test 0 images; 1 skipped with problems"
    images = pd.read_csv(tmp_path / "i.tsv", sep="\t", keep_default_na=False).set_index("sample")
    assert images.loc["b", "split"] == "skipped"
    assert images.loc["b", "problem"] == "data/b.xml: object 2 ('truck'): unknown class 'truck'"
    assert images.loc["a", "problem"] == "" and images.loc["a", "split"] == "train"


def test_unknown_and_skipped_objects_are_counted_for_the_console():
    from streetseg.data.statistics import left_out_lines

    per_image = pd.DataFrame(
        {
            "sample": ["a", "b", "c"],
            "unknown": [2, 0, 1],
            "unknown_names": ["car;lamppost", "", "car"],
            "skipped": [0, 3, 1],
        }
    )
    assert left_out_lines(per_image) == [
        "3 objects in 2 images have unknown class names, ignored (255) under labels.unknown: "
        "ignore: 'car', 'lamppost'",
        "4 shapes in 2 images were skipped (points, lines and other shapes without an area; "
        "results/dataset/images.tsv)",
    ]
    assert left_out_lines(per_image.assign(unknown=0, skipped=0)) == []
