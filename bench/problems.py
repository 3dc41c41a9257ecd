"""The validation pass: one run over a folder with 1 % bad files lists every problem, and what
that run costs against the mask stage over the same folder without them.

Usage: .venv/bin/python bench/problems.py [N ...]   (default: 1000 10000)

For each N, demo scenes (bench/_common.py) are linked into a folder, and N/100 of them are
spoiled, half found while the samples are listed (no image beside the XML; malformed XML)
and half inside the mask jobs (an unknown class; a truncated JPEG). Timed, from an empty
results/ with ``--cores 2``: ``snakemake results/dataset/problems.tsv`` on the clean folder
(the mask stage and the problem table) and on the spoiled one, which must list every problem.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import REPO, demo_scenes, print_table, without_scontrol

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def linked_folder(scenes: Path, folder: Path) -> list[str]:
    folder.mkdir(parents=True)
    for path in scenes.iterdir():
        if path.is_file() and not path.name.startswith("."):
            os.link(path, folder / path.name)
    return sorted(path.stem for path in folder.glob("*.xml"))


def spoil(folder: Path, ids: list[str]) -> int:
    """Spoil every 100th sample, four kinds in turn; return how many."""
    bad = ids[::100]
    for number, sample in enumerate(bad):
        xml, jpg = folder / f"{sample}.xml", folder / f"{sample}.jpg"
        text, data = xml.read_text(), jpg.read_bytes()
        xml.unlink()  # hard links: write new files instead of changing the cached ones
        kind = number % 4
        if kind == 0:
            jpg.unlink()
            xml.write_text(text)
        elif kind == 1:
            xml.write_text(text[: len(text) // 2])
        elif kind == 2:
            xml.write_text(
                text.replace("<name>road</name>", "<name>truck</name>", 1).replace(
                    "<name>sky</name>", "<name>truck</name>", 1
                )
            )
        else:
            xml.write_text(text)
            jpg.unlink()
            jpg.write_bytes(data[: len(data) // 2])
    return len(bad)


def run(work: Path, env: dict) -> tuple[float, int]:
    command = [
        SNAKEMAKE,
        "-s",
        str(REPO / "Snakefile"),
        "--configfile",
        str(work / "config.yaml"),
        "--cores",
        "2",
        "-q",
        "--",
        "results/dataset/problems.tsv",
    ]
    started = time.perf_counter()
    process = subprocess.run(command, cwd=work, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed:\n{process.stdout[-3000:]}\n{process.stderr[-3000:]}"
        )
    problems = pd.read_csv(work / "results" / "dataset" / "problems.tsv", sep="\t")
    return elapsed, len(problems)


def main(sizes: list[int]) -> None:
    env = without_scontrol()
    rows = []
    for count in sizes:
        scenes = demo_scenes(count)
        times = {}
        with tempfile.TemporaryDirectory() as name:
            for kind in ("clean", "spoiled"):
                work = Path(name) / kind
                ids = linked_folder(scenes, work / "export")
                expected = spoil(work / "export", ids) if kind == "spoiled" else 0
                (work / "config.yaml").write_text(
                    f"data: {{source: directory, directory: {work / 'export'}}}\n"
                )
                times[kind], found = run(work, env)
                if found != expected:
                    raise RuntimeError(f"{kind}: {found} problems listed, {expected} expected")
        rows.append(
            (
                f"{count:,} annotations, {expected} bad",
                f"all {expected} problems in one run: {times['spoiled']:.1f} s against "
                f"{times['clean']:.1f} s for the mask stage of the clean folder "
                f"(**{times['spoiled'] / times['clean']:.2f}x**)",
            )
        )
        print(rows[-1][1], flush=True)
    print_table("Validation pass: every problem in one run, against the mask stage", rows)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000, 10000])
