"""Class-name resolution in a mask: aliases, the unknown-name policy and ignored names."""

import numpy as np

from streetseg.labels.masks import make_mask


def test_unknown_policy_ignore_skips_and_aliases_map(make_sample, tmp_path, classes):
    square = np.array([[0, 0], [12, 0], [12, 8], [0, 8]])
    image, xml = make_sample(objects=[("vegetation", square), ("lamppost", square)])
    mask = make_mask(
        xml,
        image,
        tmp_path / "m.png",
        classes,
        labels={"aliases": {"Vegetation": "landscaping"}, "unknown": "ignore"},
    )
    assert np.all(mask == 2)


def test_ignored_names_become_255(make_sample, tmp_path, classes):
    square = np.array([[0, 0], [12, 0], [12, 8], [0, 8]])
    image, xml = make_sample(objects=[("car", square)])
    mask = make_mask(xml, image, tmp_path / "m.png", classes, labels={"ignore": ["car"]})
    assert np.all(mask == 255)


def test_every_label_target_that_is_no_class_is_named_at_once(classes):
    import pytest

    from streetseg.labels.resolver import LabelTargetError, check_label_targets

    labels = {
        "aliases": {"Trees": "tree", "vegetation": "greenery", "void": "ignore"},
        "ignore": ["clutter"],
        "index_map": {0: "road", 3: "nope", 4: "Trees", 5: "clutter"},
        "color_map": {"255,0,0": "sky", "#ff0000": "road"},
    }
    with pytest.raises(LabelTargetError) as error:
        check_label_targets(labels, classes)
    lines = str(error.value).split("\n  ")
    assert lines[:-1] == [
        "labels.aliases: 'vegetation' maps to 'greenery', which is not a class",
        "labels.index_map: 3 maps to 'nope', which is not a class",
        "labels.color_map: colour '#ff0000' is not 'R,G,B'",
    ]
    assert lines[-1].startswith("(the classes are background, tree,")
    check_label_targets({"aliases": {"Trees": "tree"}, "index_map": {1: "Trees"}}, classes)
