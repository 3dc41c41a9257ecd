"""P5: batched prediction over a split against a per-image ``model.predict`` loop.

Usage: .venv/bin/python bench/predict.py [N_SCENES] [REPEATS]   (default: 100 3)

An untrained default U-Net (image_size [128, 160], depth 4, base 16; weights do not matter
for speed) is saved as .keras. Both sides write the same output, one class-id mask PNG per
image at its original size, for the N_SCENES demo scenes (320x240, made once in the bench
cache):

- ours: ``streetseg.inference.predict.predict_samples`` with ``panels=False`` over the
  scenes' photos, batch size 16 (config predict.batch_size): tf.data decoding and resizing in
  parallel with prediction, one graph call per batch;
- per image: load the model, then for each photo decode it, resize it the same way, call
  ``model.predict`` on a batch of one, take the argmax, resize back and write the mask (the
  seed project's loop).

Both start from the .keras file. The runs are interleaved, REPEATS times; ratio = per-image
time / ours (goal >= 5). The table also gives the rule's full cost with the panels and
overlays it draws, and the cost of each test-time augmentation (``predict.tta``: flip,
multiscale, flip_multiscale), run interleaved with the others.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from _common import (
    default_config,
    demo_masks,
    interleaved_medians,
    median_time,
    print_table,
    quiet_tensorflow,
    segment_settings,
)


def main(n_scenes: int = 100, repeats: int = 3) -> None:
    quiet_tensorflow()
    import tensorflow as tf
    from PIL import Image

    from streetseg.common.files import write_bytes_atomic
    from streetseg.common.images import resize_labels
    from streetseg.inference.predict import predict_samples
    from streetseg.inference.settings import PredictChunk
    from streetseg.labels.classes import ClassTable
    from streetseg.labels.masks import encode_mask, read_mask
    from streetseg.model.unet import build_unet

    config = default_config()
    image_size = tuple(config["train"]["image_size"])
    batch_size = config["predict"]["batch_size"]
    classes = config["classes"]
    table = ClassTable.from_config(classes)
    pairs = demo_masks(n_scenes)
    images = {sample: image for sample, (image, _) in pairs.items()}
    ids = sorted(pairs)
    photos, truths = [str(pairs[s][0]) for s in ids], [str(pairs[s][1]) for s in ids]
    quiet = {"log": lambda *_: None}

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        model_path = folder / "model.keras"
        build_unet(image_size, len(classes)).save(model_path)
        import keras

        def batched(out="ours", panels=False, tta="none"):
            predict_samples(
                str(model_path),
                PredictChunk(ids, photos, truths, str(folder / out)),
                segment_settings(classes, batch_size=batch_size, pictures=panels, tta=tta),
                **quiet,
            )

        def per_image():
            model = keras.models.load_model(model_path, compile=False)
            for sample, path in images.items():
                rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
                x = tf.image.resize(rgb, image_size, method="bilinear")[None]
                labels = np.argmax(model.predict(x, verbose=0)[0], axis=-1).astype(np.uint8)
                mask = resize_labels(labels, rgb.shape[0], rgb.shape[1])
                write_bytes_atomic(folder / "loop" / f"{sample}.png", encode_mask(mask, table))

        candidates = {
            "ours": batched,
            "loop": per_image,
        }
        for tta in ("flip", "multiscale", "flip_multiscale"):
            candidates[tta] = lambda tta=tta: batched(tta, tta=tta)
        times = interleaved_medians(candidates, repeats=repeats)
        full = median_time(lambda: batched("full", panels=True), repeats=1, warmup=0)

        def agreement(sample: str) -> float:
            ours, loop = (read_mask(folder / side / f"{sample}.png") for side in ("ours", "loop"))
            return np.mean(ours == loop)

        agree = np.mean([agreement(s) for s in images])

    print_table(
        "P5: batched prediction against a per-image model.predict loop",
        [
            (
                "setup",
                (
                    f"{n_scenes} demo scenes 320x240 -> {image_size[0]}x{image_size[1]}, untrained "
                    f"U-Net depth 4, base 16; masks written by both; median of {repeats}"
                ),
            ),
            (
                f"predict_samples, batch {batch_size}, panels off",
                f"{times['ours']:.2f} s ({n_scenes / times['ours']:.1f} images/s)",
            ),
            (
                "per-image model.predict loop",
                f"{times['loop']:.2f} s ({n_scenes / times['loop']:.1f} images/s)",
            ),
            ("ratio loop / batched", f"**{times['loop'] / times['ours']:.1f}x**"),
            ("goal", "≥ 5x"),
            ("masks agreeing pixel for pixel", f"{100 * agree:.3f}%"),
            *(
                (
                    f"predict_samples, predict.tta {tta}, panels off",
                    f"{times[tta]:.2f} s ({n_scenes / times[tta]:.1f} images/s; "
                    f"{times['ours'] / times[tta]:.2f}x the throughput of tta none)",
                )
                for tta in ("flip", "multiscale", "flip_multiscale")
            ),
            (
                "predict_samples with panels and overlays (the rule), 1 run",
                f"{full:.2f} s ({n_scenes / full:.1f} images/s)",
            ),
        ],
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
