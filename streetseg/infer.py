"""The infer stage: segment a folder of new, unlabelled photos with a trained model, in chunks.

The image list (every image file below the folder, sorted by relative path) is cut into
chunks of ``chunk_size``; one job segments one chunk. Per-image results are cached under
``{out_dir}/{model_id}/``: the palette mask, the optional overlay, and a small JSON record
(the image's byte size and modification time, its size, class shares and when it was
segmented). A chunk job reuses every record whose image is unchanged, so adding images to
the folder only segments the new ones, whichever chunk they land in.
"""

from __future__ import annotations

import json
import math
import os
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from streetseg.classes import ClassTable
from streetseg.images import DEFAULT_MAX_PIXELS, ImageError, load_rgb
from streetseg.io import atomic_path, warn, write_bytes_atomic, write_text_atomic
from streetseg.masks import encode_mask
from streetseg.panels import make_overlay
from streetseg.predict import resize_labels

# Files with other endings (sidecars, notes, thumbnails.db, ...) are not images and are skipped.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif"})


class InferError(ValueError):
    """The inference input cannot be used; the message names the folder or file."""


def list_images(folder: str | Path) -> list[str]:
    """Relative paths (with "/") of the image files below ``folder``, sorted.

    Hidden files and folders are skipped. Two images whose masks would share a name
    (``a.jpg`` and ``a.png``) are refused, naming both.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InferError(f"{root}: infer_images is not a folder (S3 prefixes are not supported yet)")
    found = []
    # Plain string operations: pathlib would take seconds over 100,000 files at every parse.
    for directory, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        relative = os.path.relpath(directory, root).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        for name in files:
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES:
                found.append(prefix + name)
    found.sort()
    seen: dict[str, str] = {}
    for name in found:
        other = seen.setdefault(mask_name(name), name)
        if other != name:
            raise InferError(f"{root}: {other} and {name} would share the mask {mask_name(name)}; rename one")
    return found


def mask_name(image: str) -> str:
    """The mask's path relative to the masks folder: the image's, ending in .png."""
    return os.path.splitext(image)[0] + ".png"


def chunk_names(count: int, chunk_size: int) -> list[str]:
    """Names of the chunks ("00000", "00001", ...) that ``count`` images make."""
    if chunk_size < 1:
        raise InferError(f"infer.chunk_size must be at least 1, not {chunk_size}")
    return [f"{index:05d}" for index in range(math.ceil(count / chunk_size))]


def chunk_members(images: list[str], chunk: str, chunk_size: int) -> list[str]:
    """The images of one chunk: consecutive runs of the sorted list."""
    start = int(chunk) * chunk_size
    return images[start : start + chunk_size]


def share_columns(table: ClassTable) -> list[str]:
    return [f"share_{name}" for name in table.names]


def class_shares(labels: np.ndarray, table: ClassTable) -> dict[str, float]:
    """The fraction of the mask's pixels in each class."""
    counts = np.bincount(labels.ravel(), minlength=table.num_classes)[: table.num_classes]
    return dict(zip(share_columns(table), (counts / labels.size).tolist()))


def _fingerprint(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]


def _cached_row(cache: Path, name: str, path: Path, overlays: bool) -> dict | None:
    """The row of an image this model has segmented before, if the image is unchanged since
    and its mask (and overlay, when asked for) are still there."""
    record = cache / "records" / f"{name}.json"
    if not record.is_file():
        return None
    cached = json.loads(record.read_text())
    if cached["fingerprint"] != _fingerprint(path) or not (cache / "masks" / mask_name(name)).is_file():
        return None
    if overlays and not (cache / "overlays" / mask_name(name)).is_file():
        return None
    return cached["row"]


def segment_images(
    model_path: str,
    folder: str,
    images: list[str],
    out_dir: str,
    chunk_table: str,
    classes: list[dict],
    batch_size: int = 16,
    overlays: bool = False,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    log=print,
) -> pd.DataFrame:
    """Segment ``images`` (paths relative to ``folder``) and write one row per image to
    ``chunk_table``: image, mask, width, height, model_id, time, share_<class>..., error.

    Masks go to ``{out_dir}/{model_id}/masks/``, overlays to ``.../overlays/``. Images already
    segmented by this model and unchanged since are taken from the cache. An image that cannot
    be decoded gets a row whose ``error`` names the file; the others go on.
    """
    from streetseg.segmenter import Segmenter, decode_batches, model_id

    table = ClassTable.from_config(classes)
    identity = model_id(model_path)
    cache = Path(out_dir) / identity
    rows: dict[str, dict] = {}
    todo = []
    for name in images:
        path = Path(folder) / name
        if not path.is_file():
            rows[name] = {"image": name, "error": f"{path}: image not found"}
        elif cached := _cached_row(cache, name, path, overlays):
            rows[name] = cached
        else:
            todo.append(name)
    reused = sum(1 for row in rows.values() if not row["error"])
    log(f"model {model_path} (id {identity}): {len(images)} images, {reused} cached")
    if todo:
        segmenter = Segmenter(model_path)
        if segmenter.num_classes != table.num_classes:
            raise InferError(
                f"{model_path}: the model predicts {segmenter.num_classes} classes but the config lists "
                f"{table.num_classes}"
            )
        paths = [str(Path(folder) / name) for name in todo]
        dataset = decode_batches(paths, segmenter.image_size, batch_size, max_pixels)
        started, done = time.perf_counter(), 0
        for inputs, indices, heights, widths, errors in dataset:
            labels = segmenter.labels(inputs.numpy())
            for position, index in enumerate(indices.numpy()):
                name, error = todo[index], errors[position].numpy().decode()
                if error:
                    warn(f"skipped {error}")
                    rows[name] = {"image": name, "error": error}
                    continue
                height, width = int(heights[position]), int(widths[position])
                prediction = resize_labels(labels[position], height, width)
                rows[name] = _store(Path(folder) / name, name, prediction, table, cache, identity, overlays, max_pixels)
            done += len(indices)
            log(f"segmented {done}/{len(todo)} images ({done / (time.perf_counter() - started):.1f} img/s)")
    frame = pd.DataFrame([rows[name] for name in images], columns=chunk_columns(table))
    frame = frame.astype({"width": "Int64", "height": "Int64"})
    with atomic_path(chunk_table) as temporary:
        frame.to_csv(temporary, sep="\t", index=False, float_format="%.6f")
    return frame


def chunk_columns(table: ClassTable) -> list[str]:
    return ["image", "mask", "width", "height", "model_id", "time", *share_columns(table), "error"]


def _store(path: Path, name, prediction, table, cache: Path, identity, overlays, max_pixels) -> dict:
    """Write one image's mask (and overlay), then its cache record last, so that a record
    always means complete outputs."""
    mask = Path("masks") / mask_name(name)
    write_bytes_atomic(cache / mask, encode_mask(prediction, table))
    if overlays:
        picture = make_overlay(load_rgb(path, max_pixels), prediction, table, title=name)
        with atomic_path(cache / "overlays" / mask_name(name)) as temporary:
            picture.save(temporary, format="PNG")
    row = {
        "image": name,
        "mask": f"{identity}/{mask.as_posix()}",
        "width": prediction.shape[1],
        "height": prediction.shape[0],
        "model_id": identity,
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **class_shares(prediction, table),
        "error": "",
    }
    record = {"fingerprint": _fingerprint(path), "row": row}
    write_text_atomic(cache / "records" / f"{name}.json", json.dumps(record))
    return row


def summarise(chunk_tables: list[str], out_dir: str, classes: list[dict], log=print) -> pd.DataFrame:
    """Merge the chunk tables into ``class_shares.tsv`` (segmented images), ``failed.tsv``
    (image, error) and the one-row ``summary.tsv`` of the whole set."""
    table = ClassTable.from_config(classes)
    frames = [pd.read_csv(path, sep="\t", keep_default_na=False, dtype={"error": str}) for path in chunk_tables]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=chunk_columns(table))
    failed = rows["error"].astype(str) != ""
    shares = rows.loc[~failed, chunk_columns(table)[:-1]]
    shares = shares.astype({"width": int, "height": int, **{column: float for column in share_columns(table)}})
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
