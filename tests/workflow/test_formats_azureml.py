"""An Azure ML JSONL export runs through the workflow up to the masks, from a data folder and from
a sample sheet; a broken line becomes a problem row and the other masks are still written."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from PIL import Image

from streetseg.demo.scenes import generate_scene
from tests.helpers.snakefile import folder_config, snakemake
from tests.helpers.writers_azureml import write_azureml_jsonl
from tests.helpers.writers_labelstudio import inside

pytestmark = pytest.mark.workflow
WIDTH, HEIGHT = 64, 48


@pytest.fixture
def export(tmp_path):
    """Three photos and one Azure ML export (tmp_path/export); the third line is broken."""
    data = tmp_path / "export"
    data.mkdir()
    scenes = []
    for index in range(3):
        rgb, objects = generate_scene(seed=4, index=index, width=WIDTH, height=HEIGHT)
        Image.fromarray(rgb).save(data / f"street{index}.png")
        scenes.append((f"street{index}.png", WIDTH, HEIGHT, inside(objects, WIDTH, HEIGHT)))
    write_azureml_jsonl(data / "labeled.jsonl", scenes)
    lines = [json.loads(line) for line in (data / "labeled.jsonl").read_text().splitlines()]
    lines[2]["label"][0]["polygon"][0][2] = 2.5
    (data / "labeled.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return tmp_path


def _run(workdir, config):
    process = snakemake(
        workdir, "--cores", "2", "--keep-going", "results/dataset/problems.tsv",
        "--configfile", config, check=False,
    )  # fmt: skip
    problems = pd.read_csv(
        workdir / "results" / "dataset" / "problems.tsv", sep="\t", dtype=str, keep_default_na=False
    )
    return process, problems


def _check(workdir, problems):
    masks = workdir / "results" / "masks"
    assert (masks / "street0.png").is_file() and (masks / "street1.png").is_file()
    assert list(problems["sample"]) == ["street2"]
    assert "x of point 2 is 2.5, outside 0..1" in problems["problem"].iloc[0]
    assert "line 3 label 1" in problems["problem"].iloc[0] + problems["object"].iloc[0]


def test_azureml_from_a_data_folder(export):
    process, problems = _run(export, folder_config(export))
    assert "Traceback" not in process.stderr
    _check(export, problems)


def test_azureml_from_a_sample_sheet(export):
    sheet = export / "samples.tsv"
    rows = [f"street{i}\texport/street{i}.png\texport/labeled.jsonl" for i in range(3)]
    sheet.write_text("sample\timage\tannotation\n" + "\n".join(rows) + "\n")
    config = folder_config(export, data={"source": "sheet", "sheet": str(sheet)})
    process, problems = _run(export, config)
    assert "Traceback" not in process.stderr
    _check(export, problems)
