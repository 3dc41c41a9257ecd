"""P13: training images/s of the CamVid example's U-Net under process-wide CPU settings:
oneDNN capped at AVX2 (a CPU without AVX-512) and TensorFlow's thread pools, against the
defaults, on the same machine in one run.

Usage: .venv/bin/python bench/cpu_settings.py [STEPS] [ROUNDS]   (default: 10 3)

TensorFlow's oneDNN kernels (the convolutions, most of the step) pick the widest instruction
set the CPU has at run time; ``ONEDNN_MAX_CPU_ISA=AVX2`` caps them at AVX2, as on a CPU
without AVX-512 (the ISA only: a real AVX2-only CPU also differs in clock, cores and caches).
``TF_NUM_INTEROP_THREADS`` and ``TF_NUM_INTRAOP_THREADS`` size the two thread pools (by
default both the number of cores). All are read when TensorFlow starts, so each side is its
own process: ``bench/train_speed.py STEPS 1 base`` (the example's separable 16-filter U-Net
at 192x256, batch 8, float32), the sides alternated ROUNDS times so that load changes hit
them alike; the median images/s of each side and its ratio to the defaults are printed.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from _common import print_table

SIDES_KEYS = ("ONEDNN_MAX_CPU_ISA", "TF_NUM_INTEROP_THREADS", "TF_NUM_INTRAOP_THREADS")
RATE = re.compile(r"\| base \| ([0-9.]+) images/s")
# Side -> the environment it sets; the first is the defaults the others are compared with.
SIDES = {
    "defaults": {},
    "oneDNN capped at AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2"},
    "inter-op pool of 1 thread": {"TF_NUM_INTEROP_THREADS": "1"},
    "intra-op pool of 1 thread": {"TF_NUM_INTRAOP_THREADS": "1"},
}


def rate(steps: int, settings: dict) -> float:
    """images/s of one ``train_speed.py STEPS 1 base`` process with ``settings`` set."""
    env = {key: value for key, value in os.environ.items() if key not in SIDES_KEYS}
    env.update(settings)
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
        for side, settings in SIDES.items():
            rates[side].append(rate(steps, settings))
    medians = {side: statistics.median(values) for side, values in rates.items()}
    base = medians["defaults"]
    print_table(
        "P13 training images/s under process-wide CPU settings",
        [
            (side, f"{medians[side]:.1f} images/s (**{medians[side] / base:.2f}x**; {rates[side]})")
            for side in SIDES
        ],
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
