"""The predict stage: batched inference over test photos, a mask, panel and overlay per image.

The photos are read as inference reads new ones (streetseg.inference.segmenter, EXIF-upright RGB,
resized to the model's input), so that the test figures describe what `infer` will do.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from streetseg.common.files import atomic_path, write_bytes_atomic
from streetseg.common.images import ImageError, load_rgb
from streetseg.inference.overlays import make_overlay, make_panel
from streetseg.inference.settings import PredictChunk, SegmentSettings
from streetseg.labels.classes import IGNORE_LABEL, ClassTable
from streetseg.labels.masks import encode_mask, read_mask


def predict_samples(
    model_path: str,
    chunk: PredictChunk,
    settings: SegmentSettings,
    log=print,
    known_bad: dict[str, str] | None = None,
) -> list[str]:
    """Write ``{out_dir}/{sample}.png`` (palette mask) per sample of ``chunk`` and, with
    ``settings.pictures``, ``{sample}_panel.png`` (photo, truth, prediction, errors) and
    ``{sample}_overlay.png`` (prediction over the photo).

    The chunk's truth masks are used for the panels. Photos are decoded while the previous
    batch is predicted, resized to the model's input, and the class ids are mapped back to
    the photo's size by nearest neighbour. Returns the sample ids in the order written.

    ``known_bad`` maps samples with a problem (on_bad_sample: skip) to it: one whose photo
    cannot be decoded gets a mask of 255 (no prediction) and pictures that say why, instead of
    failing the job; it is not scored. Any other undecodable photo is an error.
    ``settings.tta`` is the test-time augmentation (streetseg.inference.tta).
    """
    from streetseg.inference.infer import decode_batches
    from streetseg.inference.segmenter import Segmenter

    samples, image_paths, truth_paths = chunk.samples, chunk.images, chunk.truths
    out_dir, panels, max_pixels = chunk.out_dir, settings.pictures, settings.max_pixels
    table = ClassTable.from_config(settings.classes)
    segmenter = Segmenter(model_path, settings.tta)
    # Paths relative to "" are the paths themselves; the panels reuse the bytes already read.
    kept = {} if panels else None
    dataset = decode_batches(
        list(map(str, image_paths)), "", segmenter.image_size, settings.batch_size, max_pixels, kept
    )
    done = []

    def store(index, prediction, error):
        sample = samples[index]
        if error and sample in (known_bad or {}):
            return write_unreadable(
                sample, truth_paths[index], known_bad[sample], out_dir, table, panels
            )
        if error:
            raise ImageError(error)
        write_bytes_atomic(Path(out_dir) / f"{sample}.png", encode_mask(prediction, table))
        if panels:
            image = load_rgb(image_paths[index], max_pixels, data=kept.pop(index))
            truth = read_mask(truth_paths[index])
            picture = make_panel(image, truth, prediction, table, title=sample)
            with atomic_path(Path(out_dir) / f"{sample}_panel.png") as temporary:
                picture.save(temporary, format="PNG")
            overlay = make_overlay(image, prediction, table, title=sample)
            with atomic_path(Path(out_dir) / f"{sample}_overlay.png") as temporary:
                overlay.save(temporary, format="PNG")
        done.append(sample)

    segmenter.segment(dataset, store, len(samples), log, verb="predicted")
    return done


def write_unreadable(
    sample: str, truth_path, reason: str, out_dir, table: ClassTable, panels: bool
) -> None:
    """The outputs of a sample whose photo cannot be read: no prediction (255 everywhere, at
    its truth mask's size) and, as panel and overlay, a picture of the reason."""
    truth = read_mask(truth_path)
    write_bytes_atomic(
        Path(out_dir) / f"{sample}.png", encode_mask(np.full_like(truth, IGNORE_LABEL), table)
    )
    if panels:
        picture = Image.new("RGB", (640, 60), (255, 255, 255))
        draw = ImageDraw.Draw(picture)
        draw.text((8, 8), f"{sample}: no prediction, the photo cannot be read", fill=(160, 0, 0))
        draw.text((8, 32), reason[-100:], fill=(0, 0, 0))
        for suffix in ("_panel", "_overlay"):
            with atomic_path(Path(out_dir) / f"{sample}{suffix}.png") as temporary:
                picture.save(temporary, format="PNG")
