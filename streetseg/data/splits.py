"""The split stage: a train/val/test assignment that stays put, one group at a time.

Each group of samples (by default each sample on its own; with ``split.group`` a sheet
column or a part of the sample id, such as a drive or a street) gets a number ``u`` in
[0, 1) from a SHA-256 of ``"{seed}:{group}"``. The group goes to test when
``u < test_fraction``; otherwise to val when ``(u - test_fraction) / (1 - test_fraction)``
is under ``val_fraction``; otherwise to train. A sample's split therefore depends only on its
group and the seed: adding, removing or skipping other samples never moves it, and no group
spans two splits. The fractions hold approximately (they count groups, not samples).

One exception keeps tiny datasets usable: when a split with a non-zero fraction would be
empty, the train group whose ``u`` lies nearest that split's interval (the smallest ``u`` of
the train groups, as train's interval lies above both) is moved there, test first, as long
as train keeps a group. That fallback is the one case where other groups matter.

An explicit split (a sheet's ``split`` column, a ``data.folders`` entry's ``split``) wins for
that sample alone; the other members of its group still follow the group's ``u``, so an
explicit split can make a group span two splits (:func:`spanning_groups` lists them).
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from streetseg.common.files import write_text_atomic
from streetseg.common.problems import bad_samples, check_problems, read_problems

SPLITS = ("train", "val", "test")


class SplitGroupError(ValueError):
    """``split.group`` names neither a sample-table column nor a usable pattern."""


def group_number(seed: int, group: str) -> float:
    """The group's ``u`` in [0, 1): the first 8 bytes of SHA-256("{seed}:{group}") / 2**64."""
    digest = hashlib.sha256(f"{seed}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def split_of_number(u: float, test_fraction: float, val_fraction: float) -> str:
    """The split of a group whose number is ``u``."""
    if u < test_fraction:
        return "test"
    if (u - test_fraction) / (1.0 - test_fraction) < val_fraction:
        return "val"
    return "train"


def assign_splits(
    sample_ids: list[str],
    test_fraction: float,
    val_fraction: float,
    seed: int,
    explicit: dict[str, str] | None = None,
    groups: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    """Assign every sample to exactly one of train, val and test (see the module docstring).

    ``test_fraction`` is the share of all samples kept for testing; ``val_fraction`` is the
    share of the remaining (non-test) samples held out for validation. ``groups`` maps a
    sample to its group (a sample missing from it is a group of its own). Samples with an
    explicit split in ``explicit`` go where it says. The result never depends on input order.
    """
    explicit = {k: v for k, v in (explicit or {}).items() if isinstance(v, str) and v}
    unknown = {v for v in explicit.values() if v not in SPLITS}
    if unknown:
        raise ValueError(f"unknown split name(s) {sorted(unknown)}; use one of {list(SPLITS)}")
    if not 0 <= test_fraction < 1 or not 0 <= val_fraction <= 1:
        raise ValueError(
            "split fractions must lie in [0, 1): "
            f"test_fraction={test_fraction}, val_fraction={val_fraction}"
        )
    ids = set(sample_ids)
    explicit = {sample: split for sample, split in explicit.items() if sample in ids}
    groups = groups or {}
    members: dict[str, list[str]] = {}
    for sample in sorted(ids - set(explicit)):
        members.setdefault(groups.get(sample, sample), []).append(sample)
    numbers = {group: group_number(seed, group) for group in members}
    split_of = {
        group: split_of_number(u, test_fraction, val_fraction) for group, u in numbers.items()
    }
    taken = set(explicit.values())
    for split, fraction in (("test", test_fraction), ("val", val_fraction)):
        if fraction > 0 and split not in taken and split not in split_of.values():
            in_train = sorted(
                (u, group) for group, u in numbers.items() if split_of[group] == "train"
            )
            if len(in_train) > 1:
                split_of[in_train[0][1]] = split
    assigned: dict[str, list[str]] = {split: [] for split in SPLITS}
    for group, samples in members.items():
        assigned[split_of[group]].extend(samples)
    for sample, split in explicit.items():
        assigned[split].append(sample)
    return {split: sorted(assigned[split]) for split in SPLITS}


def sample_groups(table, spec: str, warn=sys.stderr) -> dict[str, str]:
    """Sample id -> group, from ``split.group`` (``spec``) and the sample table.

    ``spec`` is a column when the table has a column of that name (a sheet's extra columns
    are kept in the table); otherwise it must compile as a regular expression with exactly
    one capture group, searched in each sample id (anchor it with ``^``), whose capture is
    the group. "" makes every sample its own group. A sample whose column cell is empty, or
    whose id the pattern does not match, is a group of its own; their count and a few of
    them are written to ``warn``. A pattern that matches no id at all is an error.
    """
    ids = [str(sample) for sample in table.index]
    if not spec:
        return {sample: sample for sample in ids}
    if spec in table.columns:
        values = [str(value).strip() for value in table[spec]]
        found = dict(zip(ids, values))
        kind = f"column {spec!r}"
    else:
        try:
            pattern = re.compile(spec)
        except re.error as error:
            raise SplitGroupError(
                _not_a_group(spec, table, f"not a valid regular expression ({error})")
            ) from None
        if pattern.groups != 1:
            raise SplitGroupError(
                _not_a_group(spec, table, f"a pattern with {pattern.groups} capture groups, not 1")
            )
        matches = {sample: pattern.search(sample) for sample in ids}
        found = {sample: (m.group(1) or "") if m else "" for sample, m in matches.items()}
        kind = f"pattern {spec!r}"
        if ids and not any(found.values()):
            raise SplitGroupError(
                f"split.group: pattern {spec!r} matches none of the {len(ids)} sample ids "
                f"(e.g. {ids[:3]}); its one capture group gives a sample's group"
            )
    lone = [sample for sample in ids if not found[sample]]
    if lone and warn is not None:
        print(
            f"split.group: {len(lone)} of {len(ids)} samples have no group from the {kind} "
            f"(e.g. {lone[:3]}); each is a group of its own",
            file=warn,
        )
    return {sample: found[sample] or sample for sample in ids}


def _not_a_group(spec: str, table, why: str) -> str:
    return (
        f"split.group: {spec!r} is not a column of the sample table "
        f"(columns: {list(table.columns)}) "
        f"and is {why}; give a column name or a regular expression with one capture group, "
        "such as '^([^_]+)_'"
    )


def spanning_groups(
    assignment: dict[str, list[str]], groups: dict[str, str]
) -> dict[str, list[str]]:
    """Groups whose samples lie in more than one split (only explicit splits can do that)."""
    seen: dict[str, set[str]] = {}
    for split, samples in assignment.items():
        for sample in samples:
            seen.setdefault(groups.get(sample, sample), set()).add(split)
    return {group: sorted(splits) for group, splits in sorted(seen.items()) if len(splits) > 1}


class EmptySplitError(ValueError):
    """A split that training or scoring needs holds no sample; one line per empty split."""


def check_splits(assignment: dict[str, list[str]], needs_test: bool = True) -> None:
    """Stop, before any job, when train is empty or test is empty (where ``needs_test``: the
    run trains and scores a model). An empty val split is allowed: training then keeps its
    last epoch."""
    lines = []
    hints = {
        "train": "every sample went to val or test; lower split.test_fraction and "
        "split.val_fraction, or give fewer samples an explicit split",
        "test": "nothing to score the model on; raise split.test_fraction above 0, or give "
        "samples the split test (a sheet's split column, a data.folders entry's split)",
    }
    needed = ["train", *(["test"] if needs_test else [])]
    for split in needed:
        if not assignment.get(split):
            lines.append(f"the {split} split is empty: {hints[split]}")
    if lines:
        raise EmptySplitError("\n  ".join(lines))


def write_splits(assignment: dict[str, list[str]], out_paths: dict[str, str | Path]) -> None:
    """Write one sample id per line to each split's file."""
    for split in SPLITS:
        lines = "".join(f"{sample}\n" for sample in assignment[split])
        write_text_atomic(out_paths[split], lines)


def read_split(path: str | Path) -> list[str]:
    """Read a split file written by :func:`write_splits`."""
    return [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]


def make_split_lists(problems, on_bad_sample: str, samples, split: dict, explicit, groups, outputs):
    """The splits stage: stop on bad samples under data.on_bad_sample "stop", assign every
    sample (``split`` is the config's section; ``explicit`` and ``groups`` by sample), leave
    the bad ones out of their split without moving any other sample, and write the lists to
    ``outputs`` (split name -> path). Returns the lines to print: the counts, and groups
    that explicit splits made span two splits."""
    found = read_problems(problems)
    check_problems(found, on_bad_sample)
    assignment = assign_splits(
        samples,
        test_fraction=split["test_fraction"],
        val_fraction=split["val_fraction"],
        seed=split["seed"],
        explicit=explicit,
        groups=groups,
    )
    skipped = bad_samples(found)
    assignment = {name: [s for s in ids if s not in skipped] for name, ids in assignment.items()}
    write_splits(assignment, outputs)
    lines = [
        f"{ {name: len(ids) for name, ids in assignment.items()} } {len(skipped)} skipped",
        f"{len(set(groups.values()))} groups (split.group: {split['group']!r})",
    ]
    # Only explicit splits (the sheet's split column, a folders entry's split) can do this.
    spanning = spanning_groups(assignment, groups)
    lines += [
        f"group {g!r} spans {s} because of explicit splits" for g, s in list(spanning.items())[:20]
    ]
    if len(spanning) > 20:
        lines.append(f"... and {len(spanning) - 20} more groups that span two splits")
    return lines
