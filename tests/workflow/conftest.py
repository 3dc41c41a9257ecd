"""Fixtures shared by the workflow tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workflow.helpers import snakemake


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory) -> Path:
    """One complete tiny run, shared by the checks below."""
    workdir = tmp_path_factory.mktemp("run")
    snakemake(workdir, "--cores", "2")
    return workdir
