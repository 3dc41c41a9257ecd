"""What is checked before any job: what unpainted pixels become, the input size against the
model's depth, a given model's classes against the config."""

from __future__ import annotations

import json

import numpy as np
import pytest

from streetseg.labels.classes import ConfigError, unannotated_class
from streetseg.labels.masks import build_mask
from streetseg.model.preflight import check_image_size, check_model_classes

CARS_FIRST = [
    {"id": 0, "name": "car", "color": [0, 0, 255]},
    {"id": 1, "name": "road", "color": [128, 64, 128]},
    {"id": 2, "name": "Background", "color": [0, 0, 0]},
]
NO_BACKGROUND = CARS_FIRST[:2]


def test_unpainted_pixels_are_the_background_class_whatever_its_id(make_sample):
    # A 12x8 image whose upper half is sky and lower triangle road: "sky" aliased to car.
    image, xml = make_sample()
    mask, _ = build_mask(xml, image, CARS_FIRST, {"aliases": {"sky": "car"}})
    # The triangle from (0,8) over (6,4) to (12,8) leaves the rest of the lower half unpainted:
    # those pixels are background (id 2), not class id 0 (car).
    assert mask[4, 0] == 2 and mask[7, 6] == 1 and mask[0, 0] == 0
    assert set(np.unique(mask)) == {0, 1, 2}


def test_unannotated_may_be_ignored_or_any_class(make_sample):
    image, xml = make_sample()
    ignored, _ = build_mask(
        xml, image, NO_BACKGROUND, {"aliases": {"sky": "car"}, "unannotated": "ignore"}
    )
    assert ignored[4, 0] == 255 and ignored[0, 0] == 0
    road, _ = build_mask(
        xml, image, NO_BACKGROUND, {"aliases": {"sky": "car"}, "unannotated": " ROAD"}
    )
    assert road[4, 0] == 1


def test_a_polygon_dataset_without_background_needs_the_key():
    with pytest.raises(ConfigError, match="labels.unannotated is needed: 1 polygon annotation"):
        unannotated_class(NO_BACKGROUND, "", ["data/a.xml", "data/b.png"])
    # Dense masks give every pixel a value, so they need no answer.
    assert unannotated_class(NO_BACKGROUND, "", ["data/b.png"]) == "ignore"
    assert unannotated_class(CARS_FIRST, "", ["data/a.xml"]) == "Background"
    with pytest.raises(ConfigError, match="'sky' is neither a class nor 'ignore'"):
        unannotated_class(CARS_FIRST, "sky", [])


def test_the_input_size_must_fit_the_model():
    check_image_size([64, 96], {"encoder": "unet", "depth": 5})
    with pytest.raises(
        ConfigError,
        match=r"train.image_size 100x96 must be divisible by 32 .*\(depth 5\); e.g. 96x96",
    ):
        check_image_size([100, 96], {"encoder": "unet", "depth": 5})
    with pytest.raises(
        ConfigError, match="divisible by 32 on both sides \\(encoder mobilenet_v2\\)"
    ):
        check_image_size([48, 64], {"encoder": "mobilenet_v2", "depth": 2})


def test_a_model_with_other_classes_is_refused_from_its_metadata(tmp_path):
    from streetseg.model.unet import build_unet

    build_unet((16, 16), num_classes=8, depth=1, base_filters=2).save(tmp_path / "m.keras")
    nine = [{"id": i, "name": f"c{i}", "color": [i, i, i]} for i in range(9)]
    with pytest.raises(
        ConfigError, match="m.keras: the model predicts 8 classes but the config lists 9"
    ):
        check_model_classes(tmp_path / "m.keras", nine)
    check_model_classes(tmp_path / "m.keras", nine[:8])
    # An exported SavedModel folder says it in streetseg.json.
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "streetseg.json").write_text(json.dumps({"classes": nine[:3]}))
    with pytest.raises(ConfigError, match="predicts 3 classes"):
        check_model_classes(tmp_path / "saved", nine)
