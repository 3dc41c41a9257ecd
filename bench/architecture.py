"""The plain U-Net's architecture levers (train.model.block, decoder_convs, stem_stride) and
the loss levers (train.loss.lovasz_weight, ohem_fraction) on the CPU: training images/s and
parameters against today's default and the original U-Net.

Usage: .venv/bin/python bench/architecture.py [REPEATS] [STEPS]   (default: 5 2)

Each variant is ``build_unet((192, 256), 11, ...)`` (the CamVid example's input size and
class count) with dropout 0.1 and batch norm, compiled as training compiles it (Adam, the
segmentation loss with the variant's train.loss options), and trained on the same seeded
random batch of 8 images and masks with ``train_on_batch``. After one untimed warm-up round
(graph tracing), REPEATS rounds each time STEPS steps of every variant in turn, so that load
changes of a shared machine hit all alike; the table gives the median. Speed is images per
second of training (forward, backward and Adam), ratio = images/s against the default;
weights do not matter for speed.
"""

from __future__ import annotations

import sys

import numpy as np
from _common import interleaved_medians, print_table, quiet_tensorflow

IMAGE_SIZE, CLASSES, BATCH = (192, 256), 11, 8

# Name -> build_unet options, with the SegmentationLoss options under "loss".
VARIANTS = {
    "default (depth 4, base 16, conv)": {"depth": 4, "base_filters": 16},
    "separable, base 16": {"depth": 4, "base_filters": 16, "block": "separable"},
    "separable, base 32": {"depth": 4, "base_filters": 32, "block": "separable"},
    "conv, decoder_convs 1": {"depth": 4, "base_filters": 16, "decoder_convs": 1},
    "separable, base 24, decoder_convs 1": {
        "depth": 4,
        "base_filters": 24,
        "block": "separable",
        "decoder_convs": 1,
    },
    "stem_stride 2, base 16": {"depth": 4, "base_filters": 16, "stem_stride": 2},
    "stem_stride 2, base 32": {"depth": 4, "base_filters": 32, "stem_stride": 2},
    "original U-Net (depth 5, base 32, conv)": {"depth": 5, "base_filters": 32},
    "default + Lovász term (lovasz_weight 1)": {"loss": {"lovasz_weight": 1.0}},
    "default + OHEM (ohem_fraction 0.25)": {"loss": {"ohem_fraction": 0.25}},
}


def main(repeats: int = 5, steps: int = 2) -> None:
    quiet_tensorflow()
    import keras

    from streetseg.model.compiling import compile_model
    from streetseg.model.unet import build_unet

    rng = np.random.default_rng(7)
    images = rng.uniform(0, 255, (BATCH, *IMAGE_SIZE, 3)).astype("float32")
    masks = rng.integers(0, CLASSES, (BATCH, *IMAGE_SIZE, 1)).astype("int32")
    models, runs = {}, {}
    for name, options in VARIANTS.items():
        options = dict(options)
        loss = options.pop("loss", {})
        keras.utils.set_random_seed(7)
        model = build_unet(IMAGE_SIZE, CLASSES, dropout_rate=0.1, batch_norm=True, **options)
        models[name] = compile_model(model, CLASSES, 1e-3, loss)

        def run(model=model):
            for _ in range(steps):
                model.train_on_batch(images, masks)

        runs[name] = run
    seconds = interleaved_medians(runs, repeats=repeats, warmup=1)
    default = next(iter(VARIANTS))
    speed = {name: steps * BATCH / value for name, value in seconds.items()}
    rows = [
        (
            name,
            f"{speed[name]:.1f} images/s (x{speed[name] / speed[default]:.2f}), "
            f"{models[name].count_params():,} parameters",
        )
        for name in VARIANTS
    ]
    print_table(
        f"Training speed of U-Net variants, {IMAGE_SIZE[0]}x{IMAGE_SIZE[1]}, batch {BATCH}, "
        f"{CLASSES} classes, {repeats} rounds of {steps} steps",
        rows,
    )


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
