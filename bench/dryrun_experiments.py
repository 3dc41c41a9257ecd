"""P11: the dry run of `snakemake experiments` at 20 variants against one.

Usage: .venv/bin/python bench/dryrun_experiments.py [SAMPLES] [VARIANTS]
       (default: 1000 samples, 20 variants)

It writes a sample sheet of SAMPLES samples (empty placeholder files are enough for a dry
run, as in bench/dryrun.py) and times `snakemake -n -q experiments` three times with one
variant and three times with VARIANTS variants (each a different train.seed), interleaved so
that the machine's load hits both alike; it prints the medians and their ratio, then the
date, the machine line and the command. The issue's bound: at most 1.5x.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

from _common import REPO, provenance, without_scontrol
from dryrun import SNAKEMAKE, make_sheet, timed


def main(samples: int, variants: int, repeats: int = 3) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        sheet = make_sheet(folder, samples)
        commands = {}
        for count in (1, variants):
            config = folder / f"config-{count}.json"
            experiments = {f"seed{seed}": {"train": {"seed": seed}} for seed in range(count)}
            config.write_text(
                json.dumps(
                    {"data": {"source": "sheet", "sheet": str(sheet)}, "experiments": experiments}
                )
            )
            commands[count] = [
                SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-n", "experiments", "-q",
                "--configfile", str(config),
            ]  # fmt: skip
        env = without_scontrol()
        times = {count: [] for count in commands}
        for _ in range(repeats):
            for count, command in commands.items():
                times[count].append(timed(command, folder, env))
    one, many = (statistics.median(times[count]) for count in commands)
    print("| samples | variants | experiments -n (s) |\n|---|---|---|")
    print(f"| {samples:,} | 1 | {one:.2f} |\n| {samples:,} | {variants} | {many:.2f} |")
    print(f"\nratio {variants} variants / 1: {many / one:.2f}\n\n{provenance()}")


if __name__ == "__main__":
    arguments = [int(arg) for arg in sys.argv[1:]]
    main(*(arguments + [1000, 20][len(arguments) :]))
