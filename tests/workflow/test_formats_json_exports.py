"""Azure ML JSONL and Label Studio JSON exports run through the workflow up to the masks, from
a data folder and from a sample sheet; a broken line or task becomes a problem row and the
other masks are still written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from streetseg.demo.scenes import generate_scene
from tests.helpers.snakefile import folder_config, snakemake
from tests.helpers.writers_azureml import write_azureml_jsonl
from tests.helpers.writers_labelstudio import inside, write_label_studio_json

pytestmark = pytest.mark.workflow
WIDTH, HEIGHT = 64, 48


def _spoil_azureml(path: Path) -> None:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lines[2]["label"][0]["polygon"][0][2] = 2.5
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def _spoil_label_studio(path: Path) -> None:
    document = json.loads(path.read_text())
    document[2]["annotations"][0]["result"][0]["value"]["points"][1] = [250, 10]
    path.write_text(json.dumps(document))


# Format -> (export file name, writer, how the third image's entry is spoiled, the expected
# problem, where it is).
EXPORTS = {
    "azureml": (
        "labeled.jsonl",
        write_azureml_jsonl,
        _spoil_azureml,
        "x of point 2 is 2.5, outside 0..1",
        "line 3 label 1",
    ),
    "label_studio": (
        "project-1-at-2024.json",
        write_label_studio_json,
        _spoil_label_studio,
        "x of point 2 is 250.0%, outside 0..100",
        "task 3 annotation 103",
    ),
}


@pytest.fixture(params=sorted(EXPORTS))
def export(request, tmp_path):
    """Three photos and one export in tmp_path/export whose third image's entry is broken."""
    name, write, spoil, *expected = EXPORTS[request.param]
    data = tmp_path / "export"
    data.mkdir()
    scenes = []
    for index in range(3):
        rgb, objects = generate_scene(seed=4, index=index, width=WIDTH, height=HEIGHT)
        Image.fromarray(rgb).save(data / f"street{index}.png")
        scenes.append((f"street{index}.png", WIDTH, HEIGHT, inside(objects, WIDTH, HEIGHT)))
    write(data / name, scenes)
    spoil(data / name)
    return tmp_path, name, expected


def _run_and_check(workdir, config, expected):
    process = snakemake(
        workdir,
        "--cores",
        "2",
        "--keep-going",
        "results/dataset/problems.tsv",
        "--configfile",
        config,
        check=False,
    )
    assert "Traceback" not in process.stderr
    problems = pd.read_csv(
        workdir / "results" / "dataset" / "problems.tsv", sep="\t", dtype=str, keep_default_na=False
    )
    masks = workdir / "results" / "masks"
    assert (masks / "street0.png").is_file() and (masks / "street1.png").is_file()
    assert list(problems["sample"]) == ["street2"]
    problem, where = expected
    assert problem in problems["problem"].iloc[0]
    assert where in problems["problem"].iloc[0] + problems["object"].iloc[0]


def test_an_export_from_a_data_folder(export):
    workdir, _, expected = export
    _run_and_check(workdir, folder_config(workdir), expected)


def test_an_export_from_a_sample_sheet(export):
    workdir, name, expected = export
    sheet = workdir / "samples.tsv"
    rows = [f"street{i}\texport/street{i}.png\texport/{name}" for i in range(3)]
    sheet.write_text("sample\timage\tannotation\n" + "\n".join(rows) + "\n")
    config = folder_config(workdir, data={"source": "sheet", "sheet": str(sheet)})
    _run_and_check(workdir, config, expected)
