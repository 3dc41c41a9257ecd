"""Training on random crops: fit() on the crop size, validation and the saved model at the
input size."""

from __future__ import annotations

import pandas as pd

from tests.helpers import mask_settings
from tests.helpers.training import tiny_train, train_settings


def test_training_on_crops_saves_a_model_of_the_input_size(make_sample, tmp_path, classes):
    import keras

    from streetseg.data.shards import write_shards
    from streetseg.labels.masks import make_mask
    from streetseg.model.training import TrainOutputs, train_model

    samples = {}
    for index in range(3):
        image, xml = make_sample(name=f"s{index}", width=64, height=64, seed=index)
        make_mask(xml, image, tmp_path / f"s{index}_mask.png", mask_settings(classes))
        samples[f"s{index}"] = (str(image), str(tmp_path / f"s{index}_mask.png"))
    train, val = [str(tmp_path / "train.tfrecord")], [str(tmp_path / "val.tfrecord")]
    write_shards({k: samples[k] for k in ("s0", "s1")}, train, log=lambda *_: None)
    write_shards({"s2": samples["s2"]}, val, log=lambda *_: None)
    section = tiny_train(1)
    section["augment"]["crop_size"] = [32, 32]
    lines = []
    train_model(
        train_settings(**section),
        train,
        val,
        TrainOutputs(str(tmp_path / "out" / "model.keras"), str(tmp_path / "out" / "history.tsv")),
        log=lines.append,
    )
    assert any("training on random 32x32 crops of the 64x64 input" in line for line in lines)
    # The trained model took 32x32 crops; the saved one takes whole 64x64 images, and it was
    # scored on the whole val image (a 32x32 model could not take it).
    model = keras.models.load_model(tmp_path / "out" / "model.keras", compile=False)
    assert model.input_shape == (None, 64, 64, 3)
    history = pd.read_csv(tmp_path / "out" / "history.tsv", sep="\t")
    assert list(history["epoch"]) == [1] and history["val_miou"].notna().all()
    assert not (tmp_path / "out" / "train_state").exists()


def test_the_crop_size_is_part_of_the_training_fingerprint(tmp_path):
    from streetseg.model.checkpoints import fingerprint

    whole = train_settings(**tiny_train(1))
    section = tiny_train(1)
    section["augment"]["crop_size"] = [32, 32]
    assert fingerprint(whole, []) != fingerprint(train_settings(**section), [])
