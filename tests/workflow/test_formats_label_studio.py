"""A Label Studio export runs through the workflow up to the masks, from a data folder and from
a sample sheet; a broken task becomes a problem row and the other masks are still written."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from PIL import Image

from streetseg.demo.scenes import generate_scene
from tests.helpers.snakefile import folder_config, snakemake
from tests.helpers.writers_labelstudio import inside, write_label_studio_json

pytestmark = pytest.mark.workflow
WIDTH, HEIGHT = 64, 48


@pytest.fixture
def export(tmp_path):
    """Three photos and one Label Studio export (tmp_path/export); the third task is broken."""
    data = tmp_path / "export"
    data.mkdir()
    scenes = []
    for index in range(3):
        rgb, objects = generate_scene(seed=4, index=index, width=WIDTH, height=HEIGHT)
        Image.fromarray(rgb).save(data / f"street{index}.png")
        scenes.append((f"street{index}.png", WIDTH, HEIGHT, inside(objects, WIDTH, HEIGHT)))
    write_label_studio_json(data / "project-1-at-2024.json", scenes)
    document = json.loads((data / "project-1-at-2024.json").read_text())
    document[2]["annotations"][0]["result"][0]["value"]["points"][1] = [250, 10]
    (data / "project-1-at-2024.json").write_text(json.dumps(document))
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
    assert "x of point 2 is 250.0%, outside 0..100" in problems["problem"].iloc[0]
    assert "task 3 annotation 103" in problems["problem"].iloc[0] + problems["object"].iloc[0]


def test_label_studio_from_a_data_folder(export):
    process, problems = _run(export, folder_config(export))
    assert "Traceback" not in process.stderr
    _check(export, problems)


def test_label_studio_from_a_sample_sheet(export):
    sheet = export / "samples.tsv"
    rows = [f"street{i}\texport/street{i}.png\texport/project-1-at-2024.json" for i in range(3)]
    sheet.write_text("sample\timage\tannotation\n" + "\n".join(rows) + "\n")
    config = folder_config(export, data={"source": "sheet", "sheet": str(sheet)})
    process, problems = _run(export, config)
    assert "Traceback" not in process.stderr
    _check(export, problems)
