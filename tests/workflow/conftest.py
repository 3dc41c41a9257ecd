"""Fixtures shared by the workflow tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetseg.demo.scenes import DEFAULT_CLASS_NAMES
from tests.helpers.format_writers import (
    write_coco_json,
    write_cvat_xml,
    write_labelme_json,
    write_labelme_xml,
    write_scene_photo,
    write_voc_xml,
)
from tests.helpers.snakefile import snakemake

WIDTH, HEIGHT = 64, 48


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory) -> Path:
    """One complete tiny run, shared by the checks below."""
    workdir = tmp_path_factory.mktemp("run")
    snakemake(workdir, "--cores", "2")
    return workdir


@pytest.fixture
def mixed_folder(tmp_path):
    """Eight photos annotated in five formats, side by side in one folder (tmp_path/export)."""
    data = tmp_path / "export"
    data.mkdir()
    scenes = [write_scene_photo(data, f"street{i}", 9, i, WIDTH, HEIGHT) for i in range(8)]
    write_voc_xml(data / "street0.xml", *scenes[0])
    write_voc_xml(data / "street1.xml", *scenes[1])
    write_labelme_xml(data / "street2.xml", *scenes[2])
    write_labelme_json(data / "street3.json", *scenes[3])
    write_cvat_xml(data / "cvat_export.xml", scenes[4:6])
    write_coco_json(data / "coco_export.json", scenes[6:8], DEFAULT_CLASS_NAMES)
    return tmp_path
