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


def chunk_ids(sample_ids: list[str], chunk_size: int, problems=()) -> dict[str, list[str]]:
    """Chunk name -> the sample ids of a consecutive run of ``chunk_size`` in sorted order
    (the mask and predict jobs; inference chunks its photo list with the two functions above).

    The samples of ``problems`` (listing problems: objects with a ``sample``, refused while
    the DAG is built) keep their places in the order without being members, so fixing such
    a file makes it a member of its own chunk and moves no other sample: one chunk reruns.
    Consecutive runs also keep every chunk as it was when samples are appended to the end of
    the order. A chunk whose places are all held by refused samples has no job.
    """
    held = {problem.sample for problem in problems if problem.sample} - set(sample_ids)
    ordered = sorted(set(sample_ids) | held)
    chunks = {}
    for name in chunk_names(len(ordered), chunk_size):
        members = [s for s in chunk_members(ordered, name, chunk_size) if s not in held]
        if members:
            chunks[name] = members
    return chunks
