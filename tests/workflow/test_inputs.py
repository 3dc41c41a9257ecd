"""The workflow on a folder that mixes every polygon format, and on a folder with a bad file."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from PIL import Image

from streetseg.annotations import write_voc_xml
from streetseg.demo import generate_scene
from tests.format_writers import write_coco_json, write_cvat_xml, write_labelme_json, write_labelme_xml
from tests.workflow.helpers import snakemake

pytestmark = pytest.mark.workflow
WIDTH, HEIGHT = 64, 48
CLASS_NAMES = ["background", "tree", "landscaping", "road", "sidewalk", "building", "sky", "concrete"]


def _scene(folder, name, index):
    rgb, objects = generate_scene(seed=9, index=index, width=WIDTH, height=HEIGHT)
    Image.fromarray(rgb).save(folder / f"{name}.png")
    return (f"{name}.png", WIDTH, HEIGHT, objects)


@pytest.fixture
def mixed_folder(tmp_path):
    """Eight photos annotated in five formats, side by side in one folder."""
    data = tmp_path / "export"
    data.mkdir()
    scenes = [_scene(data, f"street{i}", i) for i in range(8)]
    write_voc_xml(data / "street0.xml", *scenes[0])
    write_voc_xml(data / "street1.xml", *scenes[1])
    write_labelme_xml(data / "street2.xml", *scenes[2])
    write_labelme_json(data / "street3.json", *scenes[3])
    write_cvat_xml(data / "cvat_export.xml", scenes[4:6])
    write_coco_json(data / "coco_export.json", scenes[6:8], CLASS_NAMES)
    return tmp_path


def _config(workdir, **extra) -> str:
    config = {"data": {"source": "directory", "directory": str(workdir / "export")},
              "split": {"test_fraction": 0.25, "val_fraction": 0.2}, **extra}  # fmt: skip
    path = workdir / "config.yaml"
    path.write_text(json.dumps(config))
    return str(path)


def test_one_run_reads_every_polygon_format(mixed_folder):
    config = _config(mixed_folder)
    snakemake(mixed_folder, "--cores", "2", "results/dataset/summary.tsv", "--configfile", config)
    images = pd.read_csv(mixed_folder / "results" / "dataset" / "images.tsv", sep="\t")
    assert sorted(images["sample"]) == [f"street{i}" for i in range(8)]
    assert set(images["format"]) == {"labelbox_voc", "labelme_xml", "labelme_json", "cvat_xml", "coco_json"}
    assert (images["coverage"] > 0.5).all() and (images["unknown"] == 0).all()
    summary = pd.read_csv(mixed_folder / "results" / "dataset" / "summary.tsv", sep="\t")
    train = summary[summary["split"] == "train"]
    assert train["pixel_share"].sum() == pytest.approx(1.0)


def test_keep_going_finishes_the_other_chunks_and_names_the_bad_file(mixed_folder):
    bad = mixed_folder / "export" / "street3.json"
    data = json.loads(bad.read_text())
    data["shapes"][1]["points"] = data["shapes"][1]["points"][:2]
    bad.write_text(json.dumps(data))
    # Two mask jobs: street0-3 and street4-7.
    config = _config(mixed_folder, masks={"chunk_size": 4})
    process = snakemake(
        mixed_folder, "--cores", "2", "--keep-going", "results/dataset/summary.tsv",
        "--configfile", config, check=False,
    )  # fmt: skip
    assert process.returncode != 0
    masks = mixed_folder / "results" / "masks"
    # The failed job leaves nothing behind; the other one finishes.
    assert not any((masks / f"street{i}.png").exists() for i in range(4))
    assert all((masks / f"street{i}.png").is_file() for i in range(4, 8))
    assert (masks / "stats" / "00001.tsv").is_file() and not (masks / "stats" / "00000.tsv").exists()
    log = (mixed_folder / "logs" / "masks" / "00000.log").read_text()
    assert f"{bad}: shape 2" in log and "polygon has 2 points" in log
    assert "1 of 4 annotations failed" in log
    assert not (mixed_folder / "results" / "dataset" / "summary.tsv").exists()


def test_unknown_class_policy_ignore_is_counted_in_the_dataset_summary(mixed_folder):
    voc = mixed_folder / "export" / "street0.xml"
    voc.write_text(voc.read_text().replace("<name>sky</name>", "<name>Clouds </name>"))
    config = _config(mixed_folder, labels={"unknown": "ignore"})
    snakemake(mixed_folder, "--cores", "2", "results/dataset/summary.tsv", "--configfile", config)
    images = pd.read_csv(mixed_folder / "results" / "dataset" / "images.tsv", sep="\t").set_index("sample")
    assert images.loc["street0", "unknown"] >= 1 and images.loc["street0", "unknown_names"] == "Clouds"
