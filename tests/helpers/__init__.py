"""Helpers shared by the tests: the repository root, writers of annotation files, bad inputs."""

from pathlib import Path

# The repository root: tests run the Snakefile, scripts and tools from here.
REPO = Path(__file__).resolve().parents[2]
