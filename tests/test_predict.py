"""Batched prediction: one graph for every batch size, masks equal to the model's argmax."""

import numpy as np

from streetseg.masks import read_mask


def test_batched_masks_match_the_models_argmax_with_a_short_last_batch(shards, tmp_path, classes):
    import keras

    from streetseg.inputs import load_inference_dataset
    from streetseg.model import build_unet
    from streetseg.predict import predict_split

    train, _ = shards
    model_path = tmp_path / "model.keras"
    build_unet((32, 32), len(classes), depth=1, base_filters=4).save(model_path)
    # 20 records in batches of 8: the last batch is short.
    done = predict_split(str(model_path), train, str(tmp_path / "out"), classes, 8, panels=False,
                         log=lambda *_: None)  # fmt: skip
    assert len(done) == 20
    model = keras.models.load_model(model_path, compile=False)
    for inputs, sample_ids, _, _ in load_inference_dataset(train, (32, 32), 8):
        expected = np.argmax(model.predict_on_batch(inputs), axis=-1)
        for index, sample in enumerate(sample_ids.numpy()):
            mask = read_mask(tmp_path / "out" / f"{sample.decode()}.png")
            assert mask.shape == (64, 64)
            # Nearest-neighbour upsizing by 2: every other pixel is the model's own output.
            np.testing.assert_array_equal(mask[::2, ::2], expected[index])
