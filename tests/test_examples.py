"""The example configs validate against the schema, alone or on top of the one they extend,
and the CamVid experiments pass the checks `snakemake experiments` makes before any job."""

from __future__ import annotations

import re

import pytest
import yaml
from snakemake.utils import validate

from streetseg.common.overrides import experiment_configs, merge_overrides
from streetseg.model.preflight import check_model_input
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


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.yaml")))
def test_every_example_validates_and_its_model_fits_its_input(name):
    check_model_input(_config(name)["train"])


def _variants(name: str) -> tuple[dict, dict]:
    config = _config(name)
    variants = experiment_configs(config, lambda variant: validate(variant, SCHEMA), SAFE)
    for variant in variants.values():
        check_model_input(variant["train"])
        assert variant["train"]["time_limit_minutes"] == config["train"]["time_limit_minutes"]
    return config, variants


def test_the_camvid_screen_is_at_equal_epochs_from_a_reference_with_every_lever_off():
    config, variants = _variants("camvid-experiments.yaml")
    assert config["train"]["time_limit_minutes"] is None
    for name, variant in variants.items():
        assert variant["train"]["epochs"] == 24, name
    # The reference names each screened lever off, so no variant inherits camvid.yaml's
    # winner silently.
    reference = variants["reference"]["train"]
    assert reference["ema"] == 0 and reference["weight_decay"] == 0
    assert not reference["mixed_precision"] and reference["image_size"] == [192, 256]
    assert reference["augment"]["max_scale"] == 1 and reference["augment"]["crop_size"] is None
    assert variants["zoom"]["train"]["augment"]["max_scale"] == 2
    assert variants["zoom_ema_full"]["train"]["augment"]["crop_size"] == [192, 256]
    assert variants["zoom_ema_bf16"]["train"]["mixed_precision"] is True


def test_the_camvid_screen_differs_from_the_former_default_by_one_lever_each():
    config, variants = _variants("camvid-screen.yaml")
    assert "default" in variants and "original_unet" in variants
    assert variants["separable"]["train"] == config["train"]
    for name, variant in variants.items():
        block = variant["train"]["model"]["block"]
        assert block == ("separable" if name == "separable" else "conv"), name


def test_the_hour_overlay_trains_the_budget_variants_for_an_hour_each():
    hour = yaml.safe_load((EXAMPLES / "camvid-hour.yaml").read_text())
    config = merge_overrides(_config("camvid-budget.yaml"), hour)
    validate(config, SCHEMA)
    assert config["predict"]["tta"] == "none"
    variants = experiment_configs(config, lambda variant: validate(variant, SCHEMA), SAFE)
    assert list(variants) == [
        "reference",
        "zoom_ema",
        "reference_flip",
        "reference_multiscale",
        "reference_flip_multiscale",
    ]
    for variant in variants.values():
        assert variant["train"]["time_limit_minutes"] == 60
        check_model_input(variant["train"])
