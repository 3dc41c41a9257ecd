"""`snakemake infer` mistakes stop the dry run before any job, in one line each (the
config mistakes are in test_mistakes.py): infer never trains or exports a model itself."""

from __future__ import annotations

import json

import pytest

from streetseg.common.images import IMAGE_SUFFIXES
from tests.helpers.snakefile import TINY, snakemake

pytestmark = pytest.mark.workflow

# `snakemake infer` mistakes: photos/ holds one photo; no model has been trained here.
INFER_CASES = [
    pytest.param(
        {},
        [
            "results/model/model.keras: no such model; infer never trains or exports one "
            "itself: run `snakemake train` (with the same config) first, or name a model "
            "with --config model=PATH"
        ],
        id="infer-before-training",
    ),
    pytest.param(
        {"model": "results/export/saved_model"},
        [
            "results/export/saved_model: no such model; infer never trains or exports one "
            "itself: run `snakemake export` (with the same config) first, or name a model "
            "with --config model=PATH"
        ],
        id="infer-with-an-export-not-made",
    ),
    pytest.param(
        {"infer_images": "nowhere"},
        ["nowhere: infer_images is not a folder (nor an s3://bucket/prefix)"],
        id="infer-images-not-a-folder",
    ),
    pytest.param(
        {"infer_images": "empty"},
        [f"empty: no image files found ({', '.join(IMAGE_SUFFIXES)})"],
        id="infer-images-without-photos",
    ),
    pytest.param(
        {"model": "saved_model", "predict": {"tta": "multiscale"}},
        [
            "{tmp}/saved_model: an exported SavedModel takes one input size, so predict.tta "
            "multiscale cannot apply; use none or flip, or the .keras model"
        ],
        id="infer-multiscale-with-a-savedmodel",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), INFER_CASES)
def test_an_infer_mistake_stops_the_dry_run_in_one_line(tmp_path, overrides, expected):
    from PIL import Image

    (tmp_path / "photos").mkdir()
    (tmp_path / "empty").mkdir()
    (tmp_path / "saved_model").mkdir()  # stands for an export (its files are not read)
    Image.new("RGB", (32, 32)).save(tmp_path / "photos" / "street.jpg")
    config = tmp_path / "mistake.yaml"
    config.write_text(json.dumps({"infer_images": "photos", **overrides}))
    process = snakemake(
        tmp_path, "-n", "infer", "--configfile", str(TINY), str(config), check=False
    )
    assert process.returncode == 1, process.stderr
    error = process.stderr[process.stderr.index("Error: ") + len("Error: ") :]
    expected = [line.format(tmp=tmp_path) for line in expected]
    assert error.rstrip("\n").split("\n") == expected
    assert "Job stats" not in process.stdout + process.stderr
    assert not (tmp_path / "results").exists()
