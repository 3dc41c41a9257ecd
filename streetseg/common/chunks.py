"""Chunks: consecutive runs of a sorted list, one job each (masks, predict and infer jobs)."""

from __future__ import annotations

import math

# Chunk names are five-digit indices; the Snakefile constrains its {chunk} wildcard with this.
CHUNK_PATTERN = r"[0-9]{5}"


def chunk_names(count: int, chunk_size: int) -> list[str]:
    """Names of the chunks ("00000", "00001", ...) that ``count`` items make."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    return [f"{index:05d}" for index in range(math.ceil(count / chunk_size))]


def chunk_members(ordered: list[str], chunk: str, chunk_size: int) -> list[str]:
    """The items of one chunk: a consecutive run of the ordered list."""
    start = int(chunk) * chunk_size
    return ordered[start : start + chunk_size]


def chunk_ids(sample_ids: list[str], chunk_size: int) -> dict[str, list[str]]:
    """Chunk name -> a consecutive run of ``chunk_size`` sorted sample ids (the mask and
    predict jobs; inference chunks its photo list with the same two functions above).

    Consecutive runs keep a chunk's membership stable when samples are appended to the end
    of the order; a changed membership reruns that chunk only.
    """
    ordered = sorted(sample_ids)
    return {
        name: chunk_members(ordered, name, chunk_size)
        for name in chunk_names(len(ordered), chunk_size)
    }
