"""Running the real Snakefile in a temporary directory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

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


def folder_config(workdir: Path, **extra) -> str:
    """A config file reading ``workdir/export`` as a directory source, plus ``extra`` keys."""
    config = {
        "data": {"source": "directory", "directory": str(workdir / "export")},
        "split": {"test_fraction": 0.25, "val_fraction": 0.2},
        **extra,
    }
    path = workdir / "config.yaml"
    path.write_text(json.dumps(config))
    return str(path)
