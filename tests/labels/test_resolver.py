"""Class-name resolution in a mask: aliases, the unknown-name policy and ignored names."""

import numpy as np

from streetseg.labels.masks import make_mask
from tests.helpers import mask_settings


def test_unknown_policy_ignore_leaves_unknown_objects_out_and_aliases_map(
    make_sample, tmp_path, classes
):
    # The unknown lamppost (columns 4..7, rows 2..5) painted over the vegetation is ignored
    # (255): left out of training and scores, not given to the class beneath it.
    square = np.array([[0, 0], [12, 0], [12, 8], [0, 8]])
    post = np.array([[4, 2], [8, 2], [8, 6], [4, 6]])
    image, xml = make_sample(objects=[("vegetation", square), ("lamppost", post)])
    mask = make_mask(
        xml,
        image,
        tmp_path / "m.png",
        mask_settings(
            classes, labels={"aliases": {"Vegetation": "landscaping"}, "unknown": "ignore"}
        ),
    )
    expected = np.full((8, 12), 2)
    expected[2:6, 4:8] = 255
    np.testing.assert_array_equal(mask, expected)


def test_every_unknown_name_of_a_file_is_named_with_its_count(make_sample, tmp_path, classes):
    import pytest

    from streetseg.labels.formats.base import AnnotationError

    square = np.array([[0, 0], [12, 0], [12, 8], [0, 8]])
    objects = [("Vegetation", square)] * 10 + [("road", square), ("car", square)]
    image, xml = make_sample(objects=objects)
    with pytest.raises(AnnotationError) as error:
        make_mask(xml, image, tmp_path / "m.png", mask_settings(classes))
    assert str(error.value).startswith(
        f"{xml}: unknown classes 'Vegetation' (10 objects, first object 1 ('Vegetation')), "
        "'car' (1 object, first object 12 ('car')); known classes: background, tree,"
    )


def test_ignored_names_become_255(make_sample, tmp_path, classes):
    square = np.array([[0, 0], [12, 0], [12, 8], [0, 8]])
    image, xml = make_sample(objects=[("car", square)])
    mask = make_mask(
        xml, image, tmp_path / "m.png", mask_settings(classes, labels={"ignore": ["car"]})
    )
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
