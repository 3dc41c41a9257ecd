"""The workflow on a CVAT "Segmentation mask 1.1" export, up to the masks and the problem
table, for a directory source (the export folder, photos in JPEGImages/) and a sample sheet."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from PIL import Image

from streetseg.demo.scenes import generate_scene
from streetseg.labels.annotations import write_voc_xml
from streetseg.labels.masks import make_mask
from tests.helpers import mask_settings
from tests.helpers.snakefile import folder_config, snakemake
from tests.helpers.writers_cvat_mask import LABELS, positions_of, write_cvat_mask_export

pytestmark = pytest.mark.workflow
WIDTH, HEIGHT = 64, 48
STEMS = ["street0", "street1", "street2"]
TRUCK = ("truck", (9, 9, 9))


@pytest.fixture
def export(tmp_path, classes):
    """tmp_path/export: a CVAT export of three scenes, the last with a truck, which is no
    class; tmp_path/reference: the good scenes' masks from VOC files of the same scenes."""
    data, reference = tmp_path / "export", tmp_path / "reference"
    (data / "JPEGImages").mkdir(parents=True)
    reference.mkdir()
    masks = {}
    for index, stem in enumerate(STEMS):
        rgb, objects = generate_scene(seed=9, index=index, width=WIDTH, height=HEIGHT)
        image = data / "JPEGImages" / f"{stem}.png"
        Image.fromarray(rgb).save(image)
        write_voc_xml(reference / f"{stem}.xml", image.name, WIDTH, HEIGHT, objects)
        ids = make_mask(
            reference / f"{stem}.xml", image, reference / f"{stem}.png", mask_settings(classes)
        )
        masks[stem] = positions_of(ids, classes)
    masks[STEMS[2]][:4, :5] = len(LABELS)  # 20 pixels of truck
    write_cvat_mask_export(data, masks, LABELS + [TRUCK])
    return tmp_path


def _check(workdir):
    problems = pd.read_csv(workdir / "results" / "dataset" / "problems.tsv", sep="\t", dtype=str)
    assert list(problems["sample"]) == [STEMS[2]]
    assert problems["object"].iloc[0] == "label 'truck' (colour 9,9,9, 20 px)"
    assert problems["problem"].iloc[0].startswith("unknown class 'truck'")
    for stem in STEMS[:2]:
        produced = (workdir / "results" / "masks" / f"{stem}.png").read_bytes()
        assert produced == (workdir / "reference" / f"{stem}.png").read_bytes()


def test_directory_source(export):
    config = folder_config(export)
    snakemake(export, "--cores", "2", "results/dataset/problems.tsv", "--configfile", config)
    _check(export)
    # labelmap.txt decides every mask's classes: it is an input of the mask jobs, so an edit
    # to it plans them again (and only a touch of nothing else plans nothing).
    target = ("results/dataset/problems.tsv", "--configfile", config)
    assert "Nothing to be done" in snakemake(export, "-n", *target).stdout
    labelmap = export / "export" / "labelmap.txt"
    labelmap.write_text(labelmap.read_text() + "\n")
    planned = snakemake(export, "-n", *target).stdout
    assert "masks_00000" in planned and "labelmap.txt" in planned


def test_sheet_source(export):
    sheet = export / "export" / "samples.tsv"
    sheet.write_text(
        "sample\timage\tannotation\n"
        + "".join(f"{s}\tJPEGImages/{s}.png\tSegmentationClass/{s}.png\n" for s in STEMS)
    )
    config = export / "sheet.yaml"
    config.write_text(json.dumps({"data": {"source": "sheet", "sheet": str(sheet)}}))
    snakemake(export, "--cores", "2", "results/dataset/problems.tsv", "--configfile", str(config))
    _check(export)
