"""`snakemake infer` and `snakemake export` on a copy of the finished tiny run (no retraining)."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from streetseg.labels.masks import read_mask
from tests.helpers.snakefile import TINY, snakemake

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def inferred(finished_run, photo_folder, tmp_path_factory):
    """The finished run copied, the shared folder of five new photos (one corrupt) as photos/,
    and `infer` run on it in chunks of two: [avenue, broken], [drive2/rgba, grey], [wide]."""
    workdir = tmp_path_factory.mktemp("infer") / "run"
    shutil.copytree(finished_run, workdir, symlinks=True)
    shutil.copytree(photo_folder, workdir / "photos")
    settings = workdir / "infer.yaml"
    settings.write_text("infer:\n  chunk_size: 2\n  overlays: true\n")
    run = snakemake(workdir, *infer_args(settings))
    return workdir, settings, run


def infer_args(settings, *extra):
    """`infer` on the tiny config plus the settings file (the last --configfile flag wins, so
    both files go in one), with the photos folder and any other --config values."""
    configs = ("--configfile", str(TINY), str(settings))
    return ("--cores", "2", "infer", *configs, "--config", "infer_images=photos", *extra)


def test_infer_segments_every_photo_in_chunk_jobs_and_reports_the_corrupt_one(inferred):
    workdir, _, run = inferred
    output = run.stdout + run.stderr
    assert (
        re.search(r"infer_chunk\s+3\n", output)
        and "train" not in output.split("Job stats")[1].split("total")[0]
    )
    results = workdir / "results" / "inference"
    shares = pd.read_csv(results / "class_shares.tsv", sep="\t")
    assert list(shares["image"]) == ["avenue.jpg", "drive2/rgba.png", "grey.png", "wide.jpg"]
    assert list(shares["width"]) == [96, 20, 30, 80]
    assert list(shares["height"]) == [64, 20, 90, 48]
    share_columns = [column for column in shares.columns if column.startswith("share_")]
    assert len(share_columns) == 8
    np.testing.assert_allclose(shares[share_columns].sum(axis=1), 1.0, atol=1e-5)
    for row in shares.itertuples():
        mask = read_mask(results / row.mask)
        assert mask.shape == (row.height, row.width) and mask.max() < 8
        assert (results / row.model_id / "overlays" / row.mask.split("/masks/")[1]).is_file()
    failed = pd.read_csv(results / "failed.tsv", sep="\t")
    assert list(failed["image"]) == ["broken.jpg"]
    assert "broken.jpg: cannot decode image" in failed["error"].item()
    summary = pd.read_csv(results / "summary.tsv", sep="\t")
    assert summary["n_images"].item() == 4 and summary["n_failed"].item() == 1
    assert "broken.jpg" in (workdir / "logs" / "infer" / "00000.log").read_text()


def test_new_photos_are_segmented_without_redoing_the_others(inferred):
    workdir, settings, _ = inferred
    before = pd.read_csv(
        workdir / "results" / "inference" / "class_shares.tsv", sep="\t"
    ).set_index("image")
    # "0.jpg" sorts first, so every chunk's membership shifts and every chunk job reruns:
    # [0, avenue], [broken, drive2/rgba], [grey, wide].
    Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(workdir / "photos" / "0.jpg")
    snakemake(workdir, *infer_args(settings))
    after = pd.read_csv(workdir / "results" / "inference" / "class_shares.tsv", sep="\t").set_index(
        "image"
    )
    assert list(after.index) == ["0.jpg", "avenue.jpg", "drive2/rgba.png", "grey.png", "wide.jpg"]
    assert (after.loc[before.index, "time"] == before["time"]).all()
    logs = {
        chunk: (workdir / "logs" / "infer" / f"{chunk}.log").read_text()
        for chunk in ("00000", "00001", "00002")
    }
    assert "2 images, 1 cached" in logs["00000"] and "segmented 1/1 images" in logs["00000"]
    # The corrupt broken.jpg is tried again (it may have been replaced); drive2/rgba.png is not.
    assert "2 images, 1 cached" in logs["00001"] and "broken.jpg" in logs["00001"]
    assert "2 images, 2 cached" in logs["00002"] and "segmented" not in logs["00002"]
    # The training workflow is untouched by all this: nothing to do, and no photo listed.
    dry = snakemake(workdir, "-n")
    assert (
        "photos" not in dry.stdout + dry.stderr and "Nothing to be done" in dry.stdout + dry.stderr
    )
    # Naming the photos does not make the report's copy of the config (or anything else) stale.
    dry = snakemake(workdir, "-n", "--config", "infer_images=photos")
    assert "Nothing to be done" in dry.stdout + dry.stderr


# tf.lite.Interpreter still ships with TensorFlow 2.21; its successor (ai_edge_litert) is not
# pinned.
@pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated:UserWarning")
def test_exported_saved_model_segments_like_the_keras_model(inferred):
    workdir, settings, _ = inferred
    tflite = workdir / "tflite.yaml"
    tflite.write_text("export:\n  tflite: true\n")
    snakemake(workdir, "--cores", "2", "export", "--configfile", str(TINY), str(tflite))
    export = workdir / "results" / "export"
    check_tflite_matches_keras(
        export / "model.tflite", workdir / "results" / "model" / "model.keras"
    )
    card = (export / "model_card.md").read_text()
    for text in (
        "## Classes",
        "| 6 | sky | 70, 130, 180 | #4682b4 |",
        "## Test metrics",
        "mIoU",
        "image_size:",
    ):
        assert text in card
    keras_shares = pd.read_csv(workdir / "results" / "inference" / "class_shares.tsv", sep="\t")
    snakemake(workdir, *infer_args(settings, "model=results/export/saved_model"))
    saved_shares = pd.read_csv(workdir / "results" / "inference" / "class_shares.tsv", sep="\t")
    assert list(saved_shares["image"]) == list(keras_shares["image"])
    assert set(saved_shares["model_id"]) != set(keras_shares["model_id"])
    results = workdir / "results" / "inference"
    # The SavedModel's graph sums in another order than Keras's, so a pixel whose two best
    # classes are within float rounding of each other (the 1-epoch model has a few) may
    # flip: 1 of 4,096 pixels did in one CI run. Any real difference moves far more.
    for keras_mask, saved_mask in zip(keras_shares["mask"], saved_shares["mask"]):
        saved, expected = read_mask(results / saved_mask), read_mask(results / keras_mask)
        assert saved.shape == expected.shape
        assert np.mean(saved != expected) <= 0.001, saved_mask


def test_infer_never_retrains_or_reexports_after_a_config_change(inferred):
    # Runs after the export test: results/export/saved_model exists. Changed training and
    # export settings would make train and export out of date, but infer plans neither: it
    # segments with the models as they are, and never overwrites the one the user names.
    workdir, settings, _ = inferred
    changed = workdir / "changed.yaml"
    changed.write_text(
        "infer:\n  chunk_size: 2\n  overlays: true\ntrain:\n  epochs: 3\nexport:\n  tflite: false\n"
    )
    for extra in ((), ("model=results/export/saved_model",)):
        dry = snakemake(workdir, "-n", *infer_args(changed, *extra))
        planned = set(re.findall(r"^rule (\w+):", dry.stdout + dry.stderr, re.MULTILINE))
        assert planned <= {"infer_chunk", "infer"}, dry.stdout
    # The whole workflow, asked for, does see its stale model.
    dry = snakemake(workdir, "-n", "train", "--configfile", str(TINY), str(changed))
    assert "rule train:" in dry.stdout + dry.stderr


def check_tflite_matches_keras(tflite, keras_file):
    """The TFLite file loads, and gives the Keras model's class for every pixel of one photo."""
    import keras
    import tensorflow as tf

    model = keras.models.load_model(keras_file, compile=False)
    rng = np.random.default_rng(2)
    batch = rng.uniform(0, 255, (1, *model.input_shape[1:])).astype(np.float32)
    interpreter = tf.lite.Interpreter(model_path=str(tflite))
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], batch)
    interpreter.invoke()
    lite = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    expected = model.predict(batch, verbose=0)
    assert lite.shape == expected.shape
    np.testing.assert_allclose(lite, expected, atol=1e-3)
    # TFLite sums in another order than Keras, so a pixel whose two best classes are within
    # float rounding of each other may flip (1 of 4,096 did in one CI run): every pixel
    # whose class differs must be such a tie in the Keras probabilities.
    lite_class = lite.argmax(-1)
    differ = lite_class != expected.argmax(-1)
    chosen = np.take_along_axis(expected, lite_class[..., None], -1)[..., 0]
    assert np.all(expected.max(-1)[differ] - chosen[differ] < 1e-4)
    assert differ.mean() <= 0.001


def test_infer_without_a_usable_folder_stops_before_any_job_saying_why(tmp_path):
    process = snakemake(tmp_path, "-n", "infer", check=False)
    assert process.returncode != 0
    assert (
        "snakemake infer --config infer_images=DIR_OR_S3_PREFIX" in process.stdout + process.stderr
    )
    process = snakemake(tmp_path, "-n", "infer", "--config", "infer_images=nowhere", check=False)
    assert (
        process.returncode != 0
        and "nowhere: infer_images is not a folder" in process.stdout + process.stderr
    )
    assert not (tmp_path / "results").exists()
