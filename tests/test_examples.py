"""The example configs validate against the schema, alone or on top of the one they extend,
and the CamVid experiments pass the checks `snakemake experiments` makes before any job."""

from __future__ import annotations

import re

import pytest
import yaml
from snakemake.utils import validate

from streetseg.common.overrides import experiment_configs, merge_overrides
from streetseg.model.preflight import check_crop_size, check_image_size
from tests.helpers import REPO

EXAMPLES = REPO / "config" / "examples"
SCHEMA = str(REPO / "schemas" / "config.schema.yaml")
SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
# Overlay files name the example they are used on top of.
BASES = {"camvid-": "camvid.yaml"}


def _config(name: str) -> dict:
    config = yaml.safe_load((EXAMPLES / name).read_text())
    base = next((base for prefix, base in BASES.items() if name.startswith(prefix)), None)
    if base and base != name:
        config = merge_overrides(yaml.safe_load((EXAMPLES / base).read_text()), config)
    validate(config, SCHEMA)
    return config


def _check_model(train: dict) -> None:
    check_image_size(train["image_size"], train["model"])
    check_crop_size(train["augment"]["crop_size"], train["image_size"], train["model"])


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.yaml")))
def test_every_example_validates_and_its_model_fits_its_input(name):
    _check_model(_config(name)["train"])


def test_the_camvid_experiments_are_valid_variants():
    config = _config("camvid-experiments.yaml")
    variants = experiment_configs(config, lambda variant: validate(variant, SCHEMA), SAFE)
    assert "default" in variants and "original_unet" in variants
    # The winner is the example's own setting; the former default names its full convolutions.
    assert variants["separable"]["train"] == config["train"]
    assert config["train"]["model"]["block"] == "separable"
    assert variants["default"]["train"]["model"]["block"] == "conv"
    for variant in variants.values():
        _check_model(variant["train"])
        assert variant["train"]["time_limit_minutes"] == config["train"]["time_limit_minutes"]
