"""P12: training images/s of the CamVid-sized U-Net under the CPU speed levers.

Usage: .venv/bin/python bench/train_speed.py [STEPS] [REPEATS] [VARIANT ...]
       (default: 12 3, every variant)

Each variant builds ``streetseg.model.unet.build_unet`` for 11 classes and compiles it as
``streetseg.model.compiling.compile_model`` does (Adam, the segmentation loss with
inverse_sqrt-like weights, mean IoU), with the XLA (``jit_compile``) and precision levers of
``streetseg.model.devices``. It then runs STEPS ``train_on_batch`` steps on one fixed batch of
8 seeded random images, REPEATS times, the variants interleaved so that load changes on a
shared machine hit each alike; images/s is 8 x STEPS / the median time. The first call of
each variant (tracing, XLA compilation) is untimed. Compare ratios within one run.

Variants (name: model input, filters, block; levers):
- base: 192x256, 16, separable (the CamVid example before issue 22)
- xla: base with jit_compile
- bf16: base in mixed_bfloat16 (needs AVX512_BF16 or AMX to pay off)
- w24_bf16, w32_bf16: 24 and 32 filters in bfloat16 (a 192x256 input, or 192x256 crops of
  a 352x480 one: the train step is the same)
- full_bf16: whole 352x480 images, 16 filters, bfloat16
"""

from __future__ import annotations

import sys
import time

from _common import interleaved_medians, print_table, quiet_tensorflow

VARIANTS = {
    "base": {"size": (192, 256), "filters": 16, "xla": False, "bf16": False},
    "xla": {"size": (192, 256), "filters": 16, "xla": True, "bf16": False},
    "bf16": {"size": (192, 256), "filters": 16, "xla": False, "bf16": True},
    "w24_bf16": {"size": (192, 256), "filters": 24, "xla": False, "bf16": True},
    "w32_bf16": {"size": (192, 256), "filters": 32, "xla": False, "bf16": True},
    "full_bf16": {"size": (352, 480), "filters": 16, "xla": False, "bf16": True},
}
BATCH, CLASSES = 8, 11


def make_step(spec: dict, steps: int):
    """A function running ``steps`` train steps of the variant's compiled model."""
    import keras
    import numpy as np

    from streetseg.model.compiling import compile_model
    from streetseg.model.unet import build_unet

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if spec["bf16"] else "float32")
    keras.utils.set_random_seed(7)
    model = build_unet(spec["size"], CLASSES, base_filters=spec["filters"], block="separable")
    compile_model(model, CLASSES, 1e-3, jit_compile=spec["xla"])
    keras.mixed_precision.set_global_policy("float32")
    rng = np.random.default_rng(7)
    images = rng.uniform(0, 255, (BATCH, *spec["size"], 3)).astype("float32")
    masks = rng.integers(0, CLASSES, (BATCH, *spec["size"]), dtype="int32")

    def run():
        for _ in range(steps):
            model.train_on_batch(images, masks)

    started = time.perf_counter()
    run()  # trace and compile, untimed
    print(f"{spec}: first {steps} steps {time.perf_counter() - started:.1f}s", flush=True)
    return run


def main(steps: int = 12, repeats: int = 3, names: list[str] | None = None) -> None:
    quiet_tensorflow()
    names = names or list(VARIANTS)
    runs = {name: make_step(VARIANTS[name], steps) for name in names}
    medians = interleaved_medians(runs, repeats=repeats, warmup=0)
    base = medians.get("base")
    rows = []
    for name in names:
        rate = BATCH * steps / medians[name]
        ratio = f" ({medians[name] and base / medians[name]:.2f}x base)" if base else ""
        rows.append((name, f"{rate:.1f} images/s{ratio}"))
    print_table("P12 training images/s under the CPU speed levers", rows)


if __name__ == "__main__":
    args = sys.argv[1:]
    numbers = [int(a) for a in args if a.isdigit()]
    main(*numbers[:2], names=[a for a in args if not a.isdigit()] or None)
