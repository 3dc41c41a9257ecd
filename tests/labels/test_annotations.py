"""Reading annotations for a mask job: a multi-image export (every multi-image format of the
registry) is parsed once per job and read per image, and an image the job did not announce is
still found."""

import numpy as np
import pytest

import streetseg.labels.annotations
import streetseg.labels.formats.azureml
import streetseg.labels.formats.cvat
import streetseg.labels.formats.labelbox_json
import streetseg.labels.formats.labelbox_ndjson
import streetseg.labels.formats.labelstudio
from streetseg.labels.annotations import AnnotationError, AnnotationReader
from streetseg.labels.formats.voc import parse_voc_xml
from tests.helpers.writers_azureml import write_azureml_jsonl
from tests.helpers.writers_labelbox import v1_row, write_labelbox_json, write_labelbox_ndjson
from tests.helpers.writers_labelstudio import inside, write_label_studio_json

# The JSON exports, parsed whole (format -> file name, writer of the scenes).
JSON_EXPORTS = {
    "labelbox_json": (
        "labelbox.json",
        lambda path, scenes: write_labelbox_json(path, [v1_row(*scene) for scene in scenes]),
    ),
    "label_studio_json": ("label_studio.json", write_label_studio_json),
}
# The JSON Lines exports, read line by line.
LINE_EXPORTS = {
    "labelbox_ndjson": ("labelbox.ndjson", write_labelbox_ndjson),
    "azureml_jsonl": ("azureml.jsonl", write_azureml_jsonl),
}


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
        streetseg.labels.formats.registry,
        "read_json",
        counting(streetseg.labels.formats.registry.read_json),
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


def _export(scenes, name, writer):
    """The four scenes of the ``scenes`` fixture, and an image no job asks for, in one file."""
    entries = [("unused.png", 10, 10, [("sky", np.array([[0, 0], [10, 0], [10, 10]]))])]
    for index in range(4):
        annotation = parse_voc_xml(scenes / f"s{index}.xml")
        objects = [(obj.name, obj.vertices) for obj in annotation.objects]
        size = (annotation.width, annotation.height)
        entries.append((f"s{index}.png", *size, inside(objects, *size)))
    writer(scenes / name, entries)
    return str(scenes / name)


@pytest.mark.parametrize("fmt", JSON_EXPORTS)
def test_a_json_export_is_parsed_once_per_job(scenes, scene_job, monkeypatch, fmt):
    path, calls = _export(scenes, *JSON_EXPORTS[fmt]), []
    for module in (
        streetseg.labels.formats.registry,
        streetseg.labels.formats.labelbox_json,
        streetseg.labels.formats.labelstudio,
    ):
        original = module.read_json
        monkeypatch.setattr(
            module, "read_json", lambda p, *a, _o=original: calls.append(str(p)) or _o(p, *a)
        )
    assert len(scene_job([path] * 4, fmt)) == 4
    assert calls == [path]


@pytest.mark.parametrize("fmt", LINE_EXPORTS)
def test_a_json_lines_export_is_read_once_per_job(scenes, scene_job, monkeypatch, fmt):
    path, lines = _export(scenes, *LINE_EXPORTS[fmt]), []

    def counting(original):
        def read(p, *args):
            for number, item in original(p, *args):
                lines.append(number)
                yield number, item

        return read

    for module in (
        streetseg.labels.formats.registry,
        streetseg.labels.formats.labelbox_ndjson,
        streetseg.labels.formats.azureml,
    ):
        monkeypatch.setattr(module, "read_json_lines", counting(module.read_json_lines))
    assert len(scene_job([path] * 4, fmt)) == 4
    # Line 1 once to tell the format, then the five lines once to index them.
    assert lines == [1, 1, 2, 3, 4, 5]
