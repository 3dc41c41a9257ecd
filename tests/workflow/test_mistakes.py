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
            "train.jit_compile: got 'yes', expected one of auto, true, false",
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


MORE_CASES = [
    pytest.param(
        {"classes": [{"id": 0, "name": "a"}, {"id": 1, "name": "b", "color": [1, 2, 3]}]},
        _mistakes("classes.0: 'color' is a required property"),
        id="class-without-colour",
    ),
    pytest.param(
        {"split": {"group": 5}},
        _mistakes("split.group: got 5, expected text"),
        id="split-group-not-text",
    ),
    pytest.param(
        {"train": {"image_size": [62, 64]}},
        ["train.image_size 62x64 must be divisible by 4 on both sides (depth 2); e.g. 60x64"],
        id="image-size-not-divisible",
    ),
    pytest.param(
        {"train": {"epochs": 0}},
        _mistakes("train.epochs: got 0, expected at least 1"),
        id="epochs-zero",
    ),
    pytest.param(
        {"train": {"batch_size": "eight"}},
        _mistakes("train.batch_size: got 'eight', expected a whole number"),
        id="batch-size-text",
    ),
    pytest.param(
        {"train": {"image_size": [64]}},
        _mistakes("train.image_size: has 1 item, expected at least 2"),
        id="image-size-one-side",
    ),
    pytest.param(
        {"train": {"learning_rate": -0.1}},
        _mistakes("train.learning_rate: got -0.1, expected more than 0"),
        id="learning-rate-negative",
    ),
    pytest.param(
        {"train": {"class_weighting": "median"}},
        _mistakes(
            "train.class_weighting: got 'median', expected one of none, median_frequency, "
            "inverse_sqrt"
        ),
        id="class-weighting-misspelt",
    ),
    pytest.param(
        {"train": {"model": {"block": "dense"}}},
        _mistakes("train.model.block: got 'dense', expected one of conv, separable"),
        id="model-block-unknown",
    ),
    pytest.param(
        {"train": {"model": {"encoder": "resnet50"}}},
        _mistakes(
            "train.model.encoder: got 'resnet50', expected one of unet, mobilenet_v2, "
            "efficientnetv2_b0"
        ),
        id="encoder-unknown",
    ),
    pytest.param(
        {"train": {"model": {"dropout_rate": 0.95}}},
        _mistakes("train.model.dropout_rate: got 0.95, expected at most 0.9"),
        id="dropout-too-high",
    ),
    pytest.param(
        {"train": {"augment": {"max_scale": 0.5}}},
        _mistakes("train.augment.max_scale: got 0.5, expected at least 1"),
        id="max-scale-below-one",
    ),
    pytest.param(
        {"train": {"augment": {"min_scale": 0}}},
        _mistakes("train.augment.min_scale: got 0, expected more than 0"),
        id="min-scale-zero",
    ),
    pytest.param(
        {"train": {"weight_decay": -1}},
        _mistakes("train.weight_decay: got -1, expected at least 0"),
        id="weight-decay-negative",
    ),
    pytest.param(
        {"predict": {"tta": "rotate"}},
        _mistakes(
            "predict.tta: got 'rotate', expected one of none, flip, multiscale, flip_multiscale"
        ),
        id="tta-unknown",
    ),
    pytest.param(
        {"masks": {"chunk_size": 0}},
        _mistakes("masks.chunk_size: got 0, expected at least 1"),
        id="chunk-size-zero",
    ),
    pytest.param(
        {"tfrecords": {"num_shards": 0}},
        _mistakes("tfrecords.num_shards: got 0, expected at least 1"),
        id="num-shards-zero",
    ),
    pytest.param(
        {"data": {"on_bad_sample": "ignore"}},
        _mistakes("data.on_bad_sample: got 'ignore', expected one of stop, skip"),
        id="on-bad-sample-unknown",
    ),
    pytest.param(
        {"labels": {"unknown": "skip"}},
        _mistakes("labels.unknown: got 'skip', expected one of error, ignore"),
        id="unknown-policy-unknown",
    ),
    pytest.param(
        {"annotations": {"size_mismatch": "resize"}},
        _mistakes("annotations.size_mismatch: got 'resize', expected one of error, rescale"),
        id="size-mismatch-unknown",
    ),
    pytest.param(
        {"split": {"val_fraction": 1.5}},
        _mistakes("split.val_fraction: got 1.5, expected at most 0.9"),
        id="split-fraction-above-limit",
    ),
    pytest.param(
        {"train": 5},
        _mistakes("train: got 5, expected a mapping of keys"),
        id="section-not-a-mapping",
    ),
    pytest.param(
        {"demo": {"n_scenes": 0}},
        _mistakes("demo.n_scenes: got 0, expected at least 2"),
        id="demo-scenes-too-few",
    ),
    pytest.param(
        {"annotations": {"labelbox_legacy_origin": "left"}},
        _mistakes("annotations.labelbox_legacy_origin: got 'left', expected one of bottom, top"),
        id="legacy-origin-unknown",
    ),
    pytest.param(
        {"train": {"early_stopping": {"patience": -1}}},
        _mistakes("train.early_stopping.patience: got -1, expected at least 0"),
        id="early-stopping-negative",
    ),
    pytest.param(
        {"train": {"augment": {"crop_size": [128, 128]}}},
        [
            "train.augment.crop_size 128x128 is larger than train.image_size 64x64: crops "
            "are cut from images of image_size"
        ],
        id="crop-larger-than-image",
    ),
    pytest.param(
        {
            "classes": [
                {"id": 0, "name": "a", "color": [1, 2, 3]},
                {"id": 0, "name": "b", "color": [4, 5, 6]},
            ]
        },
        ["classes: id 0 is given twice ('a' and 'b'); each class needs its own id"],
        id="class-id-twice",
    ),
    pytest.param(
        {"experiments": {"wide": {"train": {"model": {"base_filter": 32}}}}},
        [
            "config: bad experiments:",
            "  experiments.wide: train.model.base_filter: unknown key; did you mean "
            "train.model.base_filters?",
        ],
        id="experiment-key-misspelt",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), CASES + MORE_CASES)
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
