"""P13: training images/s of the CamVid example's U-Net with oneDNN capped at AVX2, against
the CPU's full instruction set, on the same machine in one run.

Usage: .venv/bin/python bench/isa_speed.py [STEPS] [ROUNDS]   (default: 10 3)

TensorFlow's oneDNN kernels (the convolutions, most of the step) pick the widest instruction
set the CPU has at run time; ``ONEDNN_MAX_CPU_ISA=AVX2`` caps them at AVX2, as on a CPU
without AVX-512. The cap is read when TensorFlow starts, so each side is its own process:
``bench/train_speed.py STEPS 1 base`` (the example's separable 16-filter U-Net at 192x256,
batch 8, float32), the two sides alternated ROUNDS times so that load changes hit both alike;
the median images/s of each side and their ratio are printed. This imitates the ISA only: a
real AVX2-only CPU also differs in clock, cores and caches.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from _common import print_table

RATE = re.compile(r"\| base \| ([0-9.]+) images/s")
SIDES = {"full instruction set": None, "oneDNN capped at AVX2": "AVX2"}


def rate(steps: int, isa: str | None) -> float:
    """images/s of one ``train_speed.py STEPS 1 base`` process under the ISA cap ``isa``."""
    env = dict(os.environ)
    env.pop("ONEDNN_MAX_CPU_ISA", None)
    if isa:
        env["ONEDNN_MAX_CPU_ISA"] = isa
    script = Path(__file__).with_name("train_speed.py")
    output = subprocess.run(
        [sys.executable, str(script), str(steps), "1", "base"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(RATE.search(output).group(1))


def main(steps: int = 10, rounds: int = 3) -> None:
    rates = {side: [] for side in SIDES}
    for _ in range(rounds):
        for side, isa in SIDES.items():
            rates[side].append(rate(steps, isa))
    medians = {side: statistics.median(values) for side, values in rates.items()}
    full, capped = medians.values()
    print_table(
        "P13 training images/s with oneDNN capped at AVX2",
        [
            *((side, f"{medians[side]:.1f} images/s ({rates[side]})") for side in SIDES),
            ("ratio capped / full", f"**{capped / full:.2f}x**"),
        ],
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
