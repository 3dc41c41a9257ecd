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
