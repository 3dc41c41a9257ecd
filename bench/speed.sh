#!/usr/bin/env bash
# Every speed benchmark of docs/benchmarks.md, one after the other (about 40 min on 2 cores).
# Each script prints its own table with the date, the machine line and its command (the
# machine line trains a small reference model first, about 25 s a script: bench/machine.py);
# paste them into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# With the SLURM client installed but no controller (as `make test` leaves this machine), the
# SLURM executor plugin waits 10 s in `scontrol` at every Snakemake start: a failing stub
# first on PATH keeps that machine artefact out of the Snakemake timings.
stub=$(mktemp -d)
printf '#!/bin/sh\nexit 1\n' > "$stub/scontrol"
chmod +x "$stub/scontrol"
export PATH="$stub:$PATH"
$PY bench/masks.py 100 1000 10000      # P1 and the growth of the mask stage
$PY bench/rasterize.py 200 5           # P2
$PY bench/dryrun.py 100 1000 10000     # P3 and the growth of the dry run
$PY bench/dryrun_experiments.py 1000 20 # P11
$PY bench/input_pipeline.py 200 3 60 6 # P4
$PY bench/input_pipeline.py 200 3 30 4 camvid # P4 at CamVid's shapes
$PY bench/architecture.py 4 2          # the model and loss levers' training speed
$PY bench/train_speed.py 12 3         # P12: XLA and bfloat16 on the CPU
$PY bench/cpu_settings.py 10 3         # P13: oneDNN capped at AVX2, thread pools
$PY bench/predict.py 100 5             # P5
$PY bench/shards.py 200 5              # P7
$PY bench/formats.py 1000             # P10 (about 10 min)
$PY bench/inference.py --dry-run 1000 10000 100000 --throughput 64
