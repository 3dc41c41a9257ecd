"""Labelbox exports (v2 NDJSON with a composite mask, v1 JSON) through the real workflow, up to
the masks and the problem table, from a data folder and from a sample sheet."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from PIL import Image

from streetseg.demo.scenes import generate_scene
from tests.helpers.snakefile import snakemake
from tests.helpers.writers_labelbox import (
    ndjson_row,
    v1_row,
    write_labelbox_json,
    write_object_masks,
)
from tests.workflow.conftest import HEIGHT, WIDTH

pytestmark = pytest.mark.workflow


def _export(tmp_path):
    """Four photos: three in an NDJSON export (one with a mask file that is missing), one in
    a v1 JSON export; return the data folder."""
    data = tmp_path / "export"
    data.mkdir()
    scenes = []
    for index in range(4):
        rgb, objects = generate_scene(seed=9, index=index, width=WIDTH, height=HEIGHT)
        Image.fromarray(rgb).save(data / f"street{index}.png")
        scenes.append((f"street{index}.png", WIDTH, HEIGHT, objects))
    masks = {0: "comp0.png"}
    rows = [
        ndjson_row(*scenes[0], masks=masks),
        ndjson_row(*scenes[1]),
        ndjson_row(*scenes[2], masks={0: "missing.png"}),
    ]
    write_object_masks(data / "masks", scenes[0], masks)
    (data / "labels.ndjson").write_text("".join(json.dumps(row) + "\n" for row in rows))
    write_labelbox_json(data / "old.json", [v1_row(*scenes[3])])
    return data


def _run(tmp_path, data_config):
    config = tmp_path / "config.yaml"
    config.write_text(
        json.dumps({"data": data_config, "split": {"test_fraction": 0.25, "val_fraction": 0.25}})
    )
    process = snakemake(
        tmp_path,
        "--cores",
        "2",
        "results/dataset/problems.tsv",
        "--configfile",
        str(config),
        check=False,
    )
    problems = pd.read_csv(
        tmp_path / "results" / "dataset" / "problems.tsv",
        sep="\t",
        dtype=str,
        keep_default_na=False,
    )
    return process, problems


def _check(tmp_path, problems):
    assert list(problems["sample"]) == ["street2"]
    url = "https://api.labelbox.com/api/v1/tasks/task1/masks/missing/index/1"
    assert f"mask file for {url!r} not found" in problems["problem"][0]
    masks = tmp_path / "results" / "masks"
    assert all((masks / f"street{index}.png").is_file() for index in (0, 1, 3))


def test_labelbox_exports_from_a_data_folder(tmp_path):
    data = _export(tmp_path)
    process, problems = _run(tmp_path, {"source": "directory", "directory": str(data)})
    assert process.returncode == 0, process.stderr[-3000:]
    _check(tmp_path, problems)


def test_labelbox_exports_from_a_sample_sheet(tmp_path):
    _export(tmp_path)
    sheet = tmp_path / "samples.tsv"
    lines = ["sample\timage\tannotation"] + [
        f"street{i}\texport/street{i}.png\texport/{'old.json' if i == 3 else 'labels.ndjson'}"
        for i in range(4)
    ]
    sheet.write_text("\n".join(lines) + "\n")
    process, problems = _run(tmp_path, {"source": "sheet", "sheet": str(sheet)})
    assert process.returncode == 0, process.stderr[-3000:]
    _check(tmp_path, problems)


def test_adding_the_missing_mask_or_editing_one_reruns_the_masks(tmp_path):
    # The mask PNGs beside an export are inputs of the slice job that reads them (the export's
    # rows become one slice per mask chunk): adding the file a problem asked for, or editing
    # one, reruns it and the mask job of its chunk (not "Nothing to be done").
    data = _export(tmp_path)
    process, _ = _run(tmp_path, {"source": "directory", "directory": str(data)})
    assert process.returncode == 0, process.stderr[-3000:]
    config = str(tmp_path / "config.yaml")
    target = "results/dataset/problems.tsv"
    dry = snakemake(tmp_path, "-n", target, "--configfile", config)
    assert "Nothing to be done" in dry.stdout + dry.stderr
    (data / "masks" / "missing.png").write_bytes((data / "masks" / "comp0.png").read_bytes())
    dry = snakemake(tmp_path, "-n", target, "--configfile", config)
    assert "checkpoint slices_" in dry.stdout and "masks/missing.png" in dry.stdout
    assert "rule masks_00000:" in dry.stdout
    process, problems = _run(tmp_path, {"source": "directory", "directory": str(data)})
    assert process.returncode == 0 and problems.empty
    (data / "masks" / "comp0.png").touch()
    dry = snakemake(tmp_path, "-n", target, "--configfile", config)
    assert "Updated input files: " in dry.stdout and "comp0.png" in dry.stdout
