"""The predict stage: batched inference over a split's shards, masks and panels per image."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
from PIL import Image

from streetseg.classes import ClassTable
from streetseg.io import atomic_path, write_bytes_atomic
from streetseg.masks import encode_mask
from streetseg.panels import make_overlay, make_panel


def resize_labels(labels: np.ndarray, height: int, width: int) -> np.ndarray:
    """Map model-resolution class ids back to the image's size by nearest neighbour."""
    if labels.shape == (height, width):
        return labels
    return np.asarray(Image.fromarray(labels).resize((width, height), Image.NEAREST))


def predict_split(
    model_path: str,
    shard_paths: list[str],
    out_dir: str,
    classes: list[dict],
    batch_size: int = 8,
    panels: bool = True,
    log=print,
) -> list[str]:
    """Write ``{out_dir}/{sample}.png`` (palette mask), ``{sample}_panel.png`` (photo, truth,
    prediction, errors) and ``{sample}_overlay.png`` (prediction over the photo) per record.

    Images are resized to the model's input, predicted in batches, and the class ids are
    mapped back to the original size by nearest neighbour. Returns the sample ids.
    """
    from streetseg.inputs import load_inference_dataset
    from streetseg.segmenter import Segmenter

    table = ClassTable.from_config(classes)
    segmenter = Segmenter(model_path)
    dataset = load_inference_dataset(shard_paths, segmenter.image_size, batch_size)
    started, done = time.perf_counter(), []
    for inputs, sample_ids, images, masks in dataset:
        labels = segmenter.labels(inputs.numpy())
        # Whole batches to NumPy at once; indexing the tensors per image ran an op each time.
        images, masks = images.numpy(), masks.numpy()
        for index, sample_bytes in enumerate(sample_ids.numpy()):
            sample = sample_bytes.decode()
            # Shards hold upright images, so the header gives the size; decode only for panels.
            photo = Image.open(io.BytesIO(images[index]))
            prediction = resize_labels(labels[index], photo.height, photo.width)
            write_bytes_atomic(Path(out_dir) / f"{sample}.png", encode_mask(prediction, table))
            if panels:
                image = np.asarray(photo.convert("RGB"))
                truth = np.asarray(Image.open(io.BytesIO(masks[index])))
                picture = make_panel(image, truth, prediction, table, title=sample)
                with atomic_path(Path(out_dir) / f"{sample}_panel.png") as temporary:
                    picture.save(temporary, format="PNG")
                overlay = make_overlay(image, prediction, table, title=sample)
                with atomic_path(Path(out_dir) / f"{sample}_overlay.png") as temporary:
                    overlay.save(temporary, format="PNG")
            done.append(sample)
        log(f"predicted {len(done)} images ({len(done) / (time.perf_counter() - started):.1f} img/s)")
    return done
