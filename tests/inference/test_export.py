"""The exported SavedModel (and TFLite file) segments like the Keras file it came from."""

from __future__ import annotations

import json

import numpy as np

from streetseg.inference.export import export_model
from streetseg.inference.infer import segment_images
from streetseg.labels.masks import read_mask
from tests.helpers import segment_settings
from tests.helpers.models import CLASSES, unet_model


def test_exported_saved_model_gives_the_same_masks_as_the_keras_file(tmp_path, photo_folder):
    model = unet_model(tmp_path / "unet.keras")
    export_model(
        model, str(tmp_path / "saved_model"), CLASSES, tflite_path=str(tmp_path / "model.tflite")
    )
    assert (tmp_path / "model.tflite").stat().st_size > 0
    meta = json.loads((tmp_path / "saved_model" / "streetseg.json").read_text())
    assert meta["image_size"] == [64, 64] and [c["name"] for c in meta["classes"]] == [
        "background",
        "tree",
        "sky",
    ]
    images = ["wide.jpg", "grey.png", "drive2/rgba.png"]
    keras_rows = segment_images(
        model,
        str(photo_folder),
        images,
        str(tmp_path / "k"),
        str(tmp_path / "k.tsv"),
        segment_settings(CLASSES, infer=True),
    )
    saved_rows = segment_images(
        str(tmp_path / "saved_model"),
        str(photo_folder),
        images,
        str(tmp_path / "s"),
        str(tmp_path / "s.tsv"),
        segment_settings(CLASSES, infer=True),
    )
    assert keras_rows["model_id"].iloc[0] != saved_rows["model_id"].iloc[0]
    varied = 0
    for keras_mask, saved_mask in zip(keras_rows["mask"], saved_rows["mask"]):
        expected = read_mask(tmp_path / "k" / keras_mask)
        np.testing.assert_array_equal(read_mask(tmp_path / "s" / saved_mask), expected)
        varied += len(np.unique(expected)) > 1
    assert varied, "the random U-Net should predict more than one class somewhere"
