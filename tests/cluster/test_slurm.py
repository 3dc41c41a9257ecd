"""The workflow on a real SLURM cluster through snakemake-executor-plugin-slurm.

The cluster comes from the session fixture ``slurm_cluster`` (cluster/slurm/up.sh): one node
on 127.0.0.1 with its real CPUs and memory and two simulated GPUs.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO
from tests.helpers.snakefile import SNAKEMAKE, TINY, snakemake

pytestmark = pytest.mark.slurm

# "Job 3 has been submitted with SLURM jobid 17 (log: .../slurm_logs/rule_masks/scene_007/17.log)."
SUBMITTED = re.compile(
    r"submitted with SLURM jobid (\d+) \(log: (\S*/(?:rule|group)_([A-Za-z0-9_]+)/\S*)\)"
)
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL"}


def sacct(*job_ids: str) -> dict[str, dict[str, str]]:
    """JobID -> {State, ExitCode, AllocTRES, Comment} of whole jobs, waiting for final states."""
    fields = ["JobID", "State", "ExitCode", "AllocTRES", "Comment"]
    deadline = time.monotonic() + 30
    while True:
        output = subprocess.run(
            ["sacct", "-n", "-P", "-X", "-j", ",".join(job_ids), "-o", ",".join(fields)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows = {
            line.split("|")[0]: dict(zip(fields, line.split("|"))) for line in output.splitlines()
        }
        done = all(
            rows.get(job, {}).get("State", "").split(" ")[0] in FINAL_STATES for job in job_ids
        )
        if done or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def sbatch(tmp_path: Path, *args: str) -> tuple[str, str]:
    """Submit a job, wait for it to end; return its id and its output."""
    out = tmp_path / "job.out"
    process = subprocess.run(
        ["sbatch", "--parsable", "--wait", "-o", str(out), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    job_id = process.stdout.strip().split(";")[0]
    assert job_id.isdigit(), process.stdout + process.stderr
    return job_id, out.read_text() if out.exists() else ""


def submitted_jobs(output: str) -> list[tuple[str, str, str]]:
    """(SLURM job id, rule, log path) of every job the plugin submitted, from Snakemake's log."""
    return [(job, rule, log) for job, log, rule in SUBMITTED.findall(output)]


def test_sbatch_job_runs_and_is_accounted(slurm_cluster, tmp_path):
    job_id, output = sbatch(tmp_path, "-p", slurm_cluster.partition, "--wrap", "echo hi")
    assert output.strip() == "hi"
    row = sacct(job_id)[job_id]
    assert row["State"] == "COMPLETED" and row["ExitCode"] == "0:0"


def test_gpu_job_sees_its_gpu(slurm_cluster, tmp_path):
    if slurm_cluster.gpus < 1:
        pytest.skip("the cluster was brought up without GPUs (SLURM_GPUS=0)")
    job_id, output = sbatch(
        tmp_path, "--gres=gpu:1", "--wrap", "echo CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES"
    )
    assert output.strip() == "CUDA_VISIBLE_DEVICES=0"
    assert "gres/gpu=1" in sacct(job_id)[job_id]["AllocTRES"]


TOY_SNAKEFILE = """\
rule all:
    input:
        "out/gpu.txt",
        "out/bad.txt",


rule gpu:
    output:
        "out/gpu.txt",
    resources:
        gpu=1,
        mem_mb=500,
        runtime=5,
    shell:
        "echo CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES > {output}"


rule bad:
    output:
        "out/bad.txt",
    resources:
        mem_mb=500,
        runtime=5,
    shell:
        "echo this rule fails on purpose >&2; exit 7"
"""


@pytest.fixture(scope="module")
def toy_run(slurm_cluster, tmp_path_factory):
    """A two-rule workflow: one rule asks for a GPU, the other fails (--keep-going)."""
    workdir = tmp_path_factory.mktemp("toy")
    (workdir / "Snakefile").write_text(TOY_SNAKEFILE)
    command = [SNAKEMAKE, "--directory", str(workdir), "--keep-going"]
    command += slurm_cluster.executor_args(jobs=2)
    process = subprocess.run(
        command, check=False, cwd=workdir, capture_output=True, text=True, timeout=600
    )
    return workdir, process, process.stdout + process.stderr


def test_plugin_gpu_resource_reaches_the_job(slurm_cluster, toy_run):
    if slurm_cluster.gpus < 1:
        pytest.skip("the cluster was brought up without GPUs (SLURM_GPUS=0)")
    workdir, _, output = toy_run
    assert (workdir / "out" / "gpu.txt").read_text().strip() == "CUDA_VISIBLE_DEVICES=0", output
    jobs = {rule: job for job, rule, _ in submitted_jobs(output)}
    row = sacct(jobs["gpu"])[jobs["gpu"]]
    assert row["State"] == "COMPLETED" and "gres/gpu=1" in row["AllocTRES"]


def test_failing_job_fails_the_run_and_is_failed_in_sacct(toy_run):
    workdir, process, output = toy_run
    assert process.returncode == 1, output
    jobs = {rule: (job, log) for job, rule, log in submitted_jobs(output)}
    job, log = jobs["bad"]
    assert f"SLURM-job '{job}' failed, SLURM status is: 'FAILED'" in output
    # The job's own snakemake exits 1 whatever the shell command returned.
    row = sacct(job)[job]
    assert row["State"] == "FAILED" and row["ExitCode"] == "1:0"
    # The SLURM log of a failed job is kept, with the command's stderr in it.
    assert "this rule fails on purpose" in Path(log).read_text()
    assert not (workdir / "out" / "bad.txt").exists()


def local_profile(cluster, folder: Path) -> Path:
    """profiles/slurm with its placeholders filled in for this one-node test cluster.

    Only what the user is told to edit changes: partition and account, and sizes that a
    2-core CI machine can grant (the profile asks for 8 CPUs per GPU and 32 GB for training).
    """
    profile = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    profile["default-resources"].update(
        slurm_partition=cluster.partition, slurm_account=cluster.account
    )
    memory = min(2000, cluster.memory_mb // 2)
    # experiment_train is the same mapping as train (a YAML alias), updated with it.
    for rule in ("train", "predict", "infer_chunk"):
        resources = profile["set-resources"][rule]
        resources.update(slurm_partition=cluster.partition, mem_mb=memory, cpus_per_gpu=1)
        if not cluster.gpus:
            resources.pop("gpu", None)
    profile["cores"] = cluster.cpus
    profile["slurm-init-seconds-before-status-checks"] = 1
    profile["max-threads"] = cluster.cpus
    profile["jobs"] = 4
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(profile))
    return folder


@pytest.mark.workflow
def test_workflow_runs_through_the_slurm_profile(slurm_cluster, tmp_path):
    """The tiny config end to end with profiles/slurm: GPU training, few submissions."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    profile = local_profile(slurm_cluster, tmp_path / "profile")
    process = snakemake(workdir, "--profile", str(profile))
    output = process.stdout + process.stderr

    results = workdir / "results"
    for path in ("metrics/summary.tsv", "metrics/per_class.tsv", "model/model.keras"):
        assert (results / path).is_file(), path
    assert len(list((results / "predictions").glob("*_panel.png"))) == 2
    assert len(list((results / "masks").glob("*.png"))) == 10

    jobs = submitted_jobs(output)
    rows = sacct(*(job for job, _, _ in jobs))
    assert all(rows[job]["State"] == "COMPLETED" for job, _, _ in jobs), rows
    submitted = sorted(name for _, name, _ in jobs)
    # Ten masks in three chunk jobs (chunk_size 4 in tiny.yaml), submitted as one group job
    # (group-components masks=25 in the profile), which the plugin names by the group and
    # its rules; demo, splits, dataset, evaluate and plots run on the submit host; tfrecords
    # (one per split), train and predict are SLURM jobs (predict_00000 gets set-resources:
    # predict): 6 sbatch calls for 14 jobs.
    group = "masks_masks_00000_masks_00001_masks_00002"
    assert submitted == [group, "predict_00000", "tfrecords", "tfrecords", "tfrecords", "train"], (
        output
    )
    train = next(job for job, name, _ in jobs if name == "train")
    assert "--signal=TERM@300" in output or rows[train]["State"] == "COMPLETED"
    if slurm_cluster.gpus:
        assert "gres/gpu=1" in rows[train]["AllocTRES"]

    # Inference over three new photos in chunks of one: the three infer_chunk jobs go to
    # SLURM as one group job (group-components infer=4), one after the other in it.
    from PIL import Image

    (workdir / "photos").mkdir()
    for index in range(3):
        Image.new("RGB", (40, 30), (index * 60, 90, 120)).save(workdir / "photos" / f"{index}.jpg")
    infer = workdir / "infer.yaml"
    infer.write_text(json.dumps({"infer_images": "photos", "infer": {"chunk_size": 1}}))
    process = snakemake(
        workdir, "--profile", str(profile), "infer", "--configfile", str(TINY), str(infer)
    )
    jobs = submitted_jobs(process.stdout + process.stderr)
    assert [name for _, name, _ in jobs] == ["infer_infer_chunk"], process.stdout + process.stderr
    assert sacct(jobs[0][0])[jobs[0][0]]["State"] == "COMPLETED"
    assert len((results / "inference" / "summary.tsv").read_text().splitlines()) > 1

    # Experiments on the same shards: each variant's training and evaluation are SLURM jobs
    # of their own (experiment_train takes the train job's resources, a YAML alias in the
    # profile); the summary runs on the submit host.
    variants = workdir / "experiments.yaml"
    variants.write_text(json.dumps({"experiments": {"base": {}, "seed2": {"train": {"seed": 2}}}}))
    process = snakemake(
        workdir, "--profile", str(profile), "experiments", "--configfile", str(TINY), str(variants)
    )
    jobs = submitted_jobs(process.stdout + process.stderr)
    rows = sacct(*(job for job, _, _ in jobs))
    assert all(rows[job]["State"] == "COMPLETED" for job, _, _ in jobs), rows
    assert sorted(name for _, name, _ in jobs) == [
        "experiment_evaluate",
        "experiment_evaluate",
        "experiment_train",
        "experiment_train",
    ]
    summary = (results / "experiments" / "summary.tsv").read_text().splitlines()
    assert [line.split("\t")[0] for line in summary[1:]] == ["base", "seed2"]
    if slurm_cluster.gpus:
        for job, name, _ in jobs:
            if name == "experiment_train":
                assert "gres/gpu=1" in rows[job]["AllocTRES"]
