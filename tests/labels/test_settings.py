"""The mask settings against the schema: a field for every annotations key, no default
restated, the validated config read once."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from streetseg.labels.classes import ConfigError
from streetseg.labels.settings import MaskSettings
from tests.helpers import REPO, config_with_defaults

SCHEMA = yaml.safe_load((REPO / "schemas" / "config.schema.yaml").read_text())["properties"]


def test_the_settings_mirror_the_schema_and_restate_no_default():
    fields = {f.name: f for f in dataclasses.fields(MaskSettings)}
    assert set(fields) - {"classes", "labels", "max_pixels"} == set(
        SCHEMA["annotations"]["properties"]
    )
    assert "max_pixels" in SCHEMA["images"]["properties"]
    assert all(f.default is dataclasses.MISSING for f in fields.values())


def test_from_config_reads_the_validated_sections_once():
    config = config_with_defaults(annotations={"size_mismatch": "rescale"})
    settings = MaskSettings.from_config(config, unannotated="background")
    assert settings.format == "auto" and settings.size_mismatch == "rescale"
    assert settings.labelbox_legacy_origin == "bottom"
    assert settings.max_pixels == config["images"]["max_pixels"]
    assert settings.labels["unannotated"] == "background"
    assert config["labels"]["unannotated"] != "background"  # the config is not changed
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.format = "coco_json"


def test_sections_without_the_schema_defaults_are_refused_naming_the_key():
    config = config_with_defaults()
    annotations = {k: v for k, v in config["annotations"].items() if k != "size_mismatch"}
    with pytest.raises(ConfigError, match=r"annotations\.size_mismatch is missing"):
        MaskSettings.from_sections(config["classes"], config["labels"], annotations, 100)
