"""The split stage: a seeded, deterministic train/val/test assignment of samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from streetseg.io import write_text_atomic

SPLITS = ("train", "val", "test")


def _share(count: int, fraction: float) -> int:
    """How many of ``count`` samples a fraction gets; a non-zero fraction gets at least one."""
    if fraction <= 0 or count == 0:
        return 0
    return min(count, max(1, int(round(count * fraction))))


def assign_splits(
    sample_ids: list[str],
    test_fraction: float,
    val_fraction: float,
    seed: int,
    explicit: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    """Assign every sample to exactly one of train, val and test.

    ``test_fraction`` is the share of all samples kept for testing; ``val_fraction`` is the
    share of the remaining (non-test) samples held out for validation. Samples with an
    explicit split in ``explicit`` go where it says and are not counted for the fractions.
    The result depends only on the sorted ids and the seed, never on input order.
    """
    explicit = {k: v for k, v in (explicit or {}).items() if isinstance(v, str) and v}
    unknown = {v for v in explicit.values() if v not in SPLITS}
    if unknown:
        raise ValueError(f"unknown split name(s) {sorted(unknown)}; use one of {list(SPLITS)}")
    free = sorted(set(sample_ids) - set(explicit))
    order = [free[i] for i in np.random.default_rng(seed).permutation(len(free))]
    n_test = _share(len(order), test_fraction)
    test, rest = order[:n_test], order[n_test:]
    n_val = _share(len(rest), val_fraction)
    assigned = {"test": test, "val": rest[:n_val], "train": rest[n_val:]}
    for sample, split in explicit.items():
        assigned[split].append(sample)
    return {split: sorted(assigned[split]) for split in SPLITS}


def write_splits(assignment: dict[str, list[str]], out_paths: dict[str, str | Path]) -> None:
    """Write one sample id per line to each split's file."""
    for split in SPLITS:
        lines = "".join(f"{sample}\n" for sample in assignment[split])
        write_text_atomic(out_paths[split], lines)


def read_split(path: str | Path) -> list[str]:
    """Read a split file written by :func:`write_splits`."""
    return [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]
