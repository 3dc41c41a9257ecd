"""`infer_images` as an S3 prefix, against the real local S3 server (cluster/s3).

boto3 is configured the standard AWS way only: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_ENDPOINT_URL and AWS_DEFAULT_REGION, with no ~/.aws files to fall back on.
"""

from __future__ import annotations

import io
import os
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from streetseg.data.sources import InferError, image_listing, list_images
from streetseg.inference.infer import segment_images
from streetseg.labels.masks import read_mask
from tests.helpers import segment_settings
from tests.helpers.models import CLASSES, forced_model
from tests.helpers.snakefile import TINY, snakemake

pytestmark = pytest.mark.s3


def aws_env(server, tmp_path, secret=None) -> dict[str, str]:
    """The standard AWS variables for the local server, and nothing else AWS-related."""
    return {
        "AWS_ACCESS_KEY_ID": server["access_key"],
        "AWS_SECRET_ACCESS_KEY": secret or server["secret_key"],
        "AWS_ENDPOINT_URL": server["endpoint"],
        "AWS_DEFAULT_REGION": server["region"],
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }


@pytest.fixture
def aws(s3_server, tmp_path, monkeypatch):
    """This process configured for the local server through the standard AWS variables."""
    for name in [name for name in os.environ if name.startswith(("AWS_", "BOTO"))]:
        monkeypatch.delenv(name)
    for name, value in aws_env(s3_server, tmp_path).items():
        monkeypatch.setenv(name, value)
    return s3_server


def put_image(s3, bucket, key, pixels, format="PNG"):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=format)
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())


def put_folder(s3, bucket, prefix, folder):
    """Every file under ``folder`` as an object under ``prefix``/, at the same relative key."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            key = f"{prefix}/{path.relative_to(folder).as_posix()}"
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())


def test_a_prefix_lists_its_images_sorted_with_sizes_and_etags(aws, s3):
    bucket = aws["bucket"]
    for key in (
        "list/b.jpg",
        "list/a/c.png",
        "list/a/deeper/d.JPEG",
        "list/notes.txt",
        "list/b.json",
        "list/.hidden.jpg",
        "list/.thumbs/e.jpg",
        "list/",
        "listing-other/x.jpg",
        "x.jpg",
    ):
        s3.put_object(Bucket=bucket, Key=key, Body=b"bytes of " + key.encode())
    expected = ["a/c.png", "a/deeper/d.JPEG", "b.jpg"]
    assert list_images(f"s3://{bucket}/list") == expected
    listing = image_listing(f"s3://{bucket}/list/")
    assert list(listing) == expected
    head = s3.head_object(Bucket=bucket, Key="list/b.jpg")
    assert listing["b.jpg"] == [len(b"bytes of list/b.jpg"), head["ETag"].strip('"')]
    s3.put_object(Bucket=bucket, Key="list/b.png", Body=b"x")
    with pytest.raises(
        InferError, match=f"s3://{bucket}/list: b.jpg and b.png would share the mask b.png"
    ):
        list_images(f"s3://{bucket}/list")


def test_a_missing_bucket_or_wrong_key_is_an_error_naming_the_prefix(aws, monkeypatch):
    with pytest.raises(
        InferError,
        match=r"^s3://no-such-bucket-x1/photos: the bucket no-such-bucket-x1 does not exist$",
    ):
        list_images("s3://no-such-bucket-x1/photos")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
    with pytest.raises(InferError, match=rf"^s3://{aws['bucket']}/photos: access denied"):
        list_images(f"s3://{aws['bucket']}/photos")


def test_segmenting_from_s3_reports_a_corrupt_object_and_redoes_only_a_changed_one(
    aws, s3, tmp_path, photo_folder
):
    bucket, rng = aws["bucket"], np.random.default_rng(0)
    put_folder(s3, bucket, "seg", photo_folder)
    model, out, prefix = (
        forced_model(tmp_path / "tree.keras", favoured=1),
        tmp_path / "out",
        f"s3://{bucket}/seg",
    )
    images = list_images(prefix)
    rows = segment_images(
        model,
        prefix,
        images,
        str(out),
        str(out / "a.tsv"),
        segment_settings(CLASSES, infer=True, pictures=True),
    )
    rows = rows.set_index("image")
    assert rows.loc["broken.jpg", "error"].startswith(f"{prefix}/broken.jpg: cannot decode image")
    assert list(rows.loc[["grey.png", "wide.jpg"], "width"]) == [30, 80]
    identity = rows["model_id"].dropna().iloc[0]
    assert set(np.unique(read_mask(out / identity / "masks" / "wide.png"))) == {1}
    assert Image.open(out / identity / "overlays" / "grey.png").width > 30
    put_image(s3, bucket, "seg/grey.png", rng.integers(0, 255, (90, 30), np.uint8))
    log = []
    segment_images(
        model,
        prefix,
        images,
        str(out),
        str(out / "a.tsv"),
        segment_settings(CLASSES, infer=True, pictures=True),
        log=log.append,
    )
    # The changed grey.png and the corrupt broken.jpg are segmented again, the other three not.
    assert "5 images, 3 cached" in log[0] and "segmented 2/2 images" in log[1]


def infer_args(settings, prefix, model, *extra):
    configs = ("--configfile", str(TINY), str(settings))
    return (
        "--cores",
        "2",
        "infer",
        *configs,
        "--config",
        f"infer_images={prefix}",
        f"model={model}",
        *extra,
    )


@pytest.mark.workflow
def test_infer_workflow_on_an_s3_prefix_segments_new_objects_only(
    s3_server, s3, tmp_path, local_path, photo_folder
):
    import keras

    from streetseg.model.unet import build_unet

    bucket, rng = s3_server["bucket"], np.random.default_rng(1)
    put_folder(s3, bucket, "drive", photo_folder)
    workdir = tmp_path / "run"
    workdir.mkdir()
    keras.utils.set_random_seed(0)
    build_unet((64, 64), num_classes=8, depth=2, base_filters=4).save(workdir / "model.keras")
    settings = workdir / "infer.yaml"
    settings.write_text("infer:\n  chunk_size: 2\n  overlays: true\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "BOTO"))}
    env.update(aws_env(s3_server, tmp_path), PATH=local_path)
    prefix = f"s3://{bucket}/drive/"
    run = snakemake(workdir, *infer_args(settings, prefix, "model.keras"), env=env)
    # In chunks of two: [avenue, broken], [drive2/rgba, grey], [wide].
    assert re.search(r"infer_chunk\s+3\n", run.stdout + run.stderr)
    results = workdir / "results" / "inference"
    shares = pd.read_csv(results / "class_shares.tsv", sep="\t")
    assert list(shares["image"]) == ["avenue.jpg", "drive2/rgba.png", "grey.png", "wide.jpg"]
    assert list(shares["width"]) == [96, 20, 30, 80]
    assert list(shares["height"]) == [64, 20, 90, 48]
    for row in shares.itertuples():
        assert read_mask(results / row.mask).shape == (row.height, row.width)
        assert (results / row.model_id / "overlays" / row.mask.split("/masks/")[1]).is_file()
    failed = pd.read_csv(results / "failed.tsv", sep="\t")
    assert list(failed["image"]) == ["broken.jpg"]
    assert failed["error"].item().startswith(f"s3://{bucket}/drive/broken.jpg: cannot decode image")

    # "0.jpg" sorts first: every chunk's membership shifts ([0, avenue], [broken, drive2/rgba],
    # [grey, wide]), but only the new object is segmented.
    put_image(s3, bucket, "drive/0.jpg", rng.integers(0, 255, (40, 40, 3), np.uint8), "JPEG")
    snakemake(workdir, *infer_args(settings, prefix, "model.keras"), env=env)
    after = pd.read_csv(results / "class_shares.tsv", sep="\t").set_index("image")
    assert list(after.index) == ["0.jpg", "avenue.jpg", "drive2/rgba.png", "grey.png", "wide.jpg"]
    assert (after.loc[shares["image"], "time"].values == shares["time"].values).all()
    logs = [
        (workdir / "logs" / "infer" / f"{chunk}.log").read_text()
        for chunk in ("00000", "00001", "00002")
    ]
    assert "2 images, 1 cached" in logs[0] and "segmented 1/1 images" in logs[0]
    assert "2 images, 1 cached" in logs[1] and "broken.jpg" in logs[1]  # the corrupt one is retried
    assert "2 images, 2 cached" in logs[2] and "segmented" not in logs[2]

    # An empty prefix and a missing bucket stop the dry run, naming the prefix.
    empty = snakemake(
        workdir,
        "-n",
        "infer",
        "--config",
        f"infer_images=s3://{bucket}/nothing-here",
        env=env,
        check=False,
    )
    assert empty.returncode != 0
    assert f"s3://{bucket}/nothing-here: no image files found" in empty.stdout + empty.stderr
    missing = snakemake(
        workdir,
        "-n",
        "infer",
        "--config",
        "infer_images=s3://no-such-bucket-x2/p",
        env=env,
        check=False,
    )
    assert missing.returncode != 0
    assert (
        "s3://no-such-bucket-x2/p: the bucket no-such-bucket-x2 does not exist"
        in missing.stdout + missing.stderr
    )
