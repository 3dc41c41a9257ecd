"""P4: the tf.data input pipeline alone against the training step alone.

Usage: .venv/bin/python bench/input_pipeline.py [N_SCENES] [REPEATS] [BATCHES] [STEPS] [camvid]
       (default: 200 3 60 6)

Both sides use the default config: image_size [128, 160], batch 8, the default augmentation,
and a U-Net of depth 4 with 16 base filters compiled as ``streetseg.model.compiling.compile_model``
does (Adam, segmentation loss, mean IoU). With ``camvid``, the CamVid example's shapes
instead: scenes of 480x360 (CamVid's photo size), image_size [192, 256], separable blocks, 11
classes; there the ratio bounds what caching decoded photos could gain (the pipeline's share
of the CPU per trained image is at most 1 / ratio).

- pipeline: ``streetseg.data.pipeline.load_dataset`` over 2 train shards of N_SCENES demo scenes
  (320x240, made once in the bench cache), shuffled, augmented and repeated as in training;
  BATCHES batches are pulled per repeat (parse, decode, augment, batch);
- train step: ``model.train_on_batch`` on one fixed in-memory batch, STEPS steps per repeat.

Each is warmed up first (graph tracing), then REPEATS back-to-back rounds are timed. Ratio =
pipeline images/s / train-step images/s (goal >= 5: the input is never the bottleneck).
"""

from __future__ import annotations

import sys

from _common import (
    default_config,
    demo_shards,
    median_time,
    print_table,
    quiet_tensorflow,
)


def main(
    n_scenes: int = 200, repeats: int = 3, batches: int = 60, steps: int = 6, shapes: str = ""
) -> None:
    quiet_tensorflow()
    import keras

    from streetseg.data.pipeline import load_dataset
    from streetseg.model.compiling import compile_model
    from streetseg.model.unet import build_unet

    config = default_config()
    train = config["train"]
    width, height, block, num_classes = 320, 240, "conv", len(config["classes"])
    if shapes == "camvid":
        width, height, block, num_classes = 480, 360, "separable", 11
        train["image_size"] = [192, 256]
    image_size, batch_size = tuple(train["image_size"]), train["batch_size"]
    shards = demo_shards(n_scenes, width=width, height=height)
    keras.utils.set_random_seed(train["seed"])

    dataset = load_dataset(
        shards,
        image_size,
        batch_size,
        train["augment"],
        shuffle=True,
        seed=train["seed"],
        repeat=True,
    )
    iterator = iter(dataset)
    images, masks = next(iterator)
    options = train["model"]
    model = build_unet(
        image_size,
        num_classes,
        options["depth"],
        options["base_filters"],
        options["dropout_rate"],
        options["batch_norm"],
        block,
    )
    compile_model(model, num_classes, train["learning_rate"], train["loss"])

    def pipeline():
        for _ in range(batches):
            next(iterator)

    def train_steps():
        for _ in range(steps):
            model.train_on_batch(images, masks)

    # Not interleaved: the pipeline's prefetch buffer would fill while the model trains and
    # flatter the next pipeline round. Back-to-back rounds leave it no idle time to fill.
    times = {
        "pipeline": median_time(pipeline, repeats=repeats),
        "train": median_time(train_steps, repeats=repeats),
    }
    pipeline_rate = batches * batch_size / times["pipeline"]
    train_rate = steps * batch_size / times["train"]
    print_table(
        "P4: input pipeline alone against the training step alone",
        [
            (
                "setup",
                (
                    f"{n_scenes} demo scenes {width}x{height} in 2 shards -> "
                    f"{image_size[0]}x{image_size[1]}, batch {batch_size}, "
                    f"augment {train['augment']}; U-Net depth {options['depth']}, "
                    f"base {options['base_filters']}, {block}, {num_classes} classes; "
                    f"median of {repeats}"
                ),
            ),
            (
                "pipeline (load_dataset, augmented)",
                f"{pipeline_rate:.0f} images/s ({1000 * times['pipeline'] / batches:.1f} ms/batch)",
            ),
            (
                "train step (train_on_batch, fixed batch)",
                f"{train_rate:.1f} images/s ({1000 * times['train'] / steps:.0f} ms/step)",
            ),
            ("ratio pipeline / train step", f"**{pipeline_rate / train_rate:.1f}x**"),
            ("goal", "≥ 5x (input never the bottleneck)"),
        ],
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:5]), *sys.argv[5:6])
