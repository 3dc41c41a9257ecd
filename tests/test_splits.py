"""The split: deterministic, disjoint, complete, and overridden by the sample sheet."""

import pytest

from streetseg.splits import assign_splits, read_split, write_splits

IDS = [f"s{i:03d}" for i in range(100)]


def test_same_ids_and_seed_give_the_same_split_in_any_input_order():
    first = assign_splits(IDS, 0.2, 0.1, seed=3)
    second = assign_splits(list(reversed(IDS)), 0.2, 0.1, seed=3)
    assert first == second
    assert first != assign_splits(IDS, 0.2, 0.1, seed=4)


def test_every_sample_lands_in_exactly_one_split():
    splits = assign_splits(IDS, 0.2, 0.1, seed=0)
    assert len(splits["test"]) == 20
    assert len(splits["val"]) == 8  # 10 % of the 80 non-test samples
    assert len(splits["train"]) == 72
    assert sorted(splits["train"] + splits["val"] + splits["test"]) == IDS


def test_test_split_never_reaches_training():
    for seed in range(5):
        splits = assign_splits(IDS, 0.2, 0.1, seed=seed)
        assert not set(splits["test"]) & (set(splits["train"]) | set(splits["val"]))


def test_explicit_split_column_overrides_the_fractions():
    explicit = {"s000": "test", "s001": "train", "s002": "val", "s003": ""}
    splits = assign_splits(IDS, 0.2, 0.1, seed=0, explicit=explicit)
    assert "s000" in splits["test"] and "s001" in splits["train"] and "s002" in splits["val"]
    assert len(splits["test"]) == 1 + round(97 * 0.2)


def test_unknown_split_name_is_refused():
    with pytest.raises(ValueError, match="unknown split"):
        assign_splits(IDS, 0.2, 0.1, seed=0, explicit={"s000": "holdout"})


def test_zero_fractions_leave_val_and_test_empty_and_files_round_trip(tmp_path):
    splits = assign_splits(IDS[:5], 0.0, 0.0, seed=0)
    assert splits["val"] == [] and splits["test"] == [] and len(splits["train"]) == 5
    paths = {name: tmp_path / f"{name}.txt" for name in splits}
    write_splits(splits, paths)
    assert read_split(paths["train"]) == splits["train"]
    assert read_split(paths["val"]) == []
