"""The training settings object against the schema, the state's fingerprint, and the class
table's checks, in the library and at DAG build."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest
import yaml

from streetseg.labels.classes import ClassTable, ConfigError
from streetseg.model.checkpoints import fingerprint
from streetseg.model.settings import TrainSettings
from tests.helpers import REPO, config_with_defaults

SCHEMA = yaml.safe_load((REPO / "schemas" / "config.schema.yaml").read_text())
TRAIN_SCHEMA = SCHEMA["properties"]["train"]["properties"]


def _settings(**train) -> TrainSettings:
    config = config_with_defaults(train=train)
    return TrainSettings.from_config(config["train"], config["classes"])


def test_the_settings_mirror_the_schema_and_restate_no_default():
    # Every key of train (bar gpu, the job's GPU request) is a field and every field a key;
    # the schema alone holds the defaults.
    fields = {f.name: f for f in dataclasses.fields(TrainSettings)}
    assert set(fields) - {"num_classes"} == set(TRAIN_SCHEMA) - {"gpu"}
    for name, field in fields.items():
        assert field.default is dataclasses.MISSING, name
    settings = _settings()
    for group in ("loss", "early_stopping", "model", "augment"):
        members = dataclasses.fields(getattr(settings, group))
        assert {f.name for f in members} == set(TRAIN_SCHEMA[group]["properties"]), group
        assert all(f.default is dataclasses.MISSING for f in members), group


def test_from_config_reads_the_validated_section_once():
    settings = _settings(image_size=[64, 96], model={"depth": 2}, loss={"dice_weight": 0.5})
    assert settings.num_classes == 8 and settings.image_size == (64, 96)
    assert settings.model.depth == 2 and settings.model.base_filters == 16
    assert settings.loss_options() == {"focal_gamma": 0.0, "dice_weight": 0.5}
    assert settings.augment_options() == {"flip": True, "min_scale": 0.6, "color_jitter": 0.3}
    assert settings.early_stopping.patience == 0 and settings.time_limit_minutes is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.epochs = 2


def test_a_section_without_the_schema_defaults_is_refused_naming_the_key(classes):
    with pytest.raises(ConfigError, match=r"train\.model\.dropout_rate is missing"):
        train = config_with_defaults()["train"]
        del train["model"]["dropout_rate"]
        TrainSettings.from_config(train, classes)


def test_the_fingerprint_is_the_one_of_the_former_settings_dict(tmp_path):
    # A state left by an interrupted run before the settings object existed still resumes:
    # the digest is computed from the same values under the same keys.
    shard = tmp_path / "train-00000-of-00001.tfrecord"
    shard.write_bytes(b"0123")
    config = config_with_defaults(train={"model": {"depth": 3}})
    train = config["train"]
    former = {
        "image_size": list(train["image_size"]), "epochs": train["epochs"],
        "batch_size": train["batch_size"], "learning_rate": train["learning_rate"],
        "model": train["model"], "augment": train["augment"], "schedule": train["schedule"],
        "warmup_epochs": train["warmup_epochs"], "seed": train["seed"],
        "class_weighting": train["class_weighting"], "loss": train["loss"],
    }  # fmt: skip
    text = json.dumps(
        {"settings": former, "shards": [(shard.name, 4)]}, sort_keys=True, default=str
    )
    settings = TrainSettings.from_config(train, config["classes"])
    assert fingerprint(settings, [str(shard)]) == hashlib.sha256(text.encode()).hexdigest()


def test_stopping_rules_leave_the_fingerprint_alone_and_what_an_epoch_computes_does_not(
    tmp_path,
):
    shard = tmp_path / "train.tfrecord"
    shard.write_bytes(b"0")
    base = fingerprint(_settings(), [str(shard)])
    assert fingerprint(_settings(time_limit_minutes=5), [str(shard)]) == base
    assert fingerprint(_settings(early_stopping={"patience": 3}), [str(shard)]) == base
    assert fingerprint(_settings(epochs=3), [str(shard)]) != base
    assert fingerprint(_settings(augment={"flip": False}), [str(shard)]) != base


def _table(*entries):
    return [{"id": i, "name": n, "color": c} for i, n, c in entries]


@pytest.mark.parametrize(
    "classes, message",
    [
        (
            _table((0, "sky", [0, 0, 1]), (1, "road", [0, 0, 2]), (1, "car", [0, 0, 3])),
            r"classes: id 1 is given twice \('road' and 'car'\)",
        ),
        (
            _table((0, "sky", [0, 0, 1]), (2, "road", [0, 0, 2])),
            r"classes: ids must run 0\.\.1 without gaps; 1 missing \(ids given: 0, 2\)",
        ),
        (
            _table((0, "sky", [0, 0, 1]), (255, "road", [0, 0, 2])),
            r"classes: id 255 \('road'\): id 255 is reserved for ignored pixels",
        ),
        (
            _table((0, "Parking  Lot", [0, 0, 1]), (1, " parking lot", [0, 0, 2])),
            r"classes: id 0 \('Parking  Lot'\) and id 1 \('parking lot'\) have the same name",
        ),
        (
            _table((0, "sky", [0, 0, 1]), (1, "  ", [0, 0, 2])),
            r"classes: id 1 has an empty name",
        ),
        (
            _table((0, "sky", [0, 0, 1]), (1, "Ignore", [0, 0, 2])),
            r"classes: id 1 \('Ignore'\): the name 'ignore' is reserved",
        ),
        (
            _table((0, "sky", [9, 9, 9]), (1, "road", [9, 9, 9])),
            r"classes: id 0 \('sky'\) and id 1 \('road'\) have the same color \[9, 9, 9\]",
        ),
        (
            _table((0, "sky", [0, 0, 1]), (1, "road", [0, 256, 0])),
            r"classes: id 1 \('road'\): color must be \[red, green, blue\]",
        ),
    ],
)
def test_a_bad_class_table_is_refused_naming_the_entry(classes, message):
    with pytest.raises(ConfigError, match=message):
        ClassTable.from_config(classes)


def test_the_default_classes_make_a_table(classes):
    assert ClassTable.from_config(classes).num_classes == 8


@pytest.mark.workflow
def test_a_bad_class_table_stops_the_dry_run_without_a_stack(tmp_path):
    from tests.helpers.workflow import snakemake

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "classes": _table(
                    (0, "background", [0, 0, 0]), (1, "tree", [0, 9, 0]), (1, "road", [9, 0, 0])
                )
            }
        )
    )
    process = snakemake(tmp_path, "-n", configfile=bad, check=False)
    assert process.returncode == 1, process.stdout + process.stderr
    assert "Error: classes: id 1 is given twice ('tree' and 'road')" in process.stderr
    assert "Traceback" not in process.stderr
    assert not (tmp_path / "resources").exists() and not (tmp_path / "results").exists()
