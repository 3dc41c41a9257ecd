"""The mask stage: annotations (any supported format) in, one class-id palette PNG per sample out.

:func:`make_mask` does one sample. :func:`make_masks` does a chunk of samples in one process,
which is what a Snakemake job runs: starting Python and importing this package costs far more
than rasterising one annotation.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from streetseg.common.files import atomic_path, write_bytes_atomic
from streetseg.common.images import DEFAULT_MAX_PIXELS, ImageError, image_size, resize_labels
from streetseg.common.problems import Problem, from_error, write_problems
from streetseg.labels.annotations import AnnotationReader
from streetseg.labels.classes import IGNORE_LABEL, ClassTable, unannotated_class
from streetseg.labels.formats import registry
from streetseg.labels.formats.base import AnnotationError
from streetseg.labels.painting import polygon_mask
from streetseg.labels.resolver import LabelResolver
from streetseg.labels.settings import MaskSettings


def encode_mask(mask: np.ndarray, table: ClassTable) -> bytes:
    """Encode a class-id array as an 8-bit palette PNG whose palette holds the class colours."""
    image = Image.fromarray(mask.astype(np.uint8), mode="P")
    image.putpalette(table.palette())
    buffer = io.BytesIO()
    # Fixed settings keep the bytes identical from run to run.
    image.save(buffer, format="PNG", compress_level=6, optimize=False)
    return buffer.getvalue()


def read_mask(path: str | Path) -> np.ndarray:
    """Read a class-id mask PNG back as a uint8 array (palette indices, not colours)."""
    with Image.open(path) as image:
        if image.mode not in ("P", "L"):
            raise ValueError(
                f"{path}: a mask must be a palette or 8-bit grey PNG, not {image.mode}"
            )
        return np.asarray(image, dtype=np.uint8)


def build_mask(
    annotation_path: str | Path,
    image_path: str | Path,
    settings: MaskSettings,
    reader: AnnotationReader | None = None,
) -> tuple[np.ndarray, dict]:
    """Rasterise one annotation at its image's size; return the class-id mask and statistics
    (objects, ignored, unknown, unknown_names, skipped, skipped_kinds, coverage, format,
    width, height). ``skipped`` counts shapes without area, ``skipped_kinds`` by kind.

    A ``reader`` shared by the calls of one job parses each multi-image export once.

    The image is opened to check that it exists, decodes, and has the size the annotation
    declares. A mismatch is an error, because the labels would not line up with the photo,
    unless ``settings.size_mismatch`` is "rescale", which scales the labels to the image.
    ``settings.labelbox_legacy_origin`` is where legacy Labelbox XY and WKT exports measure y
    from: "bottom" (the early exports) or "top".
    """
    classes, labels, fmt = settings.classes, settings.labels, settings.format
    max_pixels = settings.max_pixels
    table = ClassTable.from_config(classes)
    resolver = LabelResolver(
        table, labels.get("aliases"), labels.get("ignore"), labels.get("unknown", "error")
    )
    if fmt != "auto":
        registry.get(fmt)  # An unknown name is an error listing them all.
    width, height = image_size(image_path, max_pixels)
    reader = reader or AnnotationReader()
    kind, annotation = reader.read(annotation_path, Path(image_path).name, fmt)
    decode = registry.get(kind).decode
    if decode is not None:  # A dense format: class ids straight from the label image.
        mask, stats = decode(
            annotation_path,
            reader=reader,
            resolver=resolver,
            classes=classes,
            labels=labels,
            fmt=fmt,
            max_pixels=max_pixels,
        )
        declared_h, declared_w = mask.shape
    else:
        declared_w, declared_h = annotation.width or width, annotation.height or height
        if settings.labelbox_legacy_origin == "top":
            annotation.y_from_bottom = False
        annotation.measure_y_from_top(declared_h)
    if (declared_w, declared_h) != (width, height) and settings.size_mismatch != "rescale":
        raise AnnotationError(
            f"annotation size is {declared_w}x{declared_h} but the image {image_path} is "
            f"{width}x{height} (set annotations.size_mismatch: rescale to scale it)",
            annotation_path,
        )
    if decode is not None:
        if mask.shape != (height, width):
            mask = resize_labels(mask, height, width)
    else:
        scale = (width / declared_w, height / declared_h)
        unannotated = resolver.label(
            unannotated_class(classes, labels.get("unannotated"), [annotation_path])
        )
        mask, stats = polygon_mask(annotation, resolver, width, height, scale, unannotated)
    stats.update({"format": kind, "width": width, "height": height})
    return mask, stats


def make_mask(annotation_path, image_path, mask_path, settings: MaskSettings) -> np.ndarray:
    """:func:`build_mask`, written to ``mask_path`` as a palette PNG; returns the mask."""
    mask, _ = build_mask(annotation_path, image_path, settings)
    write_bytes_atomic(mask_path, encode_mask(mask, ClassTable.from_config(settings.classes)))
    return mask


# The per-image columns of a chunk's statistics table, before the pixel counts per class id.
STATS_COLUMNS = [
    "sample",
    "width",
    "height",
    "format",
    "coverage",
    "objects",
    "ignored",
    "unknown",
    "skipped",
    "unknown_names",
]


def pixel_columns(table: ClassTable) -> list[str]:
    """The statistics table's pixel-count columns: one per class id, then the ignored pixels."""
    return [f"pixels_{class_id}" for class_id in table.ids] + [f"pixels_{IGNORE_LABEL}"]


def unlabelled_mask(image_path, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """The mask of a sample whose labels cannot be read: every pixel ignored (255), at the
    image's size when its header can be read, else 1x1. It teaches and scores nothing."""
    try:
        with Image.open(image_path) as image:
            width, height = image.size
        if width * height > max_pixels:
            width = height = 1
    except (OSError, SyntaxError, ValueError):
        width = height = 1
    return np.full((height, width), IGNORE_LABEL, dtype=np.uint8)


@dataclass(frozen=True)
class MaskChunk:
    """The files of one mask job: parallel lists of sample ids, annotations, images and the
    mask PNGs to write, then its statistics table and (optionally) its problem table."""

    samples: list
    annotations: list
    images: list
    masks: list
    stats: str | Path
    problems: str | Path | None = None

    def __post_init__(self):
        lengths = {len(self.samples), len(self.annotations), len(self.images), len(self.masks)}
        if len(lengths) != 1:
            raise ValueError(f"a mask chunk needs lists of one length, not {sorted(lengths)}")


def make_masks(
    chunk: MaskChunk,
    settings: MaskSettings,
    log=print,
    progress=None,
    progress_seconds: float = 10.0,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Make the masks of a chunk of samples in one process.

    Writes one palette PNG per sample, then ``chunk.stats``: a TSV with one row per good
    sample of :data:`STATS_COLUMNS` and the pixel count of every class id (the dataset stage
    sums these instead of reading every mask again). A bad annotation or image never stops
    the others: it becomes a row of the problem table (``chunk.problems``, see
    streetseg.common.problems), and its mask ignores every pixel (:func:`unlabelled_mask`), so
    that every good mask of the chunk is kept and the job's outputs are whole. Each problem
    goes to ``log``; a progress line (done/total, rate) goes to ``progress`` (default ``log``)
    every ``progress_seconds`` and at the end. Returns the statistics and the problems.
    """
    samples, annotation_paths, image_paths = chunk.samples, chunk.annotations, chunk.images
    table = ClassTable.from_config(settings.classes)
    counted = np.array([*table.ids, IGNORE_LABEL])
    total, rows, problems = len(samples), [], []
    reader = AnnotationReader(zip(annotation_paths, (Path(image).name for image in image_paths)))
    started = last = time.perf_counter()
    for done, (sample, annotation, image, out) in enumerate(
        zip(samples, annotation_paths, image_paths, chunk.masks), 1
    ):
        try:
            mask, stats = build_mask(annotation, image, settings, reader)
        except (AnnotationError, ImageError, OSError) as problem:
            log(f"problem: {problem}")
            problems.append(from_error(problem, reader.source(annotation), sample))
            write_bytes_atomic(out, encode_mask(unlabelled_mask(image, settings.max_pixels), table))
        else:
            write_bytes_atomic(out, encode_mask(mask, table))
            stats["unknown_names"] = ";".join(sorted(set(stats["unknown_names"])))
            if stats["skipped"]:
                kinds = ", ".join(
                    f"{kind} {count}" for kind, count in sorted(stats["skipped_kinds"].items())
                )
                log(
                    f"WARNING: {reader.source(annotation)} ({Path(image).name}): skipped "
                    f"{stats['skipped']} shapes without area ({kinds})"
                )
            pixels = np.bincount(mask.ravel(), minlength=256)[counted]
            rows.append(
                {"sample": sample, **stats, **dict(zip(pixel_columns(table), pixels.tolist()))}
            )
        if time.perf_counter() - last >= progress_seconds or done == total:
            last = time.perf_counter()
            rate = done / max(last - started, 1e-9)
            (progress or log)(f"{done}/{total} masks ({rate:.0f}/s), {len(problems)} with problems")
    frame = pd.DataFrame(rows, columns=STATS_COLUMNS + pixel_columns(table))
    if chunk.problems is not None:
        write_problems(problems, chunk.problems)
    with atomic_path(chunk.stats) as temporary:
        frame.to_csv(temporary, sep="\t", index=False, float_format="%.6f")
    return frame, problems
