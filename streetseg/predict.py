"""The predict stage: batched inference over test photos, a mask, panel and overlay per image.

The photos are read as inference reads new ones (streetseg.segmenter, EXIF-upright RGB,
resized to the model's input), so that the test figures describe what `infer` will do.
"""

from __future__ import annotations

from pathlib import Path

from streetseg.classes import ClassTable
from streetseg.images import DEFAULT_MAX_PIXELS, ImageError, load_rgb
from streetseg.io import atomic_path, write_bytes_atomic
from streetseg.masks import encode_mask, read_mask
from streetseg.panels import make_overlay, make_panel


def predict_samples(
    model_path: str,
    samples: list[str],
    image_paths: list[str],
    truth_paths: list[str],
    out_dir: str,
    classes: list[dict],
    batch_size: int = 8,
    panels: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    log=print,
) -> list[str]:
    """Write ``{out_dir}/{sample}.png`` (palette mask), ``{sample}_panel.png`` (photo, truth,
    prediction, errors) and ``{sample}_overlay.png`` (prediction over the photo) per sample.

    The lists are parallel; ``truth_paths`` are the samples' masks, used for the panels.
    Photos are decoded while the previous batch is predicted, resized to the model's input,
    and the class ids are mapped back to the photo's size by nearest neighbour. Returns the
    sample ids in the order written.
    """
    from streetseg.infer import decode_batches
    from streetseg.segmenter import Segmenter

    if not len(samples) == len(image_paths) == len(truth_paths):
        raise ValueError("predict_samples needs one image and one truth mask per sample")
    table = ClassTable.from_config(classes)
    segmenter = Segmenter(model_path)
    # Paths relative to "" are the paths themselves; the panels reuse the bytes already read.
    kept = {} if panels else None
    dataset = decode_batches(list(map(str, image_paths)), "", segmenter.image_size, batch_size, max_pixels, kept)
    done = []

    def store(index, prediction, error):
        if error:
            raise ImageError(error)
        sample = samples[index]
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
