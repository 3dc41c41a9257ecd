"""A real single-node SLURM cluster for the tests, brought up by cluster/slurm/up.sh.

The cluster needs root and Debian's apt (it installs slurm-wlm, slurmdbd, munge and
mariadb-server when they are missing). Where either is absent, or apt cannot fetch the
packages, every test that uses ``slurm_cluster`` is skipped with the reason. Environment:

- ``STREETSEG_SLURM_TESTS=0`` skips these tests without touching the machine.
- ``STREETSEG_SLURM_KEEP=1`` leaves the cluster running after the session (no down.sh).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from tests.helpers import REPO

UP = REPO / "cluster" / "slurm" / "up.sh"
DOWN = REPO / "cluster" / "slurm" / "down.sh"

# up.sh's exit statuses for a machine it cannot serve (see the script's header).
UNSUPPORTED = 2
PACKAGES_UNAVAILABLE = 3


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slurm: needs a real SLURM cluster (cluster/slurm/up.sh: root and Debian apt)"
    )


@dataclass(frozen=True)
class SlurmCluster:
    """What the tests need to know about the running cluster."""

    partition: str
    account: str
    node: str
    cpus: int
    memory_mb: int
    gpus: int
    summary: str

    def executor_args(self, jobs: int = 4) -> list[str]:
        """Snakemake arguments that run every non-local job as a SLURM job on this cluster."""
        return [
            "--executor",
            "slurm",
            "--jobs",
            str(jobs),
            "--default-resources",
            f"slurm_partition={self.partition}",
            f"slurm_account={self.account}",
            # The plugin waits 40 s before its first sacct by default.
            "--slurm-init-seconds-before-status-checks",
            "1",
            # A rule asking for more threads than the node has would be refused by sbatch.
            "--max-threads",
            str(self.cpus),
        ]


def _skip_reason() -> str | None:
    if os.environ.get("STREETSEG_SLURM_TESTS", "1") == "0":
        return "STREETSEG_SLURM_TESTS=0"
    if os.name != "posix" or os.geteuid() != 0:
        return "the SLURM tests bring up a real cluster and need root"
    if shutil.which("apt-get") is None or shutil.which("dpkg-query") is None:
        return "the SLURM tests install Debian packages and need apt-get"
    return None


def _node_facts(node: str) -> tuple[int, int, int]:
    """CPUs, memory in MB and GPUs of the node, from scontrol."""
    text = subprocess.run(
        ["scontrol", "show", "node", node], capture_output=True, text=True, check=True
    ).stdout
    cpus = int(re.search(r"CPUTot=(\d+)", text).group(1))
    memory = int(re.search(r"RealMemory=(\d+)", text).group(1))
    gpus = re.search(r"CfgTRES=\S*gres/gpu=(\d+)", text)
    return cpus, memory, int(gpus.group(1)) if gpus else 0


@pytest.fixture(scope="session")
def slurm_cluster():
    """Bring the cluster up once per session (up.sh is idempotent); tear it down at the end."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    process = subprocess.run(
        ["bash", str(UP)], check=False, capture_output=True, text=True, timeout=900, cwd=REPO
    )
    output = process.stdout + process.stderr
    if process.returncode == UNSUPPORTED:
        pytest.skip(f"cluster/slurm/up.sh cannot run on this machine:\n{output}")
    if process.returncode == PACKAGES_UNAVAILABLE:
        pytest.skip(
            f"the SLURM packages are not installed and apt-get could not fetch them:\n{output}"
        )
    if process.returncode != 0:
        subprocess.run(["bash", str(DOWN)], check=False, capture_output=True, timeout=300)
        pytest.fail(f"cluster/slurm/up.sh exited {process.returncode}:\n{output}", pytrace=False)

    summary = process.stdout.strip().splitlines()[-1]
    fields = dict(re.findall(r"(\w+)=(\S+)", summary))
    cpus, memory, gpus = _node_facts(fields["node"])
    cluster = SlurmCluster(
        partition=fields["partition"],
        account=fields["account"],
        node=fields["node"],
        cpus=cpus,
        memory_mb=memory,
        gpus=gpus,
        summary=summary,
    )
    yield cluster
    if os.environ.get("STREETSEG_SLURM_KEEP", "0") != "1":
        subprocess.run(["bash", str(DOWN)], check=False, capture_output=True, timeout=300)
