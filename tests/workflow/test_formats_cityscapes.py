"""The workflow on Cityscapes ``*_gtFine_polygons.json``, up to the masks and the problem
table, for a directory source and a sample sheet."""

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
from tests.helpers.writers_cityscapes import write_cityscapes_json

pytestmark = pytest.mark.workflow
WIDTH, HEIGHT = 64, 48
FRAMES = ["aachen_000000_000019", "aachen_000001_000019", "bonn_000000_000019"]


@pytest.fixture
def export(tmp_path, classes):
    """tmp_path/export: three frames, the last with an unknown label; tmp_path/reference: the
    good frames' masks from VOC files of the same scenes."""
    data, reference = tmp_path / "export", tmp_path / "reference"
    data.mkdir()
    reference.mkdir()
    for index, frame in enumerate(FRAMES):
        rgb, objects = generate_scene(seed=9, index=index, width=WIDTH, height=HEIGHT)
        image = data / f"{frame}_leftImg8bit.png"
        Image.fromarray(rgb).save(image)
        if index == 2:
            objects[0] = ("truck", objects[0][1])
        write_cityscapes_json(data / f"{frame}_gtFine_polygons.json", WIDTH, HEIGHT, objects)
        write_voc_xml(reference / f"{frame}.xml", image.name, WIDTH, HEIGHT, objects)
        if index < 2:
            make_mask(
                reference / f"{frame}.xml",
                image,
                reference / f"{frame}.png",
                mask_settings(classes),
            )
    return tmp_path


def _check(workdir):
    problems = pd.read_csv(workdir / "results" / "dataset" / "problems.tsv", sep="\t", dtype=str)
    assert list(problems["sample"]) == [FRAMES[2]]
    assert problems["object"].iloc[0] == "object 1 ('truck')"
    assert problems["problem"].iloc[0].startswith("unknown class 'truck'")
    for frame in FRAMES[:2]:
        produced = np.asarray(Image.open(workdir / "results" / "masks" / f"{frame}.png"))
        expected = np.asarray(Image.open(workdir / "reference" / f"{frame}.png"))
        np.testing.assert_array_equal(produced, expected)


def test_directory_source(export):
    config = folder_config(export)
    snakemake(export, "--cores", "2", "results/dataset/problems.tsv", "--configfile", config)
    _check(export)


def test_sheet_source(export):
    sheet = export / "export" / "samples.tsv"
    sheet.write_text(
        "sample\timage\tannotation\n"
        + "".join(
            f"{frame}\t{frame}_leftImg8bit.png\t{frame}_gtFine_polygons.json\n" for frame in FRAMES
        )
    )
    config = export / "sheet.yaml"
    config.write_text(json.dumps({"data": {"source": "sheet", "sheet": str(sheet)}}))
    snakemake(export, "--cores", "2", "results/dataset/problems.tsv", "--configfile", str(config))
    _check(export)
