"""What a job ran on: CPU model, cores and AVX-512, for benchmark lines and training records.

Training speed on the CPU differs up to 3x between machines with and without AVX-512, so
every figure carries the machine it was measured on.
"""

from __future__ import annotations

import contextlib
import os
import platform
import socket
from pathlib import Path


def _cpuinfo_field(name: str) -> str | None:
    """The first value of a field of /proc/cpuinfo (None where there is no such file)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(name):
                return line.split(":", 1)[1].strip()
    return None


def cpu_model() -> str:
    """The first "model name" of /proc/cpuinfo (the platform's name where there is none)."""
    return _cpuinfo_field("model name") or platform.processor() or "unknown CPU"


def has_avx512() -> bool:
    """Whether the CPU flags of /proc/cpuinfo include avx512f."""
    return "avx512f" in (_cpuinfo_field("flags") or "").split()


def has_bfloat16() -> bool:
    """Whether the CPU flags of /proc/cpuinfo include bfloat16 arithmetic (avx512_bf16 or
    amx_bf16), which oneDNN uses for mixed_bfloat16 training."""
    flags = set((_cpuinfo_field("flags") or "").split())
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def cpu_cores() -> int:
    """The cores this process may run on (its affinity mask, as SLURM and cgroups set it)."""
    with contextlib.suppress(AttributeError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine_facts() -> dict:
    """Host, CPU model, usable cores and AVX-512, as one record."""
    return {
        "host": socket.gethostname(),
        "cpu": cpu_model(),
        "cores": cpu_cores(),
        "avx512": has_avx512(),
    }


def describe_machine(facts: dict, gpus: list[str] | None = None) -> str:
    """One line for tables: "CPU, N cores, AVX-512" (or "no AVX-512"), then any GPUs."""
    line = (
        f"{facts['cpu']}, {facts['cores']} cores, {'AVX-512' if facts['avx512'] else 'no AVX-512'}"
    )
    return line + (f", GPU: {', '.join(gpus)}" if gpus else "")
