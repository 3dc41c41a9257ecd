"""Multi-image exports (CVAT XML, COCO JSON) in a mask job: parsed once, read per image, and
shapes without area counted."""

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import streetseg.labels.annotations
import streetseg.labels.formats.cvat
from streetseg.demo.scenes import generate_scene
from streetseg.labels.annotations import AnnotationError, AnnotationReader
from streetseg.labels.formats.cvat import cvat_image_names
from streetseg.labels.masks import build_mask, make_masks
from tests.helpers.format_writers import write_coco_json, write_cvat_xml, write_voc_xml

WIDTH, HEIGHT = 48, 32


@pytest.fixture
def scenes(tmp_path, classes):
    """Four demo scenes as images and VOC files, and one CVAT and one COCO file of all of
    them plus an image no job asks for."""
    entries = [("unused.png", 10, 10, [("sky", np.array([[0, 0], [10, 0], [10, 10]]))])]
    for index in range(4):
        rgb, objects = generate_scene(seed=3, index=index, width=WIDTH, height=HEIGHT)
        Image.fromarray(rgb).save(tmp_path / f"s{index}.png")
        write_voc_xml(tmp_path / f"s{index}.xml", f"s{index}.png", WIDTH, HEIGHT, objects)
        entries.append((f"frames/s{index}.png", WIDTH, HEIGHT, objects))
    write_cvat_xml(tmp_path / "cvat.xml", entries)
    write_coco_json(tmp_path / "coco.json", entries, [entry["name"] for entry in classes])
    return tmp_path


def _job(folder, classes, annotations, out, log=lambda line: None):
    ids = [f"s{index}" for index in range(4)]
    return make_masks(
        ids,
        annotations,
        [str(folder / f"{i}.png") for i in ids],
        [str(folder / out / f"{i}.png") for i in ids],
        folder / out / "stats.tsv",
        classes,
        log=log,
    )[0]


def test_one_export_gives_the_masks_of_per_image_files(scenes, classes):
    reference = _job(scenes, classes, [str(scenes / f"s{i}.xml") for i in range(4)], "voc")
    for export in ("cvat.xml", "coco.json"):
        stats = _job(scenes, classes, [str(scenes / export)] * 4, f"out-{export}")
        for index in range(4):
            produced = (scenes / f"out-{export}" / f"s{index}.png").read_bytes()
            assert produced == (scenes / "voc" / f"s{index}.png").read_bytes(), (export, index)
        pixels = [column for column in stats if column.startswith("pixels_")]
        assert stats[pixels].equals(reference[pixels])


def test_an_export_is_parsed_once_per_job(scenes, classes, monkeypatch):
    calls = []

    def counting(original):
        return lambda path, *args, **kwargs: (
            calls.append(str(path)) or original(path, *args, **kwargs)
        )

    monkeypatch.setattr(
        streetseg.labels.formats.cvat,
        "iter_xml_children",
        counting(streetseg.labels.formats.cvat.iter_xml_children),
    )
    monkeypatch.setattr(
        streetseg.labels.annotations, "read_json", counting(streetseg.labels.annotations.read_json)
    )
    _job(scenes, classes, [str(scenes / "cvat.xml")] * 4, "a")
    _job(scenes, classes, [str(scenes / "coco.json")] * 4, "b")
    assert calls == [str(scenes / "cvat.xml"), str(scenes / "coco.json")]


def test_an_image_the_job_did_not_announce_is_still_found(scenes, classes):
    reader = AnnotationReader([(scenes / "cvat.xml", "s0.png")])
    kind, annotation = reader.read(scenes / "cvat.xml", "s3.png")
    assert kind == "cvat_xml" and annotation.filename == "frames/s3.png"
    with pytest.raises(AnnotationError, match="no <image> entry for image 'nope.png'"):
        reader.read(scenes / "cvat.xml", "nope.png")


def test_listing_streams_names_in_order_and_refuses_a_dtd(scenes):
    assert cvat_image_names(scenes / "cvat.xml") == ["unused.png"] + [
        f"frames/s{i}.png" for i in range(4)
    ]
    text = (scenes / "cvat.xml").read_text()
    hostile = text.replace(
        "<annotations>", '<!DOCTYPE annotations [<!ENTITY x "y">]><annotations>', 1
    )
    (scenes / "hostile.xml").write_text(hostile)
    with pytest.raises(AnnotationError, match="a DTD or entity declaration is not allowed"):
        cvat_image_names(scenes / "hostile.xml")


CVAT_WITH_LINES = """<annotations><version>1.1</version>
<image id="0" name="a.png" width="4" height="4">
  <polygon label="road" points="0,0;4,0;4,4;0,4" z_order="0"/>
  <polyline label="road" points="0,0;4,4" z_order="0"/>
  <points label="sky" points="1,1" z_order="0"/>
  <polyline label="sky" points="0,4;4,0" z_order="0"/>
  <tag label="daytime"/>
</image></annotations>"""


def test_shapes_without_area_are_counted_and_logged(tmp_path, classes):
    Image.new("RGB", (4, 4)).save(tmp_path / "a.png")
    (tmp_path / "a.xml").write_text(CVAT_WITH_LINES)
    labelme = {
        "imagePath": "a.png",
        "imageWidth": 4,
        "imageHeight": 4,
        "shapes": [
            {"label": "road", "points": [[0, 0], [4, 0], [4, 4]], "shape_type": "polygon"},
            {"label": "road", "points": [[0, 0], [4, 4]], "shape_type": "line"},
        ],
    }
    (tmp_path / "b.json").write_text(json.dumps(labelme))
    # Two polylines and one points shape; the <tag> labels the whole image and is no shape.
    mask, stats = build_mask(tmp_path / "a.xml", tmp_path / "a.png", classes)
    assert (stats["skipped"], stats["skipped_kinds"]) == (3, {"polyline": 2, "points": 1})
    assert stats["objects"] == 1 and (mask == 3).all()
    said = []
    table = make_masks(
        ["a", "b"],
        [str(tmp_path / "a.xml"), str(tmp_path / "b.json")],
        [str(tmp_path / "a.png")] * 2,
        [str(tmp_path / "out" / "a.png"), str(tmp_path / "out" / "b.png")],
        tmp_path / "out" / "s.tsv",
        classes,
        log=said.append,
    )[0]
    assert (
        f"WARNING: {tmp_path / 'a.xml'} (a.png): skipped 3 shapes without area (points 1, polyline 2)"
        in said
    )
    assert f"WARNING: {tmp_path / 'b.json'} (a.png): skipped 1 shapes without area (line 1)" in said
    written = pd.read_csv(tmp_path / "out" / "s.tsv", sep="\t")
    assert list(written["skipped"]) == list(table["skipped"]) == [3, 1]
    assert list(written.columns[7:10]) == ["unknown", "skipped", "unknown_names"]
