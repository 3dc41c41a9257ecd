"""The segmenting settings against the schema: every predict and infer key is a field (bar
the rules' chunk_size), none restates a default, each stage reads its own section."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from streetseg.inference.settings import PredictChunk, SegmentSettings
from tests.helpers import REPO, config_with_defaults

SCHEMA = yaml.safe_load((REPO / "schemas" / "config.schema.yaml").read_text())["properties"]
# What each field is, per stage: a key of the stage's section or another section's.
MIRRORS = {
    "predict": {"batch_size": "batch_size", "tta": "tta"},
    "infer": {"batch_size": "batch_size", "overlays": "pictures"},
}


def test_the_settings_mirror_the_schema_and_restate_no_default():
    fields = {f.name for f in dataclasses.fields(SegmentSettings)}
    assert all(f.default is dataclasses.MISSING for f in dataclasses.fields(SegmentSettings))
    for section, keys in MIRRORS.items():
        assert set(SCHEMA[section]["properties"]) - {"chunk_size"} == set(keys), section
        assert set(keys.values()) <= fields
    assert fields == {"classes", "batch_size", "tta", "pictures", "max_pixels"}


def test_each_stage_reads_its_own_section():
    config = config_with_defaults(
        predict={"batch_size": 4, "tta": "flip"}, infer={"batch_size": 32, "overlays": True}
    )
    predict = SegmentSettings.for_predict(config)
    infer = SegmentSettings.for_infer(config)
    assert (predict.batch_size, predict.tta, predict.pictures) == (4, "flip", True)
    # infer uses predict's test-time augmentation, so that test scores describe it.
    assert (infer.batch_size, infer.tta, infer.pictures) == (32, "flip", True)
    assert SegmentSettings.for_predict(config, pictures=False).pictures is False
    assert predict.max_pixels == infer.max_pixels == config["images"]["max_pixels"]


def test_a_predict_chunk_needs_parallel_lists():
    with pytest.raises(ValueError, match="one image and one truth mask per sample"):
        PredictChunk(["a", "b"], ["a.jpg"], ["a.png", "b.png"], "out")
