"""Inference at scale: dry-run time of `snakemake infer` over N images, and images/s.

Usage: .venv/bin/python bench/inference.py [--dry-run N ...] [--throughput M]
       (default: --dry-run 1000 10000 100000 --throughput 64)

Dry run: N empty placeholder .jpg files and an empty model file are enough for
`snakemake -n infer`; it is timed once per N with the default chunk size (1,000).
Throughput: M demo-sized photos (320x240 JPEG) segmented with a U-Net of the default config
(128x160 input, depth 4, 16 filters, 8 classes, random weights), three ways: streetseg.infer's
batched tf.data pipeline, the same call again with every image cached, and a per-image loop
that decodes, calls model.predict on one image and writes the mask.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def dry_run(count: int) -> tuple[float, int]:
    """Seconds for `snakemake -n infer` over ``count`` placeholder images, and the job count;
    with ``count`` 0, the plain training workflow's `snakemake -n` for comparison."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        photos = folder / "photos"
        photos.mkdir()
        for index in range(count):
            (photos / f"img{index:07d}.jpg").touch()
        (folder / "model.keras").touch()
        command = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(folder),
                   "--configfile", str(REPO / "config" / "config.yaml"), "-n"]
        if count:
            command += ["infer", "--config", "infer_images=photos", "model=model.keras"]
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

    from streetseg.classes import ClassTable
    from streetseg.images import load_rgb
    from streetseg.io import write_bytes_atomic
    from streetseg.masks import encode_mask
    from streetseg.predict import resize_labels

    table = ClassTable.from_config(classes)
    model = keras.models.load_model(model_path, compile=False)
    size = model.input_shape[1:3]
    for path in paths:
        pixels = load_rgb(path)
        batch = tf.image.resize(tf.cast(pixels[None], tf.float32), size, method="bilinear")
        labels = np.argmax(model.predict(batch, verbose=0)[0], axis=-1).astype(np.uint8)
        prediction = resize_labels(labels, pixels.shape[0], pixels.shape[1])
        write_bytes_atomic(out / f"{path.stem}.png", encode_mask(prediction, table))


def throughput(count: int, batch_size: int = 16) -> dict[str, float]:
    import keras

    from streetseg.infer import segment_images
    from streetseg.model import build_unet

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
        out = folder / "inference"
        for label in ("batched", "batched, all cached"):
            started = time.perf_counter()
            segment_images(model, str(photos), images, str(out), str(folder / "chunk.tsv"), classes,
                           batch_size=batch_size, log=lambda line: None)
            rates[label] = count / (time.perf_counter() - started)
        started = time.perf_counter()
        per_image_loop(model, [photos / name for name in images], folder / "loop", classes)
        rates["per-image model.predict loop"] = count / (time.perf_counter() - started)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--throughput", type=int, default=64)
    args = parser.parse_args()
    if args.dry_run:
        print("| images | jobs | snakemake -n (s) |\n|---|---|---|")
        seconds, jobs = dry_run(0)
        print(f"| none: the training workflow's dry run, for scale | {jobs:,} | {seconds:.1f} |", flush=True)
        for count in args.dry_run:
            seconds, jobs = dry_run(count)
            print(f"| {count:,} | {jobs:,} | {seconds:.1f} |", flush=True)
    if args.throughput:
        print(f"\n| way ({args.throughput} photos of 320x240, model 128x160) | images/s |\n|---|---|")
        for label, rate in throughput(args.throughput).items():
            print(f"| {label} | {rate:.1f} |", flush=True)


if __name__ == "__main__":
    main()
