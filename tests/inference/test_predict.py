"""Batched prediction: one graph for every batch size, masks equal to the model's argmax."""

import numpy as np
import pytest

from streetseg.common.images import ImageError
from streetseg.inference.settings import PredictChunk
from streetseg.labels.masks import make_mask, read_mask
from tests.helpers import mask_settings, segment_settings


def _samples(make_sample, tmp_path, classes, count):
    samples, images, truths = [], [], []
    for index in range(count):
        image, xml = make_sample(name=f"s{index:02d}", width=64, height=64, seed=index)
        truth = tmp_path / "masks" / f"s{index:02d}.png"
        make_mask(xml, image, truth, mask_settings(classes))
        samples.append(f"s{index:02d}")
        images.append(str(image))
        truths.append(str(truth))
    return samples, images, truths


def test_batched_masks_match_the_models_argmax_with_a_short_last_batch(
    make_sample, tmp_path, classes
):
    import keras
    from PIL import Image

    from streetseg.inference.predict import predict_samples
    from streetseg.model.unet import build_unet

    samples, images, truths = _samples(make_sample, tmp_path, classes, 10)
    model_path = tmp_path / "model.keras"
    build_unet((32, 32), len(classes), depth=1, base_filters=4).save(model_path)
    # 10 images in batches of 4: the last batch is short.
    done = predict_samples(
        str(model_path),
        PredictChunk(samples, images, truths, str(tmp_path / "out")),
        segment_settings(classes, batch_size=4),
        log=lambda *_: None,
    )
    assert done == samples
    model = keras.models.load_model(model_path, compile=False)
    for sample, image in zip(samples, images):
        rgb = np.asarray(Image.open(image).convert("RGB"), dtype=np.float32)
        x = keras.ops.image.resize(rgb[None], (32, 32), interpolation="bilinear")
        expected = np.argmax(model.predict_on_batch(x)[0], axis=-1)
        mask = read_mask(tmp_path / "out" / f"{sample}.png")
        assert mask.shape == (64, 64)
        # Nearest-neighbour upsizing by 2: every other pixel is the model's own output.
        np.testing.assert_array_equal(mask[::2, ::2], expected)
        for kind in ("panel", "overlay"):
            with Image.open(tmp_path / "out" / f"{sample}_{kind}.png") as picture:
                assert picture.width > 64


def test_an_unreadable_test_photo_stops_prediction_naming_it(make_sample, tmp_path, classes):
    from streetseg.inference.predict import predict_samples
    from streetseg.model.unet import build_unet

    samples, images, truths = _samples(make_sample, tmp_path, classes, 3)
    with open(images[1], "r+b") as handle:
        handle.truncate(40)
    model_path = tmp_path / "model.keras"
    build_unet((32, 32), len(classes), depth=1, base_filters=4).save(model_path)
    with pytest.raises(ImageError, match=f"{images[1]}: cannot decode"):
        predict_samples(
            str(model_path),
            PredictChunk(samples, images, truths, str(tmp_path / "out")),
            segment_settings(classes, batch_size=4),
            log=lambda *_: None,
        )
