"""The workflow on Supervisely JSON, up to the masks and the problem table: a folder that holds
flat ``<image>.json`` files and Supervisely's ann/ + img/ layout, and a sample sheet."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from streetseg.demo.scenes import generate_scene
from streetseg.labels.annotations import write_voc_xml
from streetseg.labels.masks import make_mask
from tests.helpers import mask_settings
from tests.helpers.snakefile import folder_config, snakemake
from tests.helpers.writers_supervisely import write_supervisely_json

pytestmark = pytest.mark.workflow
WIDTH, HEIGHT = 64, 48


@pytest.fixture
def export(tmp_path, classes):
    """tmp_path/export: street0 flat, street1 and street2 in ann/ + img/, street2 broken;
    tmp_path/reference: each good sample's mask from a VOC file of the same scene."""
    data, reference = tmp_path / "export", tmp_path / "reference"
    for folder in (data / "ann", data / "img", reference):
        folder.mkdir(parents=True)
    places = {"street0": (data, data), "street1": (data / "ann", data / "img")}
    places["street2"] = places["street1"]
    for index, (sample, (ann, img)) in enumerate(places.items()):
        rgb, objects = generate_scene(seed=9, index=index, width=WIDTH, height=HEIGHT)
        Image.fromarray(rgb).save(img / f"{sample}.png")
        write_supervisely_json(ann / f"{sample}.png.json", WIDTH, HEIGHT, objects)
        write_voc_xml(reference / f"{sample}.xml", f"{sample}.png", WIDTH, HEIGHT, objects)
        make_mask(
            reference / f"{sample}.xml",
            img / f"{sample}.png",
            reference / f"{sample}.png",
            mask_settings(classes),
        )
    broken = data / "ann" / "street2.png.json"
    document = json.loads(broken.read_text())
    document["objects"][1]["points"]["interior"] = [[[1, 1], [2, 2]]]
    broken.write_text(json.dumps(document))
    return tmp_path


def _check(workdir):
    problems = pd.read_csv(workdir / "results" / "dataset" / "problems.tsv", sep="\t", dtype=str)
    assert list(problems["sample"]) == ["street2"]
    row = problems.iloc[0]
    assert row["file"].endswith("ann/street2.png.json") and row["object"].startswith("object 2 (")
    assert row["object"].endswith("interior ring 1") and row["problem"].startswith("polygon has 2")
    for sample in ("street0", "street1"):
        produced = np.asarray(Image.open(workdir / "results" / "masks" / f"{sample}.png"))
        expected = np.asarray(Image.open(workdir / "reference" / f"{sample}.png"))
        np.testing.assert_array_equal(produced, expected)


def test_directory_source(export):
    config = folder_config(export)
    snakemake(export, "--cores", "2", "results/dataset/problems.tsv", "--configfile", config)
    _check(export)


def test_sheet_source(export):
    data = export / "export"
    rows = [
        ("street0", "street0.png", "street0.png.json"),
        ("street1", "img/street1.png", "ann/street1.png.json"),
        ("street2", "img/street2.png", "ann/street2.png.json"),
    ]
    sheet = data / "samples.tsv"
    sheet.write_text("sample\timage\tannotation\n" + "".join("\t".join(r) + "\n" for r in rows))
    config = export / "sheet.yaml"
    config.write_text(json.dumps({"data": {"source": "sheet", "sheet": str(sheet)}}))
    snakemake(export, "--cores", "2", "results/dataset/problems.tsv", "--configfile", str(config))
    _check(export)
