"""The training settings object against the schema: a field for every key, no default restated,
the validated section read once."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from streetseg.labels.classes import ConfigError
from streetseg.model.settings import TrainSettings
from tests.helpers import REPO, config_with_defaults
from tests.helpers.training import train_settings

SCHEMA = yaml.safe_load((REPO / "schemas" / "config.schema.yaml").read_text())
TRAIN_SCHEMA = SCHEMA["properties"]["train"]["properties"]


def test_the_settings_mirror_the_schema_and_restate_no_default():
    # Every key of train (bar gpu, the job's GPU request) is a field and every field a key;
    # the schema alone holds the defaults.
    fields = {f.name: f for f in dataclasses.fields(TrainSettings)}
    assert set(fields) - {"num_classes"} == set(TRAIN_SCHEMA) - {"gpu"}
    for name, field in fields.items():
        assert field.default is dataclasses.MISSING, name
    settings = train_settings()
    for group in ("loss", "early_stopping", "model", "augment"):
        members = dataclasses.fields(getattr(settings, group))
        assert {f.name for f in members} == set(TRAIN_SCHEMA[group]["properties"]), group
        assert all(f.default is dataclasses.MISSING for f in members), group


def test_from_config_reads_the_validated_section_once():
    settings = train_settings(image_size=[64, 96], model={"depth": 2}, loss={"dice_weight": 0.5})
    assert settings.num_classes == 8 and settings.image_size == (64, 96)
    assert settings.model.depth == 2 and settings.model.base_filters == 16
    assert settings.loss_options() == {
        "focal_gamma": 0.0,
        "dice_weight": 0.5,
        "lovasz_weight": 0.0,
        "lovasz_from": 0.0,
        "ohem_fraction": 0.0,
    }
    assert settings.model.block == "conv" and settings.model.decoder_convs == 2
    assert settings.augment_options() == {
        "flip": True,
        "min_scale": 0.6,
        "max_scale": 1.0,
        "color_jitter": 0.3,
        "crop_size": None,
    }
    assert settings.early_stopping.patience == 0 and settings.time_limit_minutes is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.epochs = 2


def test_a_section_without_the_schema_defaults_is_refused_naming_the_key(classes):
    with pytest.raises(ConfigError, match=r"train\.model\.dropout_rate is missing"):
        train = config_with_defaults()["train"]
        del train["model"]["dropout_rate"]
        TrainSettings.from_config(train, classes)
