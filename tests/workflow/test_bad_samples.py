"""A folder with good and bad samples: every problem named in one pass, on the console and in
results/dataset/problems.tsv; a bad sample never takes the good ones down (chunks of four)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers.snakefile import folder_config, snakemake

pytestmark = pytest.mark.workflow
GOOD = ["street2", "street4", "street5", "street6", "street7"]
# A tiny model, so that the skip run trains and scores in a minute.
TINY_TRAIN = {
    "image_size": [32, 32],
    "epochs": 1,
    "batch_size": 2,
    "model": {"depth": 2, "base_filters": 4},
}


def _spoil(data):
    """Spoil three samples (found inside the mask jobs) and add three bad files (found while
    the samples are listed); return the expected (sample, file) of each problem."""
    truncated = (data / "street0.png").read_bytes()
    (data / "street0.png").write_bytes(truncated[: len(truncated) // 2])
    voc = data / "street1.xml"
    voc.write_text(voc.read_text().replace("<name>sky</name>", "<name>truck</name>", 1))
    labelme = data / "street3.json"
    document = json.loads(labelme.read_text())
    document["shapes"][1]["points"] = document["shapes"][1]["points"][:2]
    labelme.write_text(json.dumps(document))
    (data / "lonely.xml").write_text((data / "street2.xml").read_text())
    (data / ".hidden.xml").write_text((data / "street2.xml").read_text())
    cvat = data / "cvat_export.xml"
    cvat.write_text(
        cvat.read_text().replace(
            "</annotations>",
            '<image id="9" name="../../../../etc/passwd" width="4" height="4"/></annotations>',
        )
    )
    return {
        ("street0", str(data / "street0.png")),
        ("street1", str(voc)),
        ("street3", str(labelme)),
        ("lonely", str(data / "lonely.xml")),
        ("", str(data / ".hidden.xml")),
        ("passwd", str(cvat)),
    }


def _problems(workdir):
    table = pd.read_csv(
        workdir / "results" / "dataset" / "problems.tsv", sep="\t", dtype=str, keep_default_na=False
    )
    return table, {(row.sample, row.file) for row in table.itertuples()}


def test_stop_names_every_problem_in_one_run_and_keeps_every_good_mask(mixed_folder):
    expected = _spoil(mixed_folder / "export")
    config = folder_config(mixed_folder, masks={"chunk_size": 4}, train=TINY_TRAIN)
    process = snakemake(
        mixed_folder, "--cores", "2", "--keep-going", "--configfile", config, check=False
    )
    console = process.stdout + process.stderr
    assert process.returncode != 0
    table, found = _problems(mixed_folder)
    assert found == expected
    reasons = dict(zip(table["sample"], table["problem"]))
    assert "unknown class 'truck'" in reasons["street1"] and "truncated" in reasons["street0"]
    assert "outside the data folder" in reasons["passwd"] and "hidden file" in reasons[""]
    # Every good mask is written and kept, in both chunks; nothing trains.
    masks = mixed_folder / "results" / "masks"
    assert all((masks / f"{sample}.png").is_file() for sample in GOOD)
    assert not (mixed_folder / "results" / "model").exists()
    # The console shows the table (file, object, problem) and no Python stack.
    assert "6 problems in the data" in console and "unknown class 'truck'" in console
    assert "on_bad_sample is stop" in console and "Traceback" not in console
    # Fixing one file redoes only its chunk.
    voc = mixed_folder / "export" / "street1.xml"
    voc.write_text(voc.read_text().replace("<name>truck</name>", "<name>sky</name>"))
    plan = snakemake(
        mixed_folder, "-n", "results/dataset/problems.tsv", "--configfile", config
    ).stdout
    assert "masks_00000" in plan and "masks_00001" not in plan


def test_skip_leaves_bad_samples_out_of_splits_shards_and_metrics(mixed_folder):
    _spoil(mixed_folder / "export")
    split = {"test_fraction": 0.3, "val_fraction": 0.3, "seed": 3}
    config = folder_config(
        mixed_folder,
        data={
            "source": "directory",
            "directory": str(mixed_folder / "export"),
            "on_bad_sample": "skip",
        },
        masks={"chunk_size": 4},
        train=TINY_TRAIN,
        split=split,
    )
    process = snakemake(mixed_folder, "--cores", "2", "--configfile", config)
    console = process.stdout + process.stderr
    listed = []
    for name in ("train", "val", "test"):
        listed += (mixed_folder / "results" / "splits" / f"{name}.txt").read_text().split()
    assert sorted(listed) == GOOD
    images = pd.read_csv(
        mixed_folder / "results" / "dataset" / "images.tsv", sep="\t", keep_default_na=False
    )
    assert sorted(images.loc[images["split"] == "skipped", "sample"]) == [
        "lonely",
        "passwd",
        "street0",
        "street1",
        "street3",
    ]
    summary = pd.read_csv(mixed_folder / "results" / "metrics" / "summary.tsv", sep="\t")
    test = (mixed_folder / "results" / "splits" / "test.txt").read_text().split()
    assert int(summary["n_images"].iloc[0]) == len(test)
    assert "5 skipped with problems" in console and "6 problems in the data" in console


def test_config_mismatches_stop_the_dry_run_before_any_job_without_a_stack(mixed_folder, tmp_path):
    classes = [
        {"id": 0, "name": "car", "color": [0, 0, 255]},
        {"id": 1, "name": "road", "color": [1, 1, 1]},
    ]
    config = folder_config(mixed_folder, classes=classes)
    process = snakemake(mixed_folder, "-n", "--configfile", config, check=False)
    assert process.returncode != 0 and "Traceback" not in process.stderr
    assert "Error: labels.unannotated is needed" in process.stderr
    config = folder_config(mixed_folder, train={"image_size": [60, 64]})
    process = snakemake(mixed_folder, "-n", "--configfile", config, check=False)
    assert (
        process.returncode != 0
        and "train.image_size 60x64 must be divisible by 16" in process.stderr
    )
    from streetseg.model.unet import build_unet

    build_unet((16, 16), num_classes=3, depth=1, base_filters=2).save(tmp_path / "three.keras")
    process = snakemake(
        mixed_folder,
        "-n",
        "infer",
        "--configfile",
        folder_config(mixed_folder),
        "--config",
        f"infer_images={mixed_folder / 'export'}",
        f"model={tmp_path / 'three.keras'}",
        check=False,
    )
    assert process.returncode != 0 and "Traceback" not in process.stderr
    assert "three.keras: the model predicts 3 classes but the config lists 8" in process.stderr


def test_fixing_a_file_refused_while_listing_reruns_its_chunk_only(mixed_folder):
    # street0.xml sorts first; broken, it is refused while the samples are listed. Fixed, it
    # joins the first chunk, and the other chunks (their members unchanged) do not rerun.
    xml = mixed_folder / "export" / "street0.xml"
    good = xml.read_text()
    xml.write_text(good[: len(good) // 2])
    config = folder_config(mixed_folder, masks={"chunk_size": 2})
    settings = json.loads(Path(config).read_text())
    settings["data"]["on_bad_sample"] = "skip"
    Path(config).write_text(json.dumps(settings))
    target = ("results/dataset/problems.tsv", "--configfile", config)
    snakemake(mixed_folder, "--cores", "2", *target)
    xml.write_text(good)
    planned = snakemake(mixed_folder, "-n", *target).stdout
    jobs = {
        line.split()[1]
        for line in map(str.strip, planned.splitlines())
        if line.startswith("rule masks_")
    }
    assert jobs == {"masks_00000:"}
