"""What is checked before any job: the input size against the model's depth, a given model's
classes against the config."""

from __future__ import annotations

import json

import pytest

from streetseg.labels.classes import ConfigError
from streetseg.model.preflight import check_image_size, check_model_classes, infer_model_path


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
    # A stride-2 stem halves the input first: depth 3 then needs 2 * 2**3 = 16.
    check_image_size([48, 64], {"encoder": "unet", "depth": 3, "stem_stride": 2})
    with pytest.raises(
        ConfigError, match=r"40x64 must be divisible by 16 .*\(depth 3, stem_stride 2\); e.g. 32x64"
    ):
        check_image_size([40, 64], {"encoder": "unet", "depth": 3, "stem_stride": 2})


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
    with pytest.raises(ConfigError, match="trained with the classes c0, c1, c2 .in id order."):
        check_model_classes(tmp_path / "saved", nine)


def test_a_model_carries_its_classes_and_another_order_is_refused(tmp_path):
    import keras
    import numpy as np

    from streetseg.model.preflight import model_class_names, stamp_classes
    from streetseg.model.unet import build_unet

    classes = [
        {"id": 0, "name": "road", "color": [128, 64, 128]},
        {"id": 1, "name": "sky", "color": [70, 130, 180]},
    ]
    path = tmp_path / "m.keras"
    model = build_unet((16, 16), num_classes=2, depth=1, base_filters=2)
    model.save(path)
    assert model_class_names(path) is None  # a model from before the stamp: count only
    stamp_classes(path, classes)
    assert model_class_names(path) == ["road", "sky"]
    check_model_classes(path, classes)
    check_model_classes(path, [{**c, "name": c["name"].upper()} for c in classes])
    swapped = [{**classes[0], "name": "sky"}, {**classes[1], "name": "road"}]
    with pytest.raises(
        ConfigError,
        match=r"m.keras: the model was trained with the classes road, sky \(in id order\) but "
        r"the config lists sky, road",
    ):
        check_model_classes(path, swapped)
    # Keras still loads the archive, weights and all.
    loaded = keras.models.load_model(path, compile=False)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_the_crop_size_must_fit_the_model_and_the_input():
    from streetseg.model.preflight import check_crop_size

    unet = {"encoder": "unet", "depth": 4}
    check_crop_size(None, [352, 480], unet)
    check_crop_size([192, 256], [352, 480], unet)
    with pytest.raises(
        ConfigError,
        match=r"train.augment.crop_size 200x256 must be divisible by 16 .*; e.g. 192x256",
    ):
        check_crop_size([200, 256], [352, 480], unet)
    with pytest.raises(
        ConfigError, match="crop_size 192x512 is larger than train.image_size 352x480"
    ):
        check_crop_size([192, 512], [352, 480], unet)
    with pytest.raises(ConfigError, match="crop_size 48x64 must be divisible by 32"):
        check_crop_size([48, 64], [352, 480], {"encoder": "mobilenet_v2"})


def test_infer_uses_an_existing_model_by_a_path_no_rule_makes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    trained = "results/model/model.keras"
    with pytest.raises(ConfigError, match=r"run `snakemake train` \(with the same config\) first"):
        infer_model_path(None, trained)
    with pytest.raises(ConfigError, match=r"run `snakemake export` \(with the same config\)"):
        infer_model_path("results/export/saved_model", trained)
    with pytest.raises(ConfigError, match=r"^mine.keras: no such model \(config `model`\)"):
        infer_model_path("mine.keras", trained)
    (tmp_path / "results" / "model").mkdir(parents=True)
    (tmp_path / trained).write_bytes(b"model")
    # Absolute, so that Snakemake links it to no rule: infer never retrains it.
    assert infer_model_path(None, trained) == str(tmp_path / trained)
    # With default remote storage the path stays relative, to map to the bucket.
    assert infer_model_path("mine.keras", trained, remote=True) == "mine.keras"
