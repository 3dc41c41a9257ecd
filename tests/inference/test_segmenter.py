"""The segmenter's test-time augmentation: flip is the mean of the model on the image and, mirrored
back, on its mirror image; none is the model itself. Results with flip are kept apart."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers.models import unet_model


@pytest.fixture(scope="module")
def model_and_batch(tmp_path_factory):
    path = unet_model(tmp_path_factory.mktemp("tta") / "unet.keras")
    batch = np.random.default_rng(1).uniform(0, 255, (3, 64, 64, 3)).astype(np.float32)
    return path, batch


def test_flip_averages_the_image_and_its_mirror_mirrored_back(model_and_batch):
    import keras

    from streetseg.inference.segmenter import Segmenter

    path, batch = model_and_batch
    model = keras.models.load_model(path, compile=False)
    plain = model.predict_on_batch(batch)
    # The model on the mirrored photos (column order reversed), its output mirrored back.
    mirrored = model.predict_on_batch(batch[:, :, ::-1].copy())[:, :, ::-1]
    assert np.abs(plain - mirrored).max() > 0.01  # the U-Net is not mirror-symmetric
    np.testing.assert_allclose(Segmenter(path).probabilities(batch), plain, atol=1e-6)
    flip = Segmenter(path, tta="flip")
    expected = (plain + mirrored) / 2
    np.testing.assert_allclose(flip.probabilities(batch), expected, atol=1e-6)
    labels = flip.labels(batch)
    # The class ids are the argmax of the averaged probabilities, away from near ties.
    top2 = np.sort(expected, axis=-1)[..., -2:]
    clear = top2[..., 1] - top2[..., 0] > 1e-4
    np.testing.assert_array_equal(labels[clear], np.argmax(expected, axis=-1)[clear])


def test_results_with_flip_have_their_own_model_id_and_unknown_modes_are_refused(
    model_and_batch,
):
    from streetseg.inference.segmenter import Segmenter, model_id, results_id

    path, _ = model_and_batch
    assert results_id(path) == model_id(path)
    assert results_id(path, "flip") == model_id(path) + "-flip"
    with pytest.raises(ValueError, match="predict.tta 'spin': unknown test-time augmentation"):
        Segmenter(path, tta="spin")


def test_the_model_id_is_the_sha256_of_the_file_and_ignores_a_savedmodel_timestamp(tmp_path):
    import hashlib

    from streetseg.inference.segmenter import model_id

    path = tmp_path / "m.keras"
    path.write_bytes(b"weights")
    assert model_id(path) == hashlib.sha256(b"weights").hexdigest()[:12]
    folder = tmp_path / "saved"
    (folder / "variables").mkdir(parents=True)
    (folder / "saved_model.pb").write_bytes(b"graph")
    (folder / "variables" / "v.data").write_bytes(b"v")
    before = model_id(folder)
    (folder / ".snakemake_timestamp").write_text("now")
    assert model_id(folder) == before
    expected = hashlib.sha256(b"saved_model.pb\0graph" + b"variables/v.data\0v").hexdigest()
    assert before == expected[:12]
