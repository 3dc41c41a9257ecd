"""P3: `snakemake -n` on the real workflow against a bare Snakefile of the same DAG shape.

Usage: .venv/bin/python bench/dryrun.py [N ...]   (default: 100 1000 10000)

For each N it writes a sample sheet of N samples (empty placeholder files are enough for a
dry run) and times `snakemake -n -q` three times on the workflow and on a bare Snakefile
with the same rules, chunked mask and predict jobs (200 samples each); it prints the medians
and their ratio, then the date, the machine line and the command.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, provenance

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

BARE = """
import pandas as pd
samples = pd.read_csv(config["sheet"], sep="\\t", dtype=str).set_index("sample", drop=False)
ids = sorted(samples.index)
test = ids[: len(ids) // 5]
kinds = ["", "_panel", "_overlay"]
rule all:
    input:
        expand("results/predictions/{s}{k}.png", s=test, k=kinds),
        "results/metrics/summary.tsv",
        "results/dataset/summary.tsv",
        "results/plots/training_curves.png",
        expand("results/tfrecords/test-0000{i}-of-00002.tfrecord", i=[0, 1]),
for start in range(0, len(ids), 200):
    chunk = ids[start : start + 200]
    rule:
        name: f"masks_{start // 200:05d}"
        input:
            images=samples.loc[chunk, "image"].tolist(),
            annotations=samples.loc[chunk, "annotation"].tolist(),
        output:
            expand("results/masks/{s}.png", s=chunk),
            f"results/masks/stats/{start // 200:05d}.tsv",
        shell: "touch {output}"
rule splits:
    output: "results/splits/train.txt", "results/splits/val.txt", "results/splits/test.txt"
    shell: "touch {output}"
rule dataset:
    input:
        rules.splits.output,
        expand("results/masks/stats/{c:05d}.tsv", c=range((len(ids) + 199) // 200)),
    output: "results/dataset/summary.tsv"
    shell: "touch {output}"
rule tfrecords:
    input: "results/splits/{split}.txt", lambda w: expand("results/masks/{s}.png", s=ids)
    output:
        "results/tfrecords/{split}-00000-of-00002.tfrecord",
        "results/tfrecords/{split}-00001-of-00002.tfrecord",
    shell: "touch {output}"
rule train:
    input:
        expand(
            "results/tfrecords/{split}-0000{i}-of-00002.tfrecord", split=["train", "val"], i=[0, 1]
        ),
    output: "results/model/model.keras", "results/model/history.tsv"
    shell: "touch {output}"
for start in range(0, len(test), 200):
    chunk = test[start : start + 200]
    rule:
        name: f"predict_{start // 200:05d}"
        input:
            "results/model/model.keras",
            samples.loc[chunk, "image"].tolist(),
            expand("results/masks/{s}.png", s=chunk),
        output: expand("results/predictions/{s}{k}.png", s=chunk, k=kinds)
        shell: "touch {output}"
rule evaluate:
    input: expand("results/predictions/{s}.png", s=test), expand("results/masks/{s}.png", s=test)
    output: "results/metrics/summary.tsv"
    shell: "touch {output}"
rule plots:
    input: "results/model/history.tsv"
    output: "results/plots/training_curves.png"
    shell: "touch {output}"
"""


def make_sheet(folder: Path, count: int) -> Path:
    data = folder / "data"
    data.mkdir()
    lines = ["sample\timage\tannotation"]
    for index in range(count):
        for suffix in ("jpg", "xml"):
            (data / f"s{index:06d}.{suffix}").touch()
        lines.append(f"s{index:06d}\tdata/s{index:06d}.jpg\tdata/s{index:06d}.xml")
    sheet = folder / "samples.tsv"
    sheet.write_text("\n".join(lines) + "\n")
    return sheet


def timed(command: list[str], cwd: Path, env: dict | None = None) -> float:
    started = time.perf_counter()
    process = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{process.stdout}\n{process.stderr}")
    return time.perf_counter() - started


def main(sizes: list[int], repeats: int = 3) -> None:
    print("| samples | workflow -n (s) | bare -n (s) | ratio |\n|---|---|---|---|")
    for count in sizes:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            sheet = make_sheet(folder, count)
            (folder / "Bare.smk").write_text(BARE)
            config = folder / "config.yaml"
            config.write_text(f"data: {{source: sheet, sheet: {sheet}}}\n")
            workflow = [
                SNAKEMAKE,
                "-s",
                str(REPO / "Snakefile"),
                "--configfile",
                str(config),
                "-n",
                "-q",
            ]
            bare = [SNAKEMAKE, "-s", "Bare.smk", "--config", f"sheet={sheet}", "-n", "-q"]
            ours = statistics.median(timed(workflow, folder) for _ in range(repeats))
            base = statistics.median(timed(bare, folder) for _ in range(repeats))
            print(f"| {count:,} | {ours:.2f} | {base:.2f} | {ours / base:.2f} |", flush=True)
    print(f"\n{provenance()}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000, 10000])
