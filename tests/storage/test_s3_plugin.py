"""Snakemake + snakemake-storage-plugin-s3 against the real local S3 server (cluster/s3).

Snakemake is configured ONLY through SNAKEMAKE_STORAGE_S3_* environment variables, the way
that also reaches jobs on SLURM (see cluster/s3/README.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.helpers.s3 import s3_client, snakemake_env

pytestmark = pytest.mark.s3

COPY_RULE = """
rule copy:
    input:
        {input}
    output:
        {output}
    shell:
        "cp {{input}} {{output}}"
"""


def run_snakemake(workdir, env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "--directory", str(workdir), *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_object(client, bucket, key) -> str:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def object_exists(client, bucket, key) -> bool:
    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def test_server_enforces_credentials(s3_server, s3):
    bucket, endpoint = s3_server["bucket"], s3_server["endpoint"]
    s3.put_object(Bucket=bucket, Key="auth/probe.txt", Body=b"probe")
    assert read_object(s3, bucket, "auth/probe.txt") == "probe"

    wrong_secret = s3_client(endpoint, s3_server["access_key"], "not-the-secret")
    unknown_key = s3_client(endpoint, "nobody", "nothing")
    anonymous = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED),
    )
    for client in (wrong_secret, unknown_key, anonymous):
        with pytest.raises(ClientError) as caught:
            client.get_object(Bucket=bucket, Key="auth/probe.txt")
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        with pytest.raises(ClientError):
            client.put_object(Bucket=bucket, Key="auth/intruder.txt", Body=b"x")
    assert not object_exists(s3, bucket, "auth/intruder.txt")


@pytest.mark.parametrize("style", ["default-storage-prefix", "explicit-storage-s3"])
def test_copy_rule_reads_and_writes_s3(s3_server, s3, tmp_path, local_path, style):
    bucket = s3_server["bucket"]
    content = f"hello from {style} {uuid.uuid4()}\n"
    if style == "default-storage-prefix":
        # Plain paths; Snakemake maps them to s3://<bucket>/in/a.txt and s3://<bucket>/out/a.txt.
        in_key, out_key = "in/a.txt", "out/a.txt"
        rule = COPY_RULE.format(input=f'"{in_key}"', output=f'"{out_key}"')
        args = ["--default-storage-provider", "s3", "--default-storage-prefix", f"s3://{bucket}"]
    else:
        # Explicit storage.s3(...) queries, no default storage provider.
        in_key, out_key = "explicit/in/a.txt", "explicit/out/a.txt"
        rule = COPY_RULE.format(
            input=f'storage.s3("s3://{bucket}/{in_key}")',
            output=f'storage.s3("s3://{bucket}/{out_key}")',
        )
        args = []
    (tmp_path / "Snakefile").write_text(textwrap.dedent(rule))
    s3.put_object(Bucket=bucket, Key=in_key, Body=content.encode())
    env = snakemake_env(
        tmp_path,
        local_path,
        s3_server["endpoint"],
        s3_server["access_key"],
        s3_server["secret_key"],
    )

    result = run_snakemake(tmp_path, env, *args)

    assert result.returncode == 0, result.stderr[-4000:]
    assert read_object(s3, bucket, out_key) == content
    # The local copies are removed again: the output exists only in the object store.
    assert not (tmp_path / "out" / "a.txt").exists()

    if style == "default-storage-prefix":
        # A second run sees the output's existence and mtime in the store: nothing to do.
        again = run_snakemake(tmp_path, env, *args)
        assert again.returncode == 0, again.stderr[-4000:]
        assert "Nothing to be done" in again.stderr


def test_wrong_credentials_make_the_run_fail(s3_server, s3, tmp_path, local_path):
    bucket = s3_server["bucket"]
    s3.put_object(Bucket=bucket, Key="denied/in/a.txt", Body=b"secret data\n")
    rule = COPY_RULE.format(input='"denied/in/a.txt"', output='"denied/out/a.txt"')
    (tmp_path / "Snakefile").write_text(textwrap.dedent(rule))
    args = ["--default-storage-provider", "s3", "--default-storage-prefix", f"s3://{bucket}"]

    # Right key, wrong secret (an unknown key is refused the same way, see the boto3 test).
    env = snakemake_env(
        tmp_path, local_path, s3_server["endpoint"], s3_server["access_key"], "wrong-secret"
    )
    result = run_snakemake(tmp_path, env, *args)
    assert result.returncode != 0, result.stderr[-4000:]
    # Depending on which check runs first, the plugin reports the 403 ("Failed to check
    # existence ... 403 Forbidden") or, because its bucket probe swallows every error,
    # a misleading "Missing input files" for an object that does exist.
    signs = ("403", "Forbidden", "Missing input files")
    assert any(sign in result.stderr for sign in signs), result.stderr[-4000:]
    assert not object_exists(s3, bucket, "denied/out/a.txt")


def test_s3_credentials_reach_remote_jobs_only_through_the_environment(tmp_path, local_path):
    """The pitfall, pinned: --storage-s3-endpoint-url/-access-key/-secret-key are *not* put
    on the command line of spawned jobs (they are env_var settings); the SLURM executor does
    not export them either, so jobs only see them when they are real environment variables of
    the submitting shell (sbatch --export=ALL)."""
    snakefile = """
    import json

    onstart:
        spawn = workflow.spawned_job_args_factory
        try:
            from snakemake_executor_plugin_slurm import common_settings

            slurm_exports = common_settings.pass_envvar_declarations_to_cmd
        except ImportError:
            slurm_exports = None
        with open("spawn.json", "w") as out:
            json.dump(
                {
                    "args": list(spawn.get_storage_provider_args()),
                    "env": spawn.get_storage_provider_envvars(),
                    "slurm_exports": slurm_exports,
                },
                out,
            )

    rule touch:
        output:
            "done.txt"
        shell:
            "touch {output}"
    """
    (tmp_path / "Snakefile").write_text(textwrap.dedent(snakefile))
    env = snakemake_env(tmp_path, local_path)  # no SNAKEMAKE_STORAGE_S3_* at all
    result = run_snakemake(
        tmp_path,
        env,
        "--storage-s3-endpoint-url",
        "http://127.0.0.1:9",
        "--storage-s3-access-key",
        "cli-key",
        "--storage-s3-secret-key",
        "cli-secret",
        "--storage-s3-retries",
        "2",
    )
    assert result.returncode == 0, result.stderr[-4000:]
    spawn = json.loads((tmp_path / "spawn.json").read_text())
    job_args = " ".join(spawn["args"])
    assert "--storage-s3-retries 2" in job_args  # non-secret settings do travel on the CLI
    for hidden in ("endpoint-url", "access-key", "secret-key", "cli-secret"):
        assert hidden not in job_args
    # ... these are only offered as environment variables, under exactly these names:
    assert spawn["env"]["SNAKEMAKE_STORAGE_S3_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert spawn["env"]["SNAKEMAKE_STORAGE_S3_ACCESS_KEY"] == "cli-key"
    assert spawn["env"]["SNAKEMAKE_STORAGE_S3_SECRET_KEY"] == "cli-secret"

    # ... and the SLURM executor does not write them into the job script (None: the SLURM
    # executor plugin is not installed).
    assert spawn["slurm_exports"] in (False, None)
