"""Inference over a folder of new photos: listing, chunks, cache, class shares, export."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from streetseg.common.chunks import chunk_members, chunk_names
from streetseg.data.sources import InferError, list_images
from streetseg.inference.infer import segment_images, summarise
from streetseg.labels.masks import read_mask

CLASSES = [
    {"id": 0, "name": "background", "color": [0, 0, 0]},
    {"id": 1, "name": "tree", "color": [34, 139, 34]},
    {"id": 2, "name": "sky", "color": [70, 130, 180]},
]


def forced_model(path, favoured: int, num_classes: int = 3, size: int = 32):
    """A model that predicts ``favoured`` everywhere: zero kernel, bias 5 for that class."""
    import keras

    bias = [5.0 if index == favoured else 0.0 for index in range(num_classes)]
    inputs = keras.Input((size, size, 3))
    outputs = keras.layers.Conv2D(
        num_classes,
        1,
        activation="softmax",
        kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(bias),
    )(inputs)
    keras.Model(inputs, outputs).save(path)
    return str(path)


def unet_model(path):
    """A tiny U-Net with random but seeded weights, whose masks vary from pixel to pixel."""
    import keras

    from streetseg.model.unet import build_unet

    keras.utils.set_random_seed(0)
    build_unet((64, 64), num_classes=3, depth=2, base_filters=4).save(path)
    return str(path)


@pytest.fixture
def photos(tmp_path):
    """Mixed sizes and modes, a corrupt file, a hidden file, a sub-folder and non-image files."""
    folder = tmp_path / "photos"
    (folder / "drive2").mkdir(parents=True)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (48, 80, 3), np.uint8)).save(folder / "wide.jpg")
    Image.fromarray(rng.integers(0, 255, (90, 30), np.uint8), mode="L").save(folder / "grey.png")
    Image.fromarray(rng.integers(0, 255, (20, 20, 4), np.uint8), mode="RGBA").save(
        folder / "drive2" / "rgba.png"
    )
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "notes.txt").write_text("not an image")
    (folder / "wide.json").write_text("{}")
    (folder / ".hidden.jpg").write_bytes(b"")
    return folder


def test_listing_keeps_image_files_only_sorted_with_subfolders(photos):
    assert list_images(photos) == ["broken.jpg", "drive2/rgba.png", "grey.png", "wide.jpg"]


def test_listing_refuses_a_missing_folder_and_clashing_mask_names(tmp_path, photos):
    with pytest.raises(InferError, match="nowhere: infer_images is not a folder"):
        list_images(tmp_path / "nowhere")
    Image.new("RGB", (4, 4)).save(photos / "wide.png")
    with pytest.raises(InferError, match="wide.jpg and wide.png would share the mask wide.png"):
        list_images(photos)


@pytest.mark.parametrize(
    ("count", "size", "chunks"),
    [(0, 10, 0), (1, 10, 1), (10, 10, 1), (11, 10, 2), (100_000, 1000, 100), (100_001, 1000, 101)],
)
def test_chunk_count_is_the_image_count_over_the_chunk_size_rounded_up(count, size, chunks):
    assert len(chunk_names(count, size)) == chunks


def test_chunks_are_consecutive_and_cover_every_image_once():
    images = [f"img{index:02d}.jpg" for index in range(25)]
    names = chunk_names(len(images), 10)
    assert names == ["00000", "00001", "00002"]
    members = [chunk_members(images, name, 10) for name in names]
    assert [len(m) for m in members] == [10, 10, 5] and sum(members, []) == images


def test_every_image_is_segmented_at_its_own_size_and_a_corrupt_one_is_reported(
    tmp_path, photos, capsys
):
    model = forced_model(tmp_path / "tree.keras", favoured=1)
    out = tmp_path / "inference"
    images = list_images(photos)
    rows = segment_images(
        model,
        str(photos),
        images,
        str(out),
        str(out / "chunk.tsv"),
        CLASSES,
        batch_size=2,
        overlays=True,
    )
    assert list(rows["image"]) == images
    broken = rows.set_index("image").loc["broken.jpg", "error"]
    assert "broken.jpg" in broken and "cannot decode" in broken
    assert "broken.jpg" in capsys.readouterr().out
    identity = rows["model_id"].dropna().iloc[0]
    for name, size in [("wide", (80, 48)), ("grey", (30, 90)), ("drive2/rgba", (20, 20))]:
        with Image.open(out / identity / "masks" / f"{name}.png") as mask:
            assert mask.mode == "P" and mask.size == size
        assert (out / identity / "overlays" / f"{name}.png").is_file()
        assert set(np.unique(read_mask(out / identity / "masks" / f"{name}.png"))) == {1}


def test_class_shares_of_a_model_forced_to_one_class_are_exactly_one_and_zero(tmp_path, photos):
    model = forced_model(tmp_path / "sky.keras", favoured=2)
    out = tmp_path / "inference"
    images = list_images(photos)
    segment_images(
        model,
        str(photos),
        images[:2],
        str(out),
        str(out / "chunks/00000.tsv"),
        CLASSES,
        batch_size=4,
    )
    segment_images(
        model,
        str(photos),
        images[2:],
        str(out),
        str(out / "chunks/00001.tsv"),
        CLASSES,
        batch_size=4,
    )
    summary = summarise(
        [str(out / "chunks/00000.tsv"), str(out / "chunks/00001.tsv")], str(out), CLASSES
    )
    shares = pd.read_csv(out / "class_shares.tsv", sep="\t")
    assert list(shares["image"]) == ["drive2/rgba.png", "grey.png", "wide.jpg"]
    assert list(shares.columns[:6]) == ["image", "mask", "width", "height", "model_id", "time"]
    assert (shares["share_sky"] == 1.0).all()
    assert (shares["share_background"] == 0.0).all() and (shares["share_tree"] == 0.0).all()
    assert list(shares["width"]) == [20, 30, 80] and list(shares["height"]) == [20, 90, 48]
    failed = pd.read_csv(out / "failed.tsv", sep="\t")
    assert list(failed["image"]) == ["broken.jpg"]
    row = summary.iloc[0]
    assert (
        row["n_images"] == 3
        and row["n_failed"] == 1
        and row["mean_sky"] == 1.0
        and row["mean_tree"] == 0.0
    )
    assert row["megapixels"] == pytest.approx((400 + 2700 + 3840) / 1e6, abs=1e-3)


def test_images_already_segmented_by_the_same_model_are_not_redone(tmp_path, photos):
    model = forced_model(tmp_path / "tree.keras", favoured=1)
    out = tmp_path / "inference"
    first = segment_images(model, str(photos), ["grey.png"], str(out), str(out / "a.tsv"), CLASSES)
    identity = first["model_id"].iloc[0]
    record = out / identity / "records" / "grey.png.json"
    stamp = json.loads(record.read_text())["row"]["time"]
    Image.new("RGB", (8, 8)).save(photos / "new.png")
    log = []
    rows = segment_images(
        model,
        str(photos),
        ["grey.png", "new.png"],
        str(out),
        str(out / "b.tsv"),
        CLASSES,
        log=log.append,
    )
    assert "2 images, 1 cached" in log[0] and "segmented 1/1 images" in log[1]
    assert rows.set_index("image").loc["grey.png", "time"] == stamp
    other = forced_model(tmp_path / "sky.keras", favoured=2)
    log.clear()
    rows = segment_images(
        other, str(photos), ["grey.png"], str(out), str(out / "c.tsv"), CLASSES, log=log.append
    )
    assert "0 cached" in log[0] and rows["model_id"].iloc[0] != identity


def test_a_model_with_another_class_count_is_refused_naming_it(tmp_path, photos):
    model = forced_model(tmp_path / "four.keras", favoured=0, num_classes=4)
    with pytest.raises(
        InferError, match="four.keras: the model predicts 4 classes but the config lists 3"
    ):
        segment_images(
            model, str(photos), ["grey.png"], str(tmp_path / "o"), str(tmp_path / "o.tsv"), CLASSES
        )


def test_exported_saved_model_gives_the_same_masks_as_the_keras_file(tmp_path, photos):
    from streetseg.inference.export import export_model

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
        model, str(photos), images, str(tmp_path / "k"), str(tmp_path / "k.tsv"), CLASSES
    )
    saved_rows = segment_images(
        str(tmp_path / "saved_model"),
        str(photos),
        images,
        str(tmp_path / "s"),
        str(tmp_path / "s.tsv"),
        CLASSES,
    )
    assert keras_rows["model_id"].iloc[0] != saved_rows["model_id"].iloc[0]
    varied = 0
    for keras_mask, saved_mask in zip(keras_rows["mask"], saved_rows["mask"]):
        expected = read_mask(tmp_path / "k" / keras_mask)
        np.testing.assert_array_equal(read_mask(tmp_path / "s" / saved_mask), expected)
        varied += len(np.unique(expected)) > 1
    assert varied, "the random U-Net should predict more than one class somewhere"


def test_a_cached_image_whose_mask_or_asked_overlay_is_gone_is_segmented_again(tmp_path, photos):
    model = forced_model(tmp_path / "tree.keras", favoured=1)
    out = tmp_path / "inference"
    rows = segment_images(
        model, str(photos), ["grey.png", "wide.jpg"], str(out), str(out / "a.tsv"), CLASSES
    )
    (out / rows["mask"].iloc[0]).unlink()
    log = []
    segment_images(
        model,
        str(photos),
        ["grey.png", "wide.jpg"],
        str(out),
        str(out / "a.tsv"),
        CLASSES,
        log=log.append,
    )
    assert "2 images, 1 cached" in log[0] and (out / rows["mask"].iloc[0]).is_file()
    log.clear()
    segment_images(
        model,
        str(photos),
        ["grey.png", "wide.jpg"],
        str(out),
        str(out / "a.tsv"),
        CLASSES,
        overlays=True,
        log=log.append,
    )
    assert "2 images, 0 cached" in log[0]
