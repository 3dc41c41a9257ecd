"""Model quality on CamVid: run presets through the whole workflow and print one table.

Usage (from the repository root, after `make demo` or `make test` created .venv):
    .venv/bin/python bench/quality.py [--presets default original_unet] [--cores 2]
                                      [--data ../shared/datasets/camvid] [--equal-time]

Each preset is config/examples/camvid.yaml plus its overlay file (none for "default";
config/examples/camvid-<preset>.yaml otherwise, with "-" for "_"), run with
`snakemake --cores N` in its own folder results/bench/quality/<preset>/. With --equal-time
(the default), every preset after the first gets train.time_limit_minutes set to the first
preset's measured fit time, so they are compared at equal training wall time.

Columns: preset, train rule wall time, training images/s (median over epochs, validation
included), epochs run, val mIoU and pixel accuracy (CamVid's val images, scored as the test
split at 480x360) and the per-class IoU. Under the table: the date, the machine line
(bench/machine.py) and the command. Both are also written to results/bench/quality/table.md.
"""

from __future__ import annotations

import argparse
import copy
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml
from _common import REPO, provenance

EXAMPLE = REPO / "config" / "examples" / "camvid.yaml"
OUT = REPO / "results" / "bench" / "quality"
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
EPOCH_LINE = re.compile(r"epoch (\d+)/\d+ [\d.]+s \(([\d.]+) img/s")
FIT_LINE = re.compile(r"total (\d+)s\)")


def merge(base: dict, overlay: dict) -> dict:
    """``overlay`` merged into a copy of ``base``, nested mappings key by key (as Snakemake)."""
    merged = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def preset_config(preset: str, data: Path | None) -> dict:
    """The example config with the preset's overlay, folder paths made absolute."""
    config = yaml.safe_load(EXAMPLE.read_text())
    if preset != "default":
        overlay = EXAMPLE.with_name(f"camvid-{preset.replace('_', '-')}.yaml")
        config = merge(config, yaml.safe_load(overlay.read_text()))
    for pair in config["data"]["folders"]:
        for key in ("images", "annotations"):
            path = Path(pair[key])
            if data is not None:
                path = data / path.name
            pair[key] = str(path if path.is_absolute() else (REPO / path).resolve())
    return config


def run_preset(preset: str, config: dict, cores: int) -> dict:
    """Run the workflow for one preset; return its row of the table."""
    workdir = OUT / preset
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "config.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    command = [
        SNAKEMAKE,
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(config_path),
        "--cores",
        str(cores),
        "--rerun-incomplete",
    ]
    print(f"[{preset}] {' '.join(command)}", flush=True)
    subprocess.run(command, check=True)
    train_log = (workdir / "logs" / "train.log").read_text()
    epochs = [(int(e), float(rate)) for e, rate in EPOCH_LINE.findall(train_log)]
    fit_seconds = int(FIT_LINE.findall(train_log)[-1]) if FIT_LINE.search(train_log) else None
    wall = pd.read_csv(workdir / "logs" / "benchmarks" / "train.tsv", sep="\t")["s"].iloc[-1]
    summary = pd.read_csv(workdir / "results" / "metrics" / "summary.tsv", sep="\t").iloc[0]
    per_class = pd.read_csv(workdir / "results" / "metrics" / "per_class.tsv", sep="\t")
    row = {
        "preset": preset,
        "train wall": f"{int(wall // 60)} min {int(wall % 60)} s",
        "images/s": round(statistics.median(rate for _, rate in epochs), 1) if epochs else None,
        "epochs": max((e for e, _ in epochs), default=0),
        "val mIoU": round(float(summary["mIoU"]), 3),
        "pixel acc": round(float(summary["pixel_accuracy"]), 3),
    }
    row.update(
        {name: round(float(iou), 2) for name, iou in zip(per_class["class"], per_class["IoU"])}
    )
    row["_fit_seconds"] = fit_seconds
    return row


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presets", nargs="+", default=["default", "original_unet"])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--data", type=Path, help="CamVid folder (default: the example's paths)")
    parser.add_argument("--no-equal-time", dest="equal_time", action="store_false")
    args = parser.parse_args(argv)
    rows, budget = [], None
    for preset in args.presets:
        config = preset_config(preset, args.data)
        if budget is not None:
            config["train"]["time_limit_minutes"] = round(budget / 60.0, 2)
            print(f"[{preset}] time budget {budget / 60:.1f} min (the first preset's fit time)")
        row = run_preset(preset, config, args.cores)
        if args.equal_time and budget is None:
            budget = row["_fit_seconds"]
        rows.append(row)
    table = pd.DataFrame(rows).drop(columns="_fit_seconds")
    markdown = f"{markdown_table(table)}\n\n{provenance()}"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "table.md").write_text(markdown + "\n")
    print(markdown)


def markdown_table(table: pd.DataFrame) -> str:
    """A GitHub markdown table of ``table``."""
    lines = ["| " + " | ".join(map(str, table.columns)) + " |"]
    lines.append("|" + "---|" * len(table.columns))
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
