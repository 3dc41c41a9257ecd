"""Style checks run with the tests: ruff's linter and formatter over the whole tree (its
settings are in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

RUFF = str(Path(sys.executable).with_name("ruff"))


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RUFF, *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_lint_is_clean():
    process = _ruff("check", "--no-cache", ".")
    assert process.returncode == 0, process.stdout + process.stderr


def test_ruff_format_is_clean():
    process = _ruff("format", "--check", "--no-cache", ".")
    assert process.returncode == 0, process.stdout + process.stderr
