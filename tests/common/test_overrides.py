"""Experiments as overrides: merging, describing and checking them."""

import re

import pytest

from streetseg.common.overrides import (
    describe_overrides,
    experiment_configs,
    merge_overrides,
    training_sources,
)

SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
BASE = {
    "data": {"source": "demo"},
    "train": {"epochs": 10, "image_size": [96, 128], "model": {"depth": 4, "base_filters": 16}},
    "predict": {"batch_size": 16},
    "experiments": {},
}


def _refuse_odd_epochs(variant):
    if variant["train"]["epochs"] % 2:
        raise ValueError(f"train.epochs: {variant['train']['epochs']} is odd")


def test_merge_replaces_scalars_and_lists_and_merges_mappings_key_by_key():
    merged = merge_overrides(
        BASE, {"train": {"model": {"depth": 3}, "image_size": [64, 64]}, "predict": {"tta": "flip"}}
    )
    assert merged["train"] == {
        "epochs": 10,
        "image_size": [64, 64],
        "model": {"depth": 3, "base_filters": 16},
    }
    assert merged["predict"] == {"batch_size": 16, "tta": "flip"}
    # The base is left as it was.
    assert BASE["train"]["model"]["depth"] == 4
    assert BASE["train"]["image_size"] == [96, 128]


def test_overrides_are_described_as_dotted_keys_in_the_order_given():
    overrides = {
        "train": {"model": {"depth": 3, "block": "separable"}, "image_size": [96, 128]},
        "predict": {"tta": "flip", "batch_size": 8},
    }
    assert describe_overrides(overrides) == (
        "train.model.depth=3; train.model.block=separable; train.image_size=[96, 128]; "
        "predict.tta=flip; predict.batch_size=8"
    )
    assert describe_overrides({"train": {"time_limit_minutes": None, "seed": 2}}) == (
        "train.time_limit_minutes=null; train.seed=2"
    )
    assert describe_overrides({}) == ""


def test_each_experiment_is_the_base_with_its_overrides_and_no_experiments_section():
    config = {
        **BASE,
        "experiments": {"baseline": {}, "empty": None, "deep": {"train": {"model": {"depth": 5}}}},
    }
    variants = experiment_configs(config, lambda variant: None, SAFE)
    assert list(variants) == ["baseline", "empty", "deep"]
    base = {key: value for key, value in BASE.items() if key != "experiments"}
    assert variants["baseline"] == base
    assert variants["empty"] == base
    assert variants["deep"]["train"]["model"] == {"depth": 5, "base_filters": 16}
    assert "experiments" not in variants["deep"]


def test_every_bad_experiment_is_named_in_one_message():
    config = {
        **BASE,
        "experiments": {
            "../escape": {},
            "shared_data": {"data": {"source": "folders"}, "train": {"epochs": 2}},
            "odd": {"train": {"epochs": 3}},
            "fine": {"train": {"epochs": 4}},
        },
    }
    with pytest.raises(ValueError) as caught:
        experiment_configs(config, _refuse_odd_epochs, SAFE)
    lines = str(caught.value).splitlines()
    assert lines[0] == "config: bad experiments:"
    assert lines[1].startswith("  experiments.../escape: not a safe folder name")
    assert lines[2] == (
        "  experiments.shared_data: data cannot differ between experiments (they share masks, "
        "splits and shards); override keys under train and predict only"
    )
    assert lines[3] == "  experiments.odd: train.epochs: 3 is odd"
    assert len(lines) == 4


def test_no_experiments_gives_an_empty_mapping():
    assert experiment_configs(BASE, _refuse_odd_epochs, SAFE) == {}
    assert experiment_configs({**BASE, "experiments": None}, _refuse_odd_epochs, SAFE) == {}


def test_variants_that_differ_only_in_predict_share_the_first_ones_training():
    config = dict(
        BASE,
        experiments={
            "plain": {},
            "deeper": {"train": {"model": {"depth": 5}}},
            "plain_flip": {"predict": {"tta": "flip"}},
            "deeper_flip": {"train": {"model": {"depth": 5}}, "predict": {"tta": "flip"}},
            # Restating the base value trains the same model as "plain".
            "plain_again": {"train": {"epochs": 10}},
            "longer": {"train": {"epochs": 20}},
        },
    )
    sources = training_sources(experiment_configs(config, lambda variant: None, SAFE))
    assert sources == {
        "plain": "plain",
        "deeper": "deeper",
        "plain_flip": "plain",
        "deeper_flip": "deeper",
        "plain_again": "plain",
        "longer": "longer",
    }
