"""Config mistakes stop the run before any job, one line each, all of them in one pass.

Each case is a config written over tests/workflow/tiny.yaml and run as a dry run of the real
Snakefile: it must exit 1 with exactly the expected lines after "Error: ", and plan no job.
"""

from __future__ import annotations

import json

import pytest

from tests.helpers.snakefile import TINY, snakemake

ONE = "the config has 1 mistake (schemas/config.schema.yaml):"


def _mistakes(*lines: str) -> list[str]:
    head = (
        ONE
        if len(lines) == 1
        else f"the config has {len(lines)} mistakes (schemas/config.schema.yaml):"
    )
    return [head, *(f"  {line}" for line in lines)]


CASES = [
    pytest.param(
        {"infer_image": "photos/"},
        _mistakes("infer_image: unknown key; did you mean infer_images?"),
        id="top-level-key-misspelt",
    ),
    pytest.param(
        {"train": {"epoch": 5}},
        _mistakes("train.epoch: unknown key; did you mean train.epochs?"),
        id="train-key-misspelt",
    ),
    pytest.param(
        {"train": {"augment": {"max_scal": 2}}},
        _mistakes("train.augment.max_scal: unknown key; did you mean train.augment.max_scale?"),
        id="nested-key-misspelt",
    ),
    pytest.param(
        {"train": {"schedule": "cosin", "epochs": "five"}},
        _mistakes(
            "train.epochs: got 'five', expected a whole number",
            "train.schedule: got 'cosin', expected one of cosine, constant",
        ),
        id="enum-and-type-in-one-pass",
    ),
    pytest.param(
        {"train": {"ema": 1.5, "jit_compile": "yes"}},
        _mistakes(
            "train.ema: got 1.5, expected at most 0.9999",
            "train.jit_compile: got 'yes', expected one of auto, on, off",
        ),
        id="new-levers-range-and-enum",
    ),
    pytest.param(
        {"data": {"source": "s3://bucket/photos?X-Amz-Signature=secret"}},
        _mistakes(
            "data.source: got 's3://bucket/photos', expected one of demo, directory, sheet, folders"
        ),
        id="url-value-without-its-token",
    ),
    pytest.param(
        {"labels": {"aliases": {"vegetation": "greenery"}, "index_map": {3: "nope"}}},
        [
            "labels.aliases: 'vegetation' maps to 'greenery', which is not a class",
            "  labels.index_map: 3 maps to 'nope', which is not a class",
            "  (the classes are background, tree, landscaping, road, sidewalk, building, sky, "
            "concrete, and ignore)",
        ],
        id="label-targets-that-are-no-class",
    ),
    pytest.param(
        {"split": {"test_fraction": 0.0}},
        [
            "the test split is empty: nothing to score the model on; raise "
            "split.test_fraction above 0, or give samples the split test (a sheet's split "
            "column, a data.folders entry's split)"
        ],
        id="empty-test-split",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES)
def test_a_config_mistake_stops_the_dry_run_with_one_line_each(tmp_path, overrides, expected):
    config = tmp_path / "mistake.yaml"
    config.write_text(json.dumps(overrides))
    process = snakemake(tmp_path, "-n", "--configfile", str(TINY), str(config), check=False)
    assert process.returncode == 1, process.stderr
    error = process.stderr[process.stderr.index("Error: ") + len("Error: ") :]
    assert error.rstrip("\n").split("\n") == expected
    assert "Job stats" not in process.stdout + process.stderr
    assert not (tmp_path / "results").exists()


def test_the_slurm_profile_with_its_placeholders_stops_the_dry_run(tmp_path):
    from tests.helpers import REPO

    profile = str(REPO / "profiles" / "slurm")
    process = snakemake(tmp_path, "-n", "--profile", profile, check=False)
    assert process.returncode == 1, process.stderr
    error = process.stderr[process.stderr.index("Error: ") :].splitlines()
    assert error[:3] == [
        "Error: the profile still holds placeholders; fill in your cluster's values "
        "(docs/cluster.md):",
        "  default-resources: slurm_partition is still 'YOUR_PARTITION'",
        "  default-resources: slurm_account is still 'YOUR_ACCOUNT'",
    ]
    assert not (tmp_path / "results").exists()


def test_s3_storage_without_credentials_stops_the_dry_run_in_one_line(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null")
    env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    storage = ["--default-storage-provider", "s3", "--default-storage-prefix", "s3://bucket/x"]
    process = snakemake(tmp_path, "-n", *storage, check=False, env=env)
    assert process.returncode == 1
    assert process.stderr.rstrip().splitlines()[-1] == (
        "Error: S3 storage (--default-storage-provider s3) has no credentials: set "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an AWS profile (AWS_PROFILE, "
        "~/.aws/credentials), or --storage-s3-access-key and --storage-s3-secret-key"
    )
    assert len(process.stderr.splitlines()) < 10
