"""The same scene as a Labelbox export (v2 NDJSON, v1 JSON, legacy XY and WKT) gives the VOC
mask byte for byte, and a data folder holding such an export lists the right samples."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from streetseg.data.samples import directory_samples
from streetseg.demo.scenes import generate_scene
from streetseg.labels.annotations import detect_format, write_voc_xml
from streetseg.labels.masks import MaskChunk, make_mask, make_masks
from tests.helpers import mask_settings
from tests.helpers.writers_labelbox import (
    grouped,
    legacy_row,
    ndjson_row,
    quarter,
    v1_row,
    write_labelbox_json,
    write_labelbox_ndjson,
    write_object_masks,
)

WIDTH, HEIGHT = 96, 64
OTHER = ("other.png", 10, 10, [("sky", np.array([[0, 0], [10, 0], [10, 10]]))])


@pytest.fixture
def scene(tmp_path):
    rgb, objects = generate_scene(seed=5, index=2, width=WIDTH, height=HEIGHT)
    image = tmp_path / "street.png"
    Image.fromarray(rgb).save(image)
    return image, objects


def _mask(annotation, image, classes, out) -> bytes:
    make_mask(annotation, image, out, mask_settings(classes))
    return out.read_bytes()


def _reference(tmp_path, image, objects, classes) -> bytes:
    write_voc_xml(tmp_path / "ref.xml", image.name, WIDTH, HEIGHT, objects)
    return _mask(tmp_path / "ref.xml", image, classes, tmp_path / "ref.png")


def test_ndjson_polygons_and_composite_masks_give_the_voc_mask(scene, classes, tmp_path):
    image, objects = scene
    reference = _reference(tmp_path, image, objects, classes)
    masks = {1: "composite1.png", 3: "composite1.png"}  # Two objects share one composite.
    street = (image.name, WIDTH, HEIGHT, objects)
    write_labelbox_ndjson(tmp_path / "export.ndjson", [OTHER, street], masks)
    write_object_masks(tmp_path / "masks", street, masks)
    assert detect_format(tmp_path / "export.ndjson") == "labelbox_ndjson"
    assert _mask(tmp_path / "export.ndjson", image, classes, tmp_path / "n.png") == reference


def test_v1_json_polygons_and_instance_masks_give_the_voc_mask(scene, classes, tmp_path):
    image, objects = scene
    reference = _reference(tmp_path, image, objects, classes)
    masks = {0: "feat0.png"}
    street = (image.name, WIDTH, HEIGHT, objects)
    rows = [v1_row(*OTHER), v1_row(*street, masks=masks)]
    write_labelbox_json(tmp_path / "export.json", rows)
    write_object_masks(tmp_path, street, masks, composite=False)  # Beside the export.
    assert detect_format(tmp_path / "export.json") == "labelbox_json"
    assert _mask(tmp_path / "export.json", image, classes, tmp_path / "j.png") == reference


@pytest.mark.parametrize("wkt", [False, True], ids=["xy", "wkt"])
def test_legacy_exports_measure_y_from_the_bottom(scene, classes, tmp_path, wkt):
    image, objects = scene
    objects = grouped(quarter(objects))
    reference = _reference(tmp_path, image, objects, classes)
    rows = [legacy_row(image.name, WIDTH, HEIGHT, objects, wkt)]
    write_labelbox_json(tmp_path / "legacy.json", rows)
    assert _mask(tmp_path / "legacy.json", image, classes, tmp_path / "l.png") == reference


def test_a_top_origin_legacy_export_is_read_with_the_switch(scene, classes, tmp_path):
    # A later legacy export measuring y from the top: written as the bottom-origin writer
    # would for a flipped scene, so that only the switch gives the VOC mask back.
    image, objects = scene
    objects = grouped(quarter(objects))
    reference = _reference(tmp_path, image, objects, classes)
    flipped = [(name, np.column_stack([v[:, 0], HEIGHT - v[:, 1]])) for name, v in objects]
    write_labelbox_json(tmp_path / "top.json", [legacy_row(image.name, WIDTH, HEIGHT, flipped)])
    path = tmp_path / "top.json"
    assert _mask(path, image, classes, tmp_path / "b.png") != reference
    make_mask(path, image, tmp_path / "t.png", mask_settings(classes, labelbox_legacy_origin="top"))
    assert (tmp_path / "t.png").read_bytes() == reference


def test_one_job_reads_several_images_of_one_export(scene, classes, tmp_path):
    image, objects = scene
    second = tmp_path / "second.png"
    Image.fromarray(np.zeros((HEIGHT, WIDTH, 3), np.uint8)).save(second)
    rows = [
        ndjson_row(image.name, WIDTH, HEIGHT, objects),
        ndjson_row("second.png", WIDTH, HEIGHT, objects[:1]),
    ]
    export = tmp_path / "export.ndjson"
    export.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "out"
    out.mkdir()
    images, masks = [str(image), str(second)], [str(out / "street.png"), str(out / "second.png")]
    stats, problems = make_masks(
        MaskChunk(["street", "second"], [str(export)] * 2, images, masks, out / "stats.tsv"),
        mask_settings(classes),
        log=lambda line: None,
    )
    assert problems == [] and list(stats["objects"]) == [len(objects), 1]


def test_directory_listing_finds_the_images_of_each_export(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a", "b", "c", "d", "e"):
        Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(data / f"{name}.png")
    triangle = [("road", np.array([[0, 0], [4, 0], [4, 4]]))]
    unlabelled = ndjson_row("c.png", 4, 4, triangle)
    unlabelled["projects"] = {}
    rows = [
        ndjson_row("a.png", 4, 4, triangle),
        ndjson_row("b.png", 4, 4, triangle, external_id=False),  # Named by row_data.
        unlabelled,
    ]
    (data / "export.ndjson").write_text("".join(json.dumps(r) + "\n" for r in rows))
    skipped = {"Label": "Skip", "External ID": "e.png"}
    write_labelbox_json(data / "old.json", [v1_row("d.png", 4, 4, triangle), skipped])
    problems: list = []
    table = directory_samples(str(data), problems)
    assert problems == []
    assert list(table.index) == ["a", "b", "d"]
    assert table.loc["b", "annotation"] == str(data / "export.ndjson")
    assert table.loc["d", "image"] == str(data / "d.png")


@pytest.mark.parametrize("fmt", ["ndjson", "json"])
def test_listing_and_companions_read_an_export_once(tmp_path, monkeypatch, fmt):
    from streetseg.labels.formats import labelbox_common, labelbox_json, labelbox_ndjson
    from streetseg.labels.formats.registry import companion_files

    data = tmp_path / "data"
    data.mkdir()
    triangle = [("road", np.array([[0, 0], [4, 0], [4, 4]]))]
    scenes = [(f"{name}.png", 4, 4, triangle) for name in ("a", "b")]
    for name, *_ in scenes:
        Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(data / name)
    masks = {0: "m0.png"}
    write_object_masks(data / "masks", scenes[0], masks)
    if fmt == "ndjson":
        export, index_class = data / "export.ndjson", labelbox_ndjson.LabelboxNdjsonIndex
        rows = [ndjson_row(*scenes[0], masks=masks), ndjson_row(*scenes[1])]
        export.write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        export, index_class = data / "export.json", labelbox_json.LabelboxJsonIndex
        write_labelbox_json(export, [v1_row(*scenes[0], masks=masks), v1_row(*scenes[1])])
    built = []
    original = index_class.__init__
    monkeypatch.setattr(
        index_class, "__init__", lambda self, *a, **k: built.append(1) or original(self, *a, **k)
    )
    monkeypatch.setattr(labelbox_common, "_SCANS", {})
    table = directory_samples(str(data), [])
    declared = companion_files((export, name) for name, *_ in scenes)
    assert list(table.index) == ["a", "b"] and declared == [str(data / "masks" / "m0.png")]
    assert len(built) == 1  # one read for the listing and the companions
    export.write_text(export.read_text() + ("\n" if fmt == "ndjson" else " "))
    companion_files((export, name) for name, *_ in scenes)
    assert len(built) == 2  # the file changed: read again
