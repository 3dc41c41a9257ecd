"""The streetseg workflow with every file in an S3 bucket (--default-storage-provider s3)."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
import pytest
from PIL import Image

from tests.helpers import REPO
from tests.helpers.s3 import snakemake_env
from tests.helpers.snakefile import TINY

pytestmark = [pytest.mark.s3, pytest.mark.workflow]


def test_tiny_workflow_reads_and_writes_the_bucket(s3_server, s3, tmp_path, local_path):
    prefix = "streetseg-run"
    env = snakemake_env(
        tmp_path,
        local_path,
        s3_server["endpoint"],
        s3_server["access_key"],
        s3_server["secret_key"],
    )
    workdir = tmp_path / "local"
    workdir.mkdir()
    command = [
        sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
        "--directory", str(workdir), "--configfile", str(TINY), "--cores", "2",
        "--default-storage-provider", "s3",
        "--default-storage-prefix", f"s3://{s3_server['bucket']}/{prefix}",
    ]  # fmt: skip
    process = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert process.returncode == 0, process.stdout + process.stderr

    listing = s3.list_objects_v2(Bucket=s3_server["bucket"], Prefix=prefix)
    keys = {item["Key"][len(prefix) + 1 :] for item in listing.get("Contents", [])}
    for key in (
        "results/metrics/summary.tsv",
        "results/model/model.keras",
        "results/plots/training_curves.png",
        "resources/demo/scene_000.xml",
        "results/tfrecords/train-00000-of-00002.tfrecord",
        "logs/train.log",
    ):
        assert key in keys, sorted(keys)
    summary = s3.get_object(Bucket=s3_server["bucket"], Key=f"{prefix}/results/metrics/summary.tsv")
    table = pd.read_csv(io.BytesIO(summary["Body"].read()), sep="\t")
    assert table["n_images"].item() == 2
    panels = [key for key in keys if key.endswith("_panel.png")]
    assert len(panels) == 2
    body = s3.get_object(Bucket=s3_server["bucket"], Key=f"{prefix}/{panels[0]}")["Body"].read()
    assert Image.open(io.BytesIO(body)).width > 300
    # Nothing was written to the local results folder: the bucket holds the outputs.
    assert not (workdir / "results").exists()
