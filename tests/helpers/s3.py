"""Clients and environments for the tests against the local S3 server (tests/storage)."""

from __future__ import annotations

import os


def s3_client(endpoint: str, access_key: str, secret_key: str):
    """A boto3 S3 client for the local server (path-style, as Snakemake's plugin does)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 3, "mode": "standard"}),
    )


def snakemake_env(tmp_path, path, endpoint=None, access_key=None, secret_key=None) -> dict:
    """The environment for a Snakemake run: S3 settings from SNAKEMAKE_STORAGE_S3_* only."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "SNAKEMAKE_STORAGE_S3_", "BOTO"))
    }
    env["PATH"] = path
    # No ~/.aws fallback: credentials must come from the SNAKEMAKE_STORAGE_S3_* variables.
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-aws-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "no-aws-credentials")
    settings = {"ENDPOINT_URL": endpoint, "ACCESS_KEY": access_key, "SECRET_KEY": secret_key}
    for name, value in settings.items():
        if value is not None:
            env[f"SNAKEMAKE_STORAGE_S3_{name}"] = value
    return env
