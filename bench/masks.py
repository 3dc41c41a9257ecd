"""P1: the mask stage through Snakemake against the library's in-process loop, and how both
grow with the number of annotations.

Usage: .venv/bin/python bench/masks.py [N ...]   (default: 100 1000 10000)

For each N, demo scenes (320x240 Labelbox VOC XMLs and JPEGs, generated once, see
bench/_common.py) are turned into masks three ways, from an empty results/ each time:

- loop: ``streetseg.labels.masks.make_masks`` over all N files in this process (one core);
- snakemake --cores 1 and --cores 2: ``snakemake --cores C`` asking for the mask jobs'
  statistics tables, in a folder whose config reads the scenes as `source: directory`: it
  runs exactly the mask jobs (chunks of masks.chunk_size from config/config.yaml).

Snakemake's time includes its start-up and DAG. A SLURM client without a controller makes
the SLURM executor plugin wait 10 s in `scontrol` at every start; the script puts a failing
`scontrol` first on PATH so that this machine artefact is not timed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    REPO,
    classes,
    default_config,
    demo_scenes,
    mask_settings,
    print_table,
    without_scontrol,
)

from streetseg.labels.masks import MaskChunk

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
CHUNK_SIZE = default_config()["masks"]["chunk_size"]


def loop(scenes: Path, out: Path) -> float:
    from streetseg.labels.masks import make_masks

    ids = sorted(path.stem for path in scenes.glob("*.xml"))
    started = time.perf_counter()
    make_masks(
        MaskChunk(
            ids,
            [str(scenes / f"{s}.xml") for s in ids],
            [str(scenes / f"{s}.jpg") for s in ids],
            [str(out / f"{s}.png") for s in ids],
            out / "stats.tsv",
        ),
        mask_settings(classes()),
        log=lambda *_: None,
    )
    return time.perf_counter() - started


def through_snakemake(scenes: Path, work: Path, cores: int, env: dict) -> float:
    shutil.rmtree(work / "results", ignore_errors=True)
    shutil.rmtree(work / "logs", ignore_errors=True)
    shutil.rmtree(work / ".snakemake", ignore_errors=True)
    chunks = -(-len(list(scenes.glob("*.xml"))) // CHUNK_SIZE)
    targets = [f"results/masks/stats/{index:05d}.tsv" for index in range(chunks)]
    command = [
        SNAKEMAKE,
        "-s",
        str(REPO / "Snakefile"),
        "--configfile",
        str(work / "config.yaml"),
        "--cores",
        str(cores),
        "-q",
        "--",
        *targets,
    ]
    started = time.perf_counter()
    process = subprocess.run(command, cwd=work, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed:\n{process.stdout[-3000:]}\n{process.stderr[-3000:]}"
        )
    made = len(list((work / "results" / "masks").glob("*.png")))
    expected = len(list(scenes.glob("*.xml")))
    if made != expected:
        raise RuntimeError(f"snakemake made {made} masks, not {expected}")
    return elapsed


def main(sizes: list[int]) -> None:
    env = without_scontrol()
    rows = []
    for count in sizes:
        scenes = demo_scenes(count)
        with tempfile.TemporaryDirectory() as name:
            work = Path(name)
            (work / "config.yaml").write_text(f"data: {{source: directory, directory: {scenes}}}\n")
            in_process = loop(scenes, work / "loop")
            one = through_snakemake(scenes, work, 1, env)
            two = through_snakemake(scenes, work, 2, env)
        rows.append(
            (
                f"{count:,} annotations",
                f"loop {in_process:.1f} s ({1000 * in_process / count:.1f} ms each); "
                f"snakemake --cores 1 {one:.1f} s (**{one / in_process:.2f}x**); "
                f"--cores 2 {two:.1f} s (**{two / in_process:.2f}x**)",
            )
        )
        print(rows[-1][1], flush=True)
    print_table("P1: masks through Snakemake against the in-process loop", rows)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000, 10000])
