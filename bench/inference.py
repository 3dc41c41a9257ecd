"""Inference at scale: dry-run time of `snakemake infer` over N images, and images/s.

Usage: .venv/bin/python bench/inference.py [--dry-run N ...] [--throughput M] [--s3 N]
       (default: --dry-run 1000 10000 100000 --throughput 64, no --s3;
       S3 figures: --dry-run --s3 100000 --throughput 128)

Dry run: N empty placeholder .jpg files and an empty model file are enough for
`snakemake -n infer`; it is timed once per N with the default chunk size (1,000).
Throughput: M demo-sized photos (320x240 JPEG) segmented with a U-Net of the default config
(128x160 input, depth 4, 16 filters, 8 classes, random weights), three ways:
streetseg.inference.infer's batched tf.data pipeline, the same call again with every image
cached, and a per-image loop that decodes, calls model.predict on one image and writes the
mask.
S3 (--s3 N): starts the local S3 server (cluster/s3/up.sh), puts N tiny objects under a
prefix and times their listing (streetseg.data.sources.image_listing) and `snakemake -n infer`
over the prefix; then segments the M throughput photos from S3 and from a local folder, each
into an empty cache.
Every run ends with the date, the machine line (bench/machine.py) and the command.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from _common import REPO, provenance, segment_settings
from PIL import Image

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def dry_run(count: int, location: str = "photos") -> tuple[float, int]:
    """Seconds for `snakemake -n infer` over ``count`` placeholder images (in a new local
    folder; with ``location`` an S3 prefix, the objects already there), and the job count;
    with ``count`` 0, the plain training workflow's `snakemake -n` for comparison."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        photos = folder / "photos"
        photos.mkdir()
        for index in range(count if location == "photos" else 0):
            (photos / f"img{index:07d}.jpg").touch()
        (folder / "model.keras").touch()
        command = [
            SNAKEMAKE,
            "-s",
            str(REPO / "Snakefile"),
            "-d",
            str(folder),
            "--configfile",
            str(REPO / "config" / "config.yaml"),
            "-n",
        ]
        if count:
            command += ["infer", "--config", f"infer_images={location}", "model=model.keras"]
        started = time.perf_counter()
        process = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{process.stdout}\n{process.stderr}")
        jobs = int(re.search(r"^total\s+(\d+)", process.stdout, re.MULTILINE).group(1))
        return seconds, jobs


def per_image_loop(model_path: str, paths: list[Path], out: Path, classes: list[dict]) -> None:
    """The naive way: one decode, one model.predict and one mask write per image."""
    import keras
    import tensorflow as tf

    from streetseg.common.files import write_bytes_atomic
    from streetseg.common.images import load_rgb, resize_labels
    from streetseg.labels.classes import ClassTable
    from streetseg.labels.masks import encode_mask

    table = ClassTable.from_config(classes)
    model = keras.models.load_model(model_path, compile=False)
    size = model.input_shape[1:3]
    for path in paths:
        pixels = load_rgb(path)
        batch = tf.image.resize(tf.cast(pixels[None], tf.float32), size, method="bilinear")
        labels = np.argmax(model.predict(batch, verbose=0)[0], axis=-1).astype(np.uint8)
        prediction = resize_labels(labels, pixels.shape[0], pixels.shape[1])
        write_bytes_atomic(out / f"{path.stem}.png", encode_mask(prediction, table))


def throughput(count: int, batch_size: int = 16, s3_prefix: str | None = None) -> dict[str, float]:
    """Images/s three ways (see above); with ``s3_prefix``, the photos are also put there and
    segmented from S3 and from the local folder, each into an empty cache, instead."""
    import keras

    from streetseg.inference.infer import segment_images
    from streetseg.model.unet import build_unet

    classes = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["classes"]
    rates = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        photos = folder / "photos"
        photos.mkdir()
        rng = np.random.default_rng(0)
        for index in range(count):
            pixels = rng.integers(0, 255, (240, 320, 3), np.uint8)
            Image.fromarray(pixels).save(photos / f"p{index:04d}.jpg", quality=90)
        keras.utils.set_random_seed(0)
        model = str(folder / "model.keras")
        build_unet((128, 160), num_classes=len(classes), depth=4, base_filters=16).save(model)
        images = sorted(path.name for path in photos.iterdir())
        if s3_prefix:
            put_objects(s3_prefix, {image: (photos / image).read_bytes() for image in images})
            sources = [
                ("local folder", str(photos)),
                ("S3 prefix", s3_prefix),
            ] * 2  # the first run warms up
            for label, source in sources:
                out = folder / f"inference-{len(rates)}"
                started = time.perf_counter()
                segment_images(
                    model,
                    source,
                    images,
                    str(out),
                    str(out / "chunk.tsv"),
                    segment_settings(classes, infer=True, batch_size=batch_size),
                    log=lambda line: None,
                )
                rates[label + (", again" if label in rates else "")] = count / (
                    time.perf_counter() - started
                )
            return rates
        out = folder / "inference"
        for label in ("batched", "batched, all cached"):
            started = time.perf_counter()
            segment_images(
                model,
                str(photos),
                images,
                str(out),
                str(folder / "chunk.tsv"),
                segment_settings(classes, infer=True, batch_size=batch_size),
                log=lambda line: None,
            )
            rates[label] = count / (time.perf_counter() - started)
        started = time.perf_counter()
        per_image_loop(model, [photos / name for name in images], folder / "loop", classes)
        rates["per-image model.predict loop"] = count / (time.perf_counter() - started)
    return rates


@contextlib.contextmanager
def s3_server():
    """The local S3 server (cluster/s3/up.sh) with a bucket "bench", this process's AWS_*
    variables pointing at it; yields the bucket's URL."""
    import boto3

    state = tempfile.mkdtemp(prefix="bench-s3-")
    env = {
        **os.environ,
        "S3_PORT": "auto",
        "S3_STATE_DIR": state,
        "S3_ACCESS_KEY": "bench",
        "S3_SECRET_KEY": "bench-secret",
        "VENV": str(Path(sys.executable).parents[1]),
    }
    up = subprocess.run(
        ["bash", str(REPO / "cluster/s3/up.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        if up.returncode != 0:
            raise RuntimeError(f"cluster/s3/up.sh failed:\n{up.stderr}")
        os.environ.update(
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench-secret",
            AWS_ENDPOINT_URL=up.stdout.strip().splitlines()[-1],
            AWS_DEFAULT_REGION="us-east-1",
        )
        # A failing `scontrol` stub: the SLURM plugin's `scontrol show config` at every Snakemake
        # start otherwise waits 9 s for a slurmctld where the client is installed (as in tests).
        stub = Path(state) / "bin" / "scontrol"
        stub.parent.mkdir()
        stub.write_text("#!/bin/sh\nexit 1\n")
        stub.chmod(0o755)
        os.environ["PATH"] = f"{stub.parent}{os.pathsep}{os.environ['PATH']}"
        boto3.session.Session().client("s3").create_bucket(Bucket="bench")
        yield "s3://bench"
    finally:
        subprocess.run(
            ["bash", str(REPO / "cluster/s3/down.sh"), "--purge"],
            env=env,
            capture_output=True,
            check=False,
        )


def put_objects(prefix: str, objects: dict[str, bytes]) -> None:
    """Upload ``objects`` (relative key: bytes) below ``prefix``, 16 at a time."""
    from concurrent.futures import ThreadPoolExecutor

    from streetseg.common import s3

    client = s3.client()
    bucket, key_prefix = s3.split_url(prefix)
    with ThreadPoolExecutor(16) as pool:
        list(
            pool.map(
                lambda item: client.put_object(
                    Bucket=bucket, Key=key_prefix + item[0], Body=item[1]
                ),
                objects.items(),
            )
        )


def s3_listing(count: int, bucket: str) -> tuple[float, float, int, float]:
    """Seconds to list a prefix of ``count`` tiny PNG objects in-process and for
    `snakemake -n infer` over it, the dry run's job count, and the seconds of the same dry run
    over ``count`` local placeholder files, for comparison."""
    from streetseg.data.sources import image_listing

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    prefix = f"{bucket}/many"
    put_objects(prefix, {f"img{index:07d}.png": buffer.getvalue() for index in range(count)})
    started = time.perf_counter()
    assert len(image_listing(prefix)) == count
    listing = time.perf_counter() - started
    seconds, jobs = dry_run(count, prefix)
    return listing, seconds, jobs, dry_run(count)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--throughput", type=int, default=64)
    parser.add_argument(
        "--s3", type=int, default=0, help="objects to list from the local S3 server"
    )
    args = parser.parse_args()
    if args.s3:
        with s3_server() as bucket:
            listing, seconds, jobs, local = s3_listing(args.s3, bucket)
            print(
                "| S3 objects | listing in-process (s) | snakemake -n infer (s) | jobs "
                "| same over local files (s) |\n|---|---|---|---|---|"
            )
            print(
                f"| {args.s3:,} | {listing:.2f} | {seconds:.1f} | {jobs} | {local:.1f} |",
                flush=True,
            )
            if args.throughput:
                print(
                    f"\n| source ({args.throughput} photos of 320x240, model 128x160) "
                    "| images/s |\n|---|---|"
                )
                for label, rate in throughput(
                    args.throughput, s3_prefix=f"{bucket}/photos"
                ).items():
                    print(f"| {label} | {rate:.1f} |", flush=True)
        print(f"\n{provenance()}")
        return
    if args.dry_run:
        print("| images | jobs | snakemake -n (s) |\n|---|---|---|")
        seconds, jobs = dry_run(0)
        print(
            f"| none: the training workflow's dry run, for scale | {jobs:,} | {seconds:.1f} |",
            flush=True,
        )
        for count in args.dry_run:
            seconds, jobs = dry_run(count)
            print(f"| {count:,} | {jobs:,} | {seconds:.1f} |", flush=True)
    if args.throughput:
        print(
            f"\n| way ({args.throughput} photos of 320x240, model 128x160) | images/s |\n|---|---|"
        )
        for label, rate in throughput(args.throughput).items():
            print(f"| {label} | {rate:.1f} |", flush=True)
    print(f"\n{provenance()}")


if __name__ == "__main__":
    main()
