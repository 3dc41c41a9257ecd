"""Inference over a folder of new photos: every photo at its own size, a corrupt one reported,
class shares, the cache of what a model has segmented, a model with other classes refused."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from streetseg.data.sources import InferError, list_images
from streetseg.inference.infer import segment_images, summarise
from streetseg.labels.masks import read_mask
from tests.helpers import segment_settings
from tests.helpers.models import CLASSES, forced_model


def test_every_image_is_segmented_at_its_own_size_and_a_corrupt_one_is_reported(
    tmp_path, photo_folder, capsys
):
    model = forced_model(tmp_path / "tree.keras", favoured=1)
    out = tmp_path / "inference"
    images = list_images(photo_folder)
    rows = segment_images(
        model,
        str(photo_folder),
        images,
        str(out),
        str(out / "chunk.tsv"),
        segment_settings(CLASSES, infer=True, batch_size=2, pictures=True),
    )
    assert list(rows["image"]) == images
    broken = rows.set_index("image").loc["broken.jpg", "error"]
    assert "broken.jpg" in broken and "cannot decode" in broken
    assert "broken.jpg" in capsys.readouterr().out
    identity = rows["model_id"].dropna().iloc[0]
    sizes = [
        ("avenue", (96, 64)),
        ("wide", (80, 48)),
        ("grey", (30, 90)),
        ("drive2/rgba", (20, 20)),
    ]
    for name, size in sizes:
        with Image.open(out / identity / "masks" / f"{name}.png") as mask:
            assert mask.mode == "P" and mask.size == size
        assert (out / identity / "overlays" / f"{name}.png").is_file()
        assert set(np.unique(read_mask(out / identity / "masks" / f"{name}.png"))) == {1}


def test_class_shares_of_a_model_forced_to_one_class_are_exactly_one_and_zero(
    tmp_path, photo_folder
):
    model = forced_model(tmp_path / "sky.keras", favoured=2)
    out = tmp_path / "inference"
    images = list_images(photo_folder)
    segment_images(
        model,
        str(photo_folder),
        images[:2],
        str(out),
        str(out / "chunks/00000.tsv"),
        segment_settings(CLASSES, infer=True, batch_size=4),
    )
    segment_images(
        model,
        str(photo_folder),
        images[2:],
        str(out),
        str(out / "chunks/00001.tsv"),
        segment_settings(CLASSES, infer=True, batch_size=4),
    )
    summary = summarise(
        [str(out / "chunks/00000.tsv"), str(out / "chunks/00001.tsv")], str(out), CLASSES
    )
    shares = pd.read_csv(out / "class_shares.tsv", sep="\t")
    assert list(shares["image"]) == ["avenue.jpg", "drive2/rgba.png", "grey.png", "wide.jpg"]
    assert list(shares.columns[:6]) == ["image", "mask", "width", "height", "model_id", "time"]
    assert (shares["share_sky"] == 1.0).all()
    assert (shares["share_background"] == 0.0).all() and (shares["share_tree"] == 0.0).all()
    assert list(shares["width"]) == [96, 20, 30, 80]
    assert list(shares["height"]) == [64, 20, 90, 48]
    failed = pd.read_csv(out / "failed.tsv", sep="\t")
    assert list(failed["image"]) == ["broken.jpg"]
    row = summary.iloc[0]
    assert (
        row["n_images"] == 4
        and row["n_failed"] == 1
        and row["mean_sky"] == 1.0
        and row["mean_tree"] == 0.0
    )
    assert row["megapixels"] == pytest.approx((6144 + 400 + 2700 + 3840) / 1e6, abs=1e-3)


def test_images_already_segmented_by_the_same_model_are_not_redone(tmp_path, photo_folder):
    photos = shutil.copytree(photo_folder, tmp_path / "photos")
    model = forced_model(tmp_path / "tree.keras", favoured=1)
    out = tmp_path / "inference"
    first = segment_images(
        model,
        str(photos),
        ["grey.png"],
        str(out),
        str(out / "a.tsv"),
        segment_settings(CLASSES, infer=True),
    )
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
        segment_settings(CLASSES, infer=True),
        log=log.append,
    )
    assert "2 images, 1 cached" in log[0] and "segmented 1/1 images" in log[1]
    assert rows.set_index("image").loc["grey.png", "time"] == stamp
    other = forced_model(tmp_path / "sky.keras", favoured=2)
    log.clear()
    rows = segment_images(
        other,
        str(photos),
        ["grey.png"],
        str(out),
        str(out / "c.tsv"),
        segment_settings(CLASSES, infer=True),
        log=log.append,
    )
    assert "0 cached" in log[0] and rows["model_id"].iloc[0] != identity
    # Flip-averaged results are kept apart from the plain model's.
    log.clear()
    rows = segment_images(
        model,
        str(photos),
        ["grey.png"],
        str(out),
        str(out / "d.tsv"),
        segment_settings(CLASSES, infer=True, tta="flip"),
        log=log.append,
    )
    assert "0 cached" in log[0] and rows["model_id"].iloc[0] == f"{identity}-flip"
    assert (out / f"{identity}-flip" / "records" / "grey.png.json").is_file()


def test_a_model_with_another_class_count_is_refused_naming_it(tmp_path, photo_folder):
    model = forced_model(tmp_path / "four.keras", favoured=0, num_classes=4)
    with pytest.raises(
        InferError, match="four.keras: the model predicts 4 classes but the config lists 3"
    ):
        segment_images(
            model,
            str(photo_folder),
            ["grey.png"],
            str(tmp_path / "o"),
            str(tmp_path / "o.tsv"),
            segment_settings(CLASSES, infer=True),
        )


def test_a_cached_image_whose_mask_or_asked_overlay_is_gone_is_segmented_again(
    tmp_path, photo_folder
):
    model = forced_model(tmp_path / "tree.keras", favoured=1)
    out = tmp_path / "inference"
    rows = segment_images(
        model,
        str(photo_folder),
        ["grey.png", "wide.jpg"],
        str(out),
        str(out / "a.tsv"),
        segment_settings(CLASSES, infer=True),
    )
    (out / rows["mask"].iloc[0]).unlink()
    log = []
    segment_images(
        model,
        str(photo_folder),
        ["grey.png", "wide.jpg"],
        str(out),
        str(out / "a.tsv"),
        segment_settings(CLASSES, infer=True),
        log=log.append,
    )
    assert "2 images, 1 cached" in log[0] and (out / rows["mask"].iloc[0]).is_file()
    log.clear()
    segment_images(
        model,
        str(photo_folder),
        ["grey.png", "wide.jpg"],
        str(out),
        str(out / "a.tsv"),
        segment_settings(CLASSES, infer=True, pictures=True),
        log=log.append,
    )
    assert "2 images, 0 cached" in log[0]


def test_a_model_trained_with_the_classes_in_another_order_is_refused(tmp_path, photo_folder):
    # Same count, road and sky swapped: every photo would get the wrong names, so nothing is
    # segmented, and the message says both orders.
    from streetseg.model.preflight import stamp_classes

    model = forced_model(tmp_path / "m.keras", favoured=0)
    stamp_classes(model, CLASSES)
    swapped = [CLASSES[0], {**CLASSES[1], "name": "sky"}, {**CLASSES[2], "name": "tree"}]
    with pytest.raises(
        InferError, match="trained with the classes background, tree, sky .* lists background, sky"
    ):
        segment_images(
            model,
            str(photo_folder),
            ["grey.png"],
            str(tmp_path / "out"),
            str(tmp_path / "t.tsv"),
            segment_settings(swapped, infer=True),
        )
    assert not (tmp_path / "out").exists()


def test_the_cache_is_kept_apart_per_class_table(tmp_path):
    from streetseg.inference.segmenter import model_id, results_id

    model = forced_model(tmp_path / "m.keras", favoured=0)
    recoloured = [CLASSES[0], CLASSES[1], {**CLASSES[2], "color": [0, 0, 255]}]
    ids = {results_id(model, "none", CLASSES), results_id(model, "none", recoloured)}
    assert len(ids) == 2 and all(i.startswith(model_id(model) + "-c") for i in ids)
