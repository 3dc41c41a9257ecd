"""The machine line that every benchmark table carries: CPU model, cores, AVX-512, and how
fast this machine trains a fixed small U-Net.

Usage: .venv/bin/python bench/machine.py   (about 15 s on 2 cores)

The training speed is Keras ``fit`` on random data with the reference model of
bench/_common.py (64x64 input, depth 3, 8 base filters, 8 classes, batch 8), timed after a
warm-up. It does not depend on the workflow's config, so lines from different dates compare
the machines (and their load at the time), not versions of the default model.
"""

from __future__ import annotations

import sys

from _common import machine, reference_training_speed

if __name__ == "__main__":
    if sys.argv[1:] == ["--images-per-second"]:
        print(f"{reference_training_speed():.2f}")
    else:
        print(machine())
