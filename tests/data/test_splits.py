"""The split: stays put when samples come and go, keeps groups together, lets the sheet win."""

import io

import pandas as pd
import pytest

from streetseg.data.samples import sheet_samples
from streetseg.data.splits import (
    SplitGroupError,
    assign_splits,
    group_number,
    read_split,
    sample_groups,
    spanning_groups,
    split_of_number,
    write_splits,
)

IDS = [f"s{i:03d}" for i in range(100)]
# u of the ten demo scenes at seed 1, from `printf '1:scene_000' | sha256sum` (first 16 hex
# digits / 16**16): scene_008 0.0836, scene_001 0.1883, scene_000 0.3615, the rest above 0.6.
SCENES = [f"scene_{i:03d}" for i in range(10)]


def _split_of(assignment):
    return {sample: split for split, samples in assignment.items() for sample in samples}


def test_group_number_is_the_documented_sha256():
    # printf '42:scene_000' | sha256sum -> f3252e0f629498a1...
    assert group_number(42, "scene_000") == 0xF3252E0F629498A1 / 2**64
    assert group_number(1, "scene_008") == pytest.approx(0.08362, abs=1e-5)


def test_split_of_number_keeps_the_meaning_of_the_fractions():
    # test below 0.2; val when (u - 0.2) / 0.8 < 0.25, i.e. u < 0.4; train above.
    splits = [split_of_number(u, 0.2, 0.25) for u in (0.0, 0.19, 0.2, 0.39, 0.4, 0.99)]
    assert splits == ["test", "test", "val", "val", "train", "train"]


def test_the_tiny_config_split_worked_by_hand():
    # tiny.yaml: seed 1, test_fraction 0.2, val_fraction 0.25 -> test u < 0.2, val u < 0.4.
    splits = assign_splits(SCENES, 0.2, 0.25, seed=1)
    assert splits["test"] == ["scene_001", "scene_008"] and splits["val"] == ["scene_000"]
    assert len(splits["train"]) == 7


def test_tiny_dataset_fallback_fills_empty_val_and_test_with_the_nearest_groups():
    # Intervals test [0, 0.01) and val [0.01, 0.0199) hold no scene; the train scene with the
    # smallest u (scene_008) goes to test, the next (scene_001) to val.
    splits = assign_splits(SCENES, 0.01, 0.01, seed=1)
    assert splits["test"] == ["scene_008"] and splits["val"] == ["scene_001"]
    # val [0.05, 0.0975) holds scene_008 by its hash; test takes the smallest train u left.
    splits = assign_splits(SCENES, 0.05, 0.05, seed=1)
    assert splits["test"] == ["scene_001"] and splits["val"] == ["scene_008"]
    # No fallback for a zero fraction, nor one that would leave train empty.
    assert assign_splits(SCENES, 0.01, 0.0, seed=1)["val"] == []
    assert assign_splits(["a"], 0.01, 0.01, seed=1) == {"train": ["a"], "val": [], "test": []}


def test_same_ids_and_seed_give_the_same_split_in_any_input_order():
    first = assign_splits(IDS, 0.2, 0.1, seed=3)
    assert first == assign_splits(list(reversed(IDS)), 0.2, 0.1, seed=3)
    assert first != assign_splits(IDS, 0.2, 0.1, seed=4)


def test_every_sample_lands_in_exactly_one_split():
    splits = assign_splits(IDS, 0.2, 0.1, seed=0)
    assert sorted(splits["train"] + splits["val"] + splits["test"]) == IDS


def test_adding_ten_percent_more_samples_moves_none_of_the_old_ones():
    old_ids = [f"photo{i:04d}" for i in range(1000)]
    new_ids = old_ids + [f"photo{i:04d}" for i in range(1000, 1100)]
    before = _split_of(assign_splits(old_ids, 0.2, 0.1, seed=42))
    after = _split_of(assign_splits(new_ids, 0.2, 0.1, seed=42))
    assert {sample: after[sample] for sample in old_ids} == before


def test_removing_samples_moves_none_of_the_others():
    before = _split_of(assign_splits(IDS, 0.2, 0.1, seed=42))
    kept = [sample for index, sample in enumerate(IDS) if index % 3]
    after = _split_of(assign_splits(kept, 0.2, 0.1, seed=42))
    assert after == {sample: before[sample] for sample in kept}


def test_fractions_hold_approximately_at_ten_thousand_ids():
    ids = [f"img{i:05d}" for i in range(10_000)]
    splits = assign_splits(ids, 0.2, 0.1, seed=42)
    assert abs(len(splits["test"]) / 10_000 - 0.2) < 0.02
    assert abs(len(splits["val"]) / 10_000 - 0.08) < 0.02  # 10 % of the 80 % non-test


def test_no_group_spans_two_splits_and_groups_stay_put():
    ids = [f"drive{d:02d}_{f:03d}" for d in range(40) for f in range(25)]
    table = pd.DataFrame(index=pd.Index(ids, name="sample"))
    groups = sample_groups(table, r"^([^_]+)_")
    assert groups["drive07_013"] == "drive07" and len(set(groups.values())) == 40
    splits = assign_splits(ids, 0.2, 0.25, seed=5, groups=groups)
    assert spanning_groups(splits, groups) == {}
    assert all(splits.values())
    # A drive's split is its u's: the same as a one-sample group of that name.
    single = _split_of(assign_splits(["drive07"], 0.2, 0.25, seed=5))["drive07"]
    assert "drive07_013" in splits[single]


def test_sheet_column_group_is_kept_in_the_table_and_used(tmp_path):
    sheet = tmp_path / "sheet.tsv"
    rows = "".join(
        f"p{i}\tp{i}.jpg\tp{i}.xml\t\t{'north' if i < 3 else 'south'}\n" for i in range(6)
    )
    sheet.write_text("sample\timage\tannotation\tsplit\tstreet\n" + rows)
    for i in range(6):  # a sheet row whose files do not exist is a problem, not a sample
        (tmp_path / f"p{i}.jpg").write_bytes(b"")
        (tmp_path / f"p{i}.xml").write_bytes(b"")
    table = sheet_samples(str(sheet))
    assert table.loc["p4", "street"] == "south"
    groups = sample_groups(table, "street")
    assert groups == {
        "p0": "north",
        "p1": "north",
        "p2": "north",
        "p3": "south",
        "p4": "south",
        "p5": "south",
    }
    for seed in range(10):
        split_of = _split_of(assign_splits(list(table.index), 0.3, 0.3, seed=seed, groups=groups))
        assert (
            len({split_of[f"p{i}"] for i in range(3)}) == 1
            and len({split_of[f"p{i}"] for i in range(3, 6)}) == 1
        )


def test_ids_the_pattern_misses_and_empty_cells_are_groups_of_their_own_with_a_warning():
    table = pd.DataFrame(
        {"drive": ["a", "", "a"]}, index=pd.Index(["a_1", "lone", "a_2"], name="sample")
    )
    warn = io.StringIO()
    assert sample_groups(table, r"^([^_]+)_", warn=warn) == {"a_1": "a", "lone": "lone", "a_2": "a"}
    assert (
        "1 of 3 samples have no group from the pattern" in warn.getvalue()
        and "lone" in warn.getvalue()
    )
    assert sample_groups(table, "drive", warn=None) == {"a_1": "a", "lone": "lone", "a_2": "a"}
    assert sample_groups(table, "") == {"a_1": "a_1", "lone": "lone", "a_2": "a_2"}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "street",
            "'street' is not a column of the sample table .* "
            "and is a pattern with 0 capture groups",
        ),
        ("(a)_(b)", "is a pattern with 2 capture groups, not 1"),
        ("([", "is not a valid regular expression"),
        (r"^(x\d+)_", "pattern .* matches none of the 3 sample ids"),
    ],
)
def test_a_bad_split_group_is_refused_naming_the_key(spec, message):
    table = pd.DataFrame(
        {"drive": ["a", "b", "c"]}, index=pd.Index(["a_1", "b_1", "c_1"], name="sample")
    )
    with pytest.raises(SplitGroupError, match=f"^split.group: .*{message}"):
        sample_groups(table, spec)


def test_explicit_split_column_overrides_the_fractions():
    explicit = {"s000": "test", "s001": "train", "s002": "val", "s003": ""}
    splits = assign_splits(IDS, 0.2, 0.1, seed=0, explicit=explicit)
    assert "s000" in splits["test"] and "s001" in splits["train"] and "s002" in splits["val"]
    # The others keep the split they have without the explicit ones.
    plain = _split_of(assign_splits(IDS, 0.2, 0.1, seed=0))
    assert all(
        plain[s] == split
        for s, split in _split_of(splits).items()
        if s not in ("s000", "s001", "s002")
    )


def test_explicit_split_moves_only_its_own_sample_of_a_group():
    # With zero fractions the group goes to train; pinning g_1 to test moves g_1 alone.
    groups = {"g_1": "g", "g_2": "g", "g_3": "g"}
    free = _split_of(assign_splits(list(groups), 0.0, 0.0, seed=1, groups=groups))
    assert set(free.values()) == {"train"}
    splits = assign_splits(list(groups), 0.0, 0.0, seed=1, explicit={"g_1": "test"}, groups=groups)
    assert splits == {"train": ["g_2", "g_3"], "val": [], "test": ["g_1"]}
    assert spanning_groups(splits, groups) == {"g": ["test", "train"]}


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


def test_an_empty_train_or_test_split_is_named_and_an_empty_val_allowed():
    import pytest

    from streetseg.data.splits import EmptySplitError, check_splits

    check_splits({"train": ["a"], "val": [], "test": ["b"]})
    with pytest.raises(EmptySplitError) as error:
        check_splits({"train": [], "val": ["a"], "test": []})
    lines = str(error.value).split("\n  ")
    assert [line.split(":")[0] for line in lines] == [
        "the train split is empty",
        "the test split is empty",
    ]
    check_splits({"train": ["a"], "val": [], "test": []}, needs_test=False)


def test_the_splits_stage_leaves_a_bad_sample_out_without_moving_the_others(tmp_path):
    from streetseg.common.problems import Problem, write_problems
    from streetseg.data.splits import make_split_lists, read_split

    ids = [f"s{i:02d}" for i in range(20)]
    split = {"test_fraction": 0.2, "val_fraction": 0.2, "seed": 42, "group": ""}
    groups = {sample: sample for sample in ids}
    outputs = {name: tmp_path / f"{name}.txt" for name in ("train", "val", "test")}
    clean = tmp_path / "clean.tsv"
    write_problems([], clean)
    make_split_lists(clean, "stop", ids, split, {}, groups, outputs)
    before = {name: read_split(path) for name, path in outputs.items()}
    bad = tmp_path / "bad.tsv"
    write_problems([Problem("s03", "s03.xml", "", "malformed XML")], bad)
    with pytest.raises(Exception, match="s03.xml"):
        make_split_lists(bad, "stop", ids, split, {}, groups, outputs)
    lines = make_split_lists(bad, "skip", ids, split, {}, groups, outputs)
    after = {name: read_split(path) for name, path in outputs.items()}
    assert {n: [s for s in ids if s != "s03"] for n, ids in before.items()} == after
    assert lines[0].endswith("1 skipped") and lines[1] == "20 groups (split.group: '')"
