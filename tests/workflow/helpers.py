"""Running the real Snakefile in a temporary directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
TINY = REPO / "tests" / "workflow" / "tiny.yaml"


def snakemake(workdir: Path, *args: str, configfile: Path = TINY, check: bool = True, env=None):
    """Run snakemake on the repository's Snakefile inside ``workdir`` (in the environment
    ``env``, else this process's); return the process."""
    command = [
        SNAKEMAKE,
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(configfile),
        *args,
    ]
    process = subprocess.run(command, capture_output=True, text=True, timeout=1200, env=env)
    if check and process.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited {process.returncode}\n{process.stdout}\n{process.stderr}"
        )
    return process
