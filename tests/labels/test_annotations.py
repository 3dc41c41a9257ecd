"""Reading annotations for a mask job: a multi-image export (CVAT XML, COCO JSON) is parsed once
per job and read per image, and an image the job did not announce is still found."""

import pytest

import streetseg.labels.annotations
import streetseg.labels.formats.cvat
from streetseg.labels.annotations import AnnotationError, AnnotationReader


def test_an_export_is_parsed_once_per_job(scenes, scene_job, monkeypatch):
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
    scene_job([str(scenes / "cvat.xml")] * 4, "a")
    scene_job([str(scenes / "coco.json")] * 4, "b")
    assert calls == [str(scenes / "cvat.xml"), str(scenes / "coco.json")]


def test_an_image_the_job_did_not_announce_is_still_found(scenes, classes):
    reader = AnnotationReader([(scenes / "cvat.xml", "s0.png")])
    kind, annotation = reader.read(scenes / "cvat.xml", "s3.png")
    assert kind == "cvat_xml" and annotation.filename == "frames/s3.png"
    with pytest.raises(AnnotationError, match="no <image> entry for image 'nope.png'"):
        reader.read(scenes / "cvat.xml", "nope.png")
