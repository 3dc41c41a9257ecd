"""Profile placeholders: every one left in a profile is named."""

from pathlib import Path

import pytest
import yaml

from streetseg.common.placeholders import PlaceholderError, check_profile, placeholder_lines

REPO = Path(__file__).resolve().parents[2]


class _Resource:
    def __init__(self, raw):
        self.raw = raw


def test_each_placeholder_is_one_line():
    lines = placeholder_lines(
        {"slurm_partition": _Resource("YOUR_PARTITION"), "mem_mb": _Resource(4000)},
        {"train": {"slurm_partition": _Resource("gpu"), "slurm_extra": _Resource("YOUR_X")}},
        "s3://YOUR_BUCKET/streetseg",
    )
    assert lines == [
        "default-resources: slurm_partition is still 'YOUR_PARTITION'",
        "set-resources: train: slurm_extra is still 'YOUR_X'",
        "default-storage-prefix is still 's3://YOUR_BUCKET/streetseg'",
    ]
    assert placeholder_lines({"a": _Resource("cpu")}, {}, "s3://mine") == []


def test_the_shipped_slurm_profile_is_refused_until_filled_in():
    profile = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())

    class Settings:
        default_resources = {k: _Resource(v) for k, v in profile["default-resources"].items()}
        overwrite_resources = {
            rule: {k: _Resource(v) for k, v in values.items()}
            for rule, values in profile["set-resources"].items()
        }

    class Workflow:
        resource_settings = Settings

    with pytest.raises(PlaceholderError, match="slurm_account is still 'YOUR_ACCOUNT'"):
        check_profile(Workflow)


def test_s3_storage_without_credentials_is_one_line():
    class Storage:
        default_storage_provider = "s3"
        default_storage_prefix = "s3://bucket/streetseg"

    class Keys:
        access_key, secret_key = "k", "s"

    class Workflow:
        storage_settings = Storage
        storage_provider_settings = {"s3": None}

    with pytest.raises(PlaceholderError, match=r"^S3 storage .* has no credentials: set AWS_"):
        check_profile(Workflow, find_credentials=lambda: None)
    check_profile(Workflow, find_credentials=lambda: object())  # boto3's chain found some
    Workflow.storage_provider_settings = {"s3": Keys}
    check_profile(Workflow, find_credentials=lambda: None)  # the plugin's own keys
