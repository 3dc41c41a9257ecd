"""The infer stage: segment a folder or S3 prefix of new, unlabelled photos with a trained
model, in chunks.

The image list (every image below the folder or prefix, sorted by relative path; see
streetseg.data.sources) is cut into chunks of ``chunk_size``; one job segments one chunk.
Per-image results are cached under ``{out_dir}/{model_id}/``: the palette mask, the optional
overlay, and a small JSON record (the image's fingerprint: byte size and modification time of
a file, byte size and ETag of an S3 object; its size, class shares and when it was
segmented). A chunk job reuses every record whose image is unchanged, so adding images only
segments the new ones, whichever chunk they land in. Results made with test-time augmentation
are kept apart: their model id, which names the cache, gains a suffix (``-flip``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from streetseg.common.console import say
from streetseg.common.files import atomic_path, write_bytes_atomic, write_text_atomic
from streetseg.common.images import ImageError, load_rgb
from streetseg.common.s3 import MAX_CONNECTIONS, S3Error, is_s3_url
from streetseg.data.sources import (
    InferError,
    file_fingerprint,
    image_listing,
    mask_name,
    reader,
    source_name,
)
from streetseg.inference.overlays import make_overlay
from streetseg.inference.settings import SegmentSettings
from streetseg.labels.classes import ClassTable, ConfigError
from streetseg.labels.masks import encode_mask
from streetseg.model.preflight import check_model_classes


def share_columns(table: ClassTable) -> list[str]:
    return [f"share_{name}" for name in table.names]


def class_shares(labels: np.ndarray, table: ClassTable) -> dict[str, float]:
    """The fraction of the mask's pixels in each class."""
    counts = np.bincount(labels.ravel(), minlength=table.num_classes)[: table.num_classes]
    return dict(zip(share_columns(table), (counts / labels.size).tolist()))


def _cached_row(cache: Path, name: str, fingerprint: list, overlays: bool) -> dict | None:
    """The row of an image this model has segmented before, if the image is unchanged since
    (same fingerprint) and its mask (and overlay, when asked for) are still there."""
    record = cache / "records" / f"{name}.json"
    if not record.is_file():
        return None
    cached = json.loads(record.read_text())
    if (
        cached["fingerprint"] != list(fingerprint)
        or not (cache / "masks" / mask_name(name)).is_file()
    ):
        return None
    if overlays and not (cache / "overlays" / mask_name(name)).is_file():
        return None
    return cached["row"]


def decode_batches(
    names: list[str], folder: str, image_size, batch_size: int, max_pixels: int, kept=None
):
    """Batches of (model input, index, height, width, error): reading (a file, or an S3
    download) and decoding run in parallel with prediction, and a read or decoding error
    travels with its image instead of stopping the batch. With ``kept`` (a dict), each
    image's bytes are left there under its index, for the overlay."""
    import tensorflow as tf

    read = reader(folder)

    def decode(index):
        position = int(index.numpy())
        name = source_name(folder, names[position])
        try:
            data = read(names[position])
            pixels = load_rgb(name, max_pixels, data=data)
        except (ImageError, OSError, S3Error) as problem:
            return np.zeros((1, 1, 3), np.uint8), str(problem)
        if kept is not None:
            kept[position] = data
        return pixels, ""

    def prepare(index):
        pixels, error = tf.py_function(decode, [index], [tf.uint8, tf.string])
        pixels.set_shape([None, None, 3])
        shape = tf.shape(pixels)
        model_input = tf.image.resize(tf.cast(pixels, tf.float32), image_size, method="bilinear")
        return model_input, index, shape[0], shape[1], error

    options = tf.data.Options()
    parallel = tf.data.AUTOTUNE
    if is_s3_url(folder):
        # Downloads wait on the network, not the CPU: keep many in flight whatever the core count.
        parallel = options.threading.private_threadpool_size = MAX_CONNECTIONS // 2
    return (
        tf.data.Dataset.range(len(names))
        .with_options(options)
        .map(prepare, num_parallel_calls=parallel, deterministic=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def segment_images(
    model_path: str,
    folder: str,
    images: list[str],
    out_dir: str,
    chunk_table: str,
    settings: SegmentSettings,
    fingerprints: list | None = None,
    log=print,
) -> pd.DataFrame:
    """Segment ``images`` (paths relative to ``folder``, a folder or an s3:// prefix) and write
    one row per image to ``chunk_table``: image, mask, width, height, model_id, time,
    share_<class>..., error.

    Masks go to ``{out_dir}/{model_id}/masks/``, overlays (``settings.pictures``) to
    ``.../overlays/``. Images already segmented by this model and unchanged since are taken
    from the cache. An image that cannot be read or decoded gets a row whose ``error`` names
    the file or object; the others go on. For S3, ``fingerprints`` are the images' [size,
    ETag] from the listing (in the order of ``images``); without them the prefix is listed
    again. ``settings.tta`` is the test-time augmentation (streetseg.inference.tta).
    """
    classes, tta, overlays = settings.classes, settings.tta, settings.pictures
    batch_size, max_pixels = settings.batch_size, settings.max_pixels
    from streetseg.inference.segmenter import Segmenter, results_id

    table = ClassTable.from_config(classes)
    # A model trained with other class names (or another order) would label every photo
    # wrongly: refused before any photo is read. The cache is per model and class table.
    try:
        check_model_classes(model_path, classes)
    except ConfigError as error:
        raise InferError(str(error)) from None
    identity = results_id(model_path, tta, classes)
    cache = Path(out_dir) / identity
    if not is_s3_url(folder):
        fingerprints = [file_fingerprint(f"{folder}/{name}") for name in images]
    elif fingerprints is None:
        listing = image_listing(folder)
        fingerprints = [listing.get(name) for name in images]
    prints = dict(zip(images, fingerprints, strict=True))
    rows: dict[str, dict] = {}
    todo = []
    for name in images:
        if prints[name] is None:
            rows[name] = {"image": name, "error": f"{source_name(folder, name)}: image not found"}
        elif cached := _cached_row(cache, name, prints[name], overlays):
            rows[name] = cached
        else:
            todo.append(name)
    reused = sum(1 for row in rows.values() if not row["error"])
    log(f"model {model_path} (id {identity}): {len(images)} images, {reused} cached")
    if todo:
        segmenter = Segmenter(model_path, tta)
        if segmenter.num_classes != table.num_classes:
            raise InferError(
                f"{model_path}: the model predicts {segmenter.num_classes} classes "
                f"but the config lists {table.num_classes}"
            )
        kept = {} if overlays else None
        place = _Cache(cache, identity, table, max_pixels)

        def store(index, prediction, error):
            name = todo[index]
            if error:
                say(f"skipped {error}")
                rows[name] = {"image": name, "error": error}
            else:
                photo = kept.pop(index) if overlays else None  # the bytes, for the overlay
                source = source_name(folder, name)
                rows[name] = place.store(name, prints[name], prediction, photo, source)

        batches = decode_batches(todo, folder, segmenter.image_size, batch_size, max_pixels, kept)
        segmenter.segment(batches, store, len(todo), log)
    frame = pd.DataFrame([rows[name] for name in images], columns=chunk_columns(table))
    frame = frame.astype({"width": "Int64", "height": "Int64"})
    with atomic_path(chunk_table) as temporary:
        frame.to_csv(temporary, sep="\t", index=False, float_format="%.6f")
    return frame


def chunk_columns(table: ClassTable) -> list[str]:
    return ["image", "mask", "width", "height", "model_id", "time", *share_columns(table), "error"]


@dataclass(frozen=True)
class _Cache:
    """Where one model's results for one class table are kept (``folder``, named
    ``identity``), and how a mask is painted and read back."""

    folder: Path
    identity: str
    table: ClassTable
    max_pixels: int

    def store(self, name, fingerprint, prediction, photo, source) -> dict:
        """Write one image's mask (and its overlay, given the ``photo``'s bytes), then its
        cache record last, so that a record always means complete outputs."""
        mask = Path("masks") / mask_name(name)
        write_bytes_atomic(self.folder / mask, encode_mask(prediction, self.table))
        if photo is not None:
            image = load_rgb(source, self.max_pixels, data=photo)
            picture = make_overlay(image, prediction, self.table, title=name)
            with atomic_path(self.folder / "overlays" / mask_name(name)) as temporary:
                picture.save(temporary, format="PNG")
        row = {
            "image": name,
            "mask": f"{self.identity}/{mask.as_posix()}",
            "width": prediction.shape[1],
            "height": prediction.shape[0],
            "model_id": self.identity,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **class_shares(prediction, self.table),
            "error": "",
        }
        record = {"fingerprint": list(fingerprint), "row": row}
        write_text_atomic(self.folder / "records" / f"{name}.json", json.dumps(record))
        return row


def summarise(
    chunk_tables: list[str], out_dir: str, classes: list[dict], log=print
) -> pd.DataFrame:
    """Merge the chunk tables into ``class_shares.tsv`` (segmented images), ``failed.tsv``
    (image, error) and the one-row ``summary.tsv`` of the whole set."""
    table = ClassTable.from_config(classes)
    frames = [
        pd.read_csv(path, sep="\t", keep_default_na=False, dtype={"error": str})
        for path in chunk_tables
    ]
    rows = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=chunk_columns(table))
    )
    failed = rows["error"].astype(str) != ""
    shares = rows.loc[~failed, chunk_columns(table)[:-1]]
    shares = shares.astype(
        {"width": int, "height": int, **dict.fromkeys(share_columns(table), float)}
    )
    out = Path(out_dir)
    with atomic_path(out / "class_shares.tsv") as temporary:
        shares.to_csv(temporary, sep="\t", index=False, float_format="%.6f")
    with atomic_path(out / "failed.tsv") as temporary:
        rows.loc[failed, ["image", "error"]].to_csv(temporary, sep="\t", index=False)
    pixels = shares["width"] * shares["height"]
    summary = {
        "model_id": ",".join(sorted(set(shares["model_id"].astype(str)))),
        "n_images": len(shares),
        "n_failed": int(failed.sum()),
        "megapixels": round(float(pixels.sum()) / 1e6, 3),
    }
    for column, name in zip(share_columns(table), table.names):
        # The mean of per-image shares (each photo counts once, whatever its size).
        summary[f"mean_{name}"] = float(shares[column].mean()) if len(shares) else 0.0
    frame = pd.DataFrame([summary])
    with atomic_path(out / "summary.tsv") as temporary:
        frame.to_csv(temporary, sep="\t", index=False, float_format="%.6f")
    log(f"{len(shares)} images segmented, {int(failed.sum())} failed")
    return frame
