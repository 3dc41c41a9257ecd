"""Config mistakes as one line each: hand-written schema and configs."""

import pytest

from streetseg.common.config_errors import ConfigMistakes, check_config, config_errors

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "train": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "epochs": {"type": "integer", "minimum": 1},
                "schedule": {"enum": ["cosine", "constant"]},
                "size": {"type": ["number", "null"]},
            },
        },
        "model": {"type": "string"},
    },
}


def test_every_mistake_is_one_line_sorted_by_key():
    config = {"trian": {}, "train": {"epochs": 0, "schedule": "cos", "size": "big", "zz": 1}}
    assert config_errors(config, SCHEMA) == [
        "train.epochs: got 0, expected at least 1",
        "train.schedule: got 'cos', expected one of cosine, constant",
        "train.size: got 'big', expected a number or null",
        "train.zz: unknown key; the keys here are epochs, schedule, size",
        "trian: unknown key; did you mean train?",
    ]


def test_a_url_is_shown_without_query_or_fragment():
    (line,) = config_errors({"model": 5, "train": {"schedule": "https://h/p?token=s#x"}}, SCHEMA)[
        1:
    ]
    assert line == "train.schedule: got 'https://h/p', expected one of cosine, constant"


def test_check_config_raises_with_a_count_and_passes_a_good_config():
    check_config({"train": {"epochs": 3}}, SCHEMA)
    with pytest.raises(ConfigMistakes, match=r"^the config has 1 mistake .*\n  model: got 5"):
        check_config({"model": 5}, SCHEMA)
