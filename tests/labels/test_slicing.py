"""Slices of multi-image exports (streetseg.labels.slicing, streetseg.labels.slices): a mask
made from a slice is the mask the export gives, byte for byte, and an error still names the
export."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pytest

from streetseg.labels.formats.base import AnnotatedObject, Annotation, AnnotationError
from streetseg.labels.masks import MaskChunk, make_masks
from streetseg.labels.slices import SliceIndex, entry, slice_bytes
from streetseg.labels.slicing import (
    batches,
    by_chunk,
    find_exports,
    member_rows,
    read_members,
    slice_export,
    write_members,
)
from tests.helpers import mask_settings
from tests.helpers.format_writers import write_cvat_xml
from tests.labels.test_cross_format import HEIGHT, OTHER, WIDTH, WRITERS, plain_scene  # noqa: F401

MULTI_IMAGE = ["cvat_xml", "coco_json", "labelbox_ndjson", "labelbox_json/v1"]
MULTI_IMAGE += ["label_studio_json", "azureml_jsonl"]


def sliced(tmp_path, export, members: dict, fmt="auto", **options):
    """Slice ``export`` into tmp_path/slices; return chunk -> (slice path, digest)."""
    slices = {chunk: str(tmp_path / "slices" / f"{chunk}.slice.json") for chunk in members}
    digests = {chunk: str(tmp_path / "slices" / f"{chunk}.sha256") for chunk in members}
    found = slice_export(
        export, members, slices, digests, fmt, progress=lambda line: None, **options
    )
    return {chunk: (slices[chunk], found[chunk]) for chunk in members}


def masks_of(tmp_path, annotations, images, classes, name="out"):
    """make_masks over one chunk; the mask bytes and the problems."""
    out = [tmp_path / name / f"{i}.png" for i in range(len(images))]
    chunk = MaskChunk(
        [f"s{i}" for i in range(len(images))],
        [str(a) for a in annotations],
        [str(i) for i in images],
        [str(o) for o in out],
        tmp_path / name / "stats.tsv",
    )
    _, problems = make_masks(chunk, mask_settings(classes), log=lambda line: None)
    return [o.read_bytes() for o in out], problems


@pytest.mark.parametrize("kind", MULTI_IMAGE)
def test_a_mask_from_a_slice_is_the_mask_from_the_export(plain_scene, classes, tmp_path, kind):  # noqa: F811
    image, objects, _, reference = plain_scene
    name, write = WRITERS[kind]
    export = tmp_path / name
    write(export, (image.name, WIDTH, HEIGHT, objects))
    # Two chunks read in two batches: a COCO document is loaded once, a CVAT file streamed twice.
    members = {"00000": [OTHER[0]], "00001": [image.name]}
    slice_path = sliced(tmp_path, export, members, batch_images=1)["00001"][0]
    export.unlink()  # The mask job never opens the export.
    produced, problems = masks_of(tmp_path, [slice_path], [image], classes)
    assert problems == [] and produced == [reference]


def test_an_annotation_goes_through_a_slice_unchanged(tmp_path):
    bitmap = np.zeros((5, 7), dtype=bool)
    bitmap[1:3, 2:6] = True
    annotation = Annotation(
        "export.json",
        "a.png",
        7,
        5,
        objects=[
            AnnotatedObject(
                "road",
                "image 'a.png': polygon 1",
                vertices=np.array([[0.1, 0.2], [3.3333333333333335, 1e-17], [6.5, 4.75]]),
                holes=[np.array([[1.0, 1.0], [2.0, 1.0], [1.5, 2.0]])],
            ),
            AnnotatedObject("car", "image 'a.png': mask 2", bitmap=bitmap),
        ],
        skipped={"polyline": 2, "points": 1},
        y_from_bottom=True,
    )
    path = tmp_path / "x.slice.json"
    path.write_bytes(slice_bytes("export.json", "coco_json", {"a.png": entry(annotation)}))
    kind, back = SliceIndex(path).read("a.png")
    assert kind == "coco_json"
    for field in dataclasses.fields(Annotation):
        if field.name != "objects":
            assert getattr(back, field.name) == getattr(annotation, field.name), field.name
    for got, want in zip(back.objects, annotation.objects, strict=True):
        for field in dataclasses.fields(AnnotatedObject):
            a, b = getattr(got, field.name), getattr(want, field.name)
            if field.name == "holes":
                assert all(np.array_equal(x, y) and x.dtype == y.dtype for x, y in zip(a, b))
            elif isinstance(b, np.ndarray):
                assert np.array_equal(a, b) and a.dtype == b.dtype, field.name
            else:
                assert a == b, field.name


def test_an_edit_changes_the_digest_of_its_chunk_only(plain_scene, tmp_path):  # noqa: F811
    image, objects, _, _ = plain_scene
    export = tmp_path / "cvat.xml"
    members = {"00000": ["other.png"], "00001": [image.name]}
    write_cvat_xml(export, [OTHER, (image.name, WIDTH, HEIGHT, objects)])
    first = sliced(tmp_path, export, members)
    again = sliced(tmp_path / "again", export, members, batch_images=1)  # a batch a chunk
    assert {c: Path(p).read_bytes() for c, (p, _) in first.items()} == {
        c: Path(p).read_bytes() for c, (p, _) in again.items()
    }
    assert first["00000"][1] == hashlib.sha256(Path(first["00000"][0]).read_bytes()).hexdigest()
    edited = [(("road" if i == 0 else name), v) for i, (name, v) in enumerate(objects)]
    write_cvat_xml(export, [OTHER, (image.name, WIDTH, HEIGHT, edited)])
    second = sliced(tmp_path / "second", export, members)
    assert second["00000"][1] == first["00000"][1]
    assert second["00001"][1] != first["00001"][1]


def test_a_broken_export_is_each_samples_problem_naming_the_export(plain_scene, classes, tmp_path):  # noqa: F811
    image, objects, _, _ = plain_scene
    export = tmp_path / "cvat.xml"
    write_cvat_xml(export, [OTHER, (image.name, WIDTH, HEIGHT, objects)])
    export.write_bytes(export.read_bytes()[:-40])  # truncated
    ((slice_path, _),) = sliced(tmp_path, export, {"00000": [image.name, "missing.png"]}).values()
    _, problems = masks_of(tmp_path, [slice_path, slice_path], [image, image], classes)
    assert [p.file for p in problems] == [str(export)] * 2
    assert all("slice" not in p.problem for p in problems)


def test_an_image_missing_from_the_export_is_its_own_problem(plain_scene, classes, tmp_path):  # noqa: F811
    image, objects, _, reference = plain_scene
    export = tmp_path / "cvat.xml"
    write_cvat_xml(export, [(image.name, WIDTH, HEIGHT, objects)])
    ((slice_path, _),) = sliced(tmp_path, export, {"00000": ["nowhere.png", image.name]}).values()
    index = SliceIndex(slice_path)
    with pytest.raises(AnnotationError) as raised:
        index.read("nowhere.png")
    assert raised.value.file == str(export) and "nowhere.png" in raised.value.problem
    produced, problems = masks_of(tmp_path, [slice_path], [image], classes)
    assert problems == [] and produced == [reference]


def test_exports_are_files_that_several_samples_name(tmp_path):
    files = {
        "a": {"image": "d/a.png", "annotation": "d/cvat.xml"},
        "b": {"image": "d/b.png", "annotation": "d/cvat.xml"},
        "c": {"image": "d/c.png", "annotation": "d/c.xml"},  # per-image file
        "d": {"image": "d/d.png", "annotation": "d/labels.png"},  # a shared label image
        "e": {"image": "d/e.png", "annotation": "d/labels.png"},
    }
    chunks = {"00000": ["a", "c"], "00001": ["b", "d", "e"]}
    exports = find_exports(files, chunks)
    (export,) = exports.values()
    assert export.path == "d/cvat.xml" and export.chunks == {"00000": ["a"], "00001": ["b"]}
    assert export.id.startswith("cvat_") and export.id.replace("_", "").isalnum()
    rows = member_rows(exports, files)
    write_members(rows, tmp_path / "members.tsv")
    assert read_members(tmp_path / "members.tsv", "d/cvat.xml") == {
        "00000": ["a.png"],
        "00001": ["b.png"],
    }
    assert read_members(tmp_path / "members.tsv", "d/other.xml") == {}


def test_batches_hold_whole_chunks_of_at_most_the_batch_size():
    members = {"00000": ["a", "b"], "00001": ["c"], "00002": ["d", "e", "f"], "00003": ["g"]}
    assert batches(members, 3) == [["00000", "00001"], ["00002"], ["00003"]]
    assert batches(members, 2) == [["00000"], ["00001"], ["00002"], ["00003"]]
    assert batches(members, 100) == [list(members)]


def test_slice_files_are_named_after_their_chunk():
    paths = ["results/slices/x_1/00000.slice.json", "results/slices/x_1/00012.slice.json"]
    assert by_chunk(paths) == {"00000": paths[0], "00012": paths[1]}
    assert by_chunk(["a/00003.sha256"]) == {"00003": "a/00003.sha256"}
