"""Broken Labelbox exports: each gives a clear message naming the file and the object."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from streetseg.labels.annotations import AnnotationError, AnnotationReader, image_names
from tests.helpers.writers_labelbox import legacy_row, ndjson_row, v1_row, write_labelbox_json

TRIANGLE = [("road", np.array([[0, 0], [8, 0], [8, 6]]))]


def _ndjson(tmp_path, *rows, raw_lines=()):
    path = tmp_path / "export.ndjson"
    lines = [json.dumps(row) for row in rows] + list(raw_lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def _read(path, image="a.png"):
    return AnnotationReader([(path, image)]).read(path, image)[1]


def _row(name="a.png", objects=TRIANGLE, **changes):
    row = ndjson_row(name, 8, 6, objects)
    item = row["projects"]["project1"]["labels"][0]["annotations"]["objects"][0]
    item.update(changes)
    return row


def _error(path, image="a.png") -> str:
    with pytest.raises(AnnotationError) as raised:
        _read(path, image)
    return str(raised.value)


def test_a_truncated_line_spoils_the_whole_file(tmp_path):
    text = json.dumps(_row())
    path = _ndjson(tmp_path, _row(), raw_lines=[text[: len(text) // 2]])
    assert _error(path).startswith(f"{path}: line 2: malformed JSON at column")
    with pytest.raises(AnnotationError, match="line 2: malformed JSON"):
        image_names(path, "labelbox_ndjson")


def test_a_key_given_twice_spoils_the_whole_file_naming_its_line(tmp_path):
    path = _ndjson(tmp_path, _row(), raw_lines=['{"data_row": {}, "data_row": {}}'])
    assert _error(path) == (
        f"{path}: line 2: the object with keys data_row: key 'data_row' appears twice"
    )


def test_a_bad_row_is_a_problem_for_its_own_image_only(tmp_path):
    bad = _row("b.png", polygon="0,0 8,0 8,6")
    path = _ndjson(tmp_path, _row(), bad)
    reader = AnnotationReader([(path, "a.png"), (path, "b.png")])
    assert len(reader.read(path, "a.png")[1].objects) == 1
    with pytest.raises(AnnotationError) as raised:
        reader.read(path, "b.png")
    assert str(raised.value) == (
        f"{path}: data row 'b.png' object 1 ('road'): polygon is not a list of {{x, y}} "
        "points: '0,0 8,0 8,6'"
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"polygon": [{"x": 0, "y": 0}, {"x": 1e9, "y": 0}, {"x": 1, "y": 1}]},
            "x of point 2 is out of range: 1000000000.0",
        ),
        (
            {"polygon": [{"x": 0, "y": 0}, {"x": 8, "y": 0}, {"x": 8, "y": 0}][:2]},
            "polygon has 2 points; at least 3 are needed",
        ),
        (
            {"polygon": [{"x": 0, "y": 0}, {"x": "a", "y": 0}, {"x": 1, "y": 1}]},
            "x of point 2 is not a number: 'a'",
        ),
        (
            {"polygon": [{"x": 0}, {"x": 8, "y": 0}, {"x": 1, "y": 1}]},
            "point 1 is not an {x, y} object: {'x': 0}",
        ),
        ({"polygon": None, "bounding_box": None}, "polygon is not a list of {x, y} points: None"),
    ],
    ids=["far-outside", "two-points", "not-a-number", "no-y", "null"],
)
def test_bad_coordinates_name_the_object(tmp_path, changes, message):
    path = _ndjson(tmp_path, _row(**changes))
    assert _error(path) == f"{path}: data row 'a.png' object 1 ('road'): {message}"


def test_bad_boxes_and_sizes(tmp_path):
    row = _row(bounding_box={"top": 1, "left": 1, "height": 2, "width": -3})
    del row["projects"]["project1"]["labels"][0]["annotations"]["objects"][0]["polygon"]
    assert "box has max below min" in _error(_ndjson(tmp_path, row))
    row = _row()
    row["media_attributes"]["width"] = "wide"
    assert _error(_ndjson(tmp_path, row)).endswith(
        "data row 'a.png': width is not a number: 'wide'"
    )


def _mask_row(url, color=(1, 2, 3)):
    row = _row()
    item = row["projects"]["project1"]["labels"][0]["annotations"]["objects"][0]
    del item["polygon"]
    item["composite_mask"] = {"url": url, "color_rgb": list(color)}
    return row


def test_mask_files_missing_not_png_escaping_or_miscoloured(tmp_path):
    where = "data row 'a.png' object 1 ('road')"
    path = _ndjson(tmp_path, _mask_row("https://api.labelbox.com/api/v1/tasks/t/masks/m1/index/1"))
    assert _error(path) == (
        f"{path}: {where}: mask file for 'https://api.labelbox.com/api/v1/tasks/t/masks/m1/"
        f"index/1' not found (looked for {tmp_path}/masks/m1.png, {tmp_path}/m1.png)"
    )
    (tmp_path / "m1.png").write_bytes(b"GIF89a not a png")
    assert _error(path) == f"{path}: {where}: mask file {tmp_path}/m1.png is not a PNG"
    (tmp_path / "m1.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    # The export and the object are named first; the mask file is named in the reason.
    assert _error(path).startswith(f"{path}: {where}: {tmp_path}/m1.png: cannot decode mask file")
    Image.fromarray(np.zeros((6, 8, 3), np.uint8)).save(tmp_path / "m1.png")
    path = _ndjson(tmp_path, _mask_row("https://x/masks/m1/index/1", color=(1, 2, 300)))
    assert _error(path).endswith("color_rgb must be three integers 0-255, got [1, 2, 300]")
    path = _ndjson(tmp_path, _mask_row("../outside.png"))
    assert _error(path) == (
        f"{path}: {where}: mask '../outside.png' lies outside the export's folder {tmp_path}; "
        "refused"
    )
    path = _ndjson(tmp_path, _mask_row("/etc/passwd"))
    assert "must be relative to the export's folder" in _error(path)
    Image.fromarray(np.zeros((7, 8, 3), np.uint8)).save(tmp_path / "m1.png")
    path = _ndjson(tmp_path, _mask_row("https://x/masks/m1/index/1"))
    assert _error(path).endswith("is 8x7; the image is 8x6")


def test_every_missing_mask_of_an_image_is_named_at_once_without_the_url_token(tmp_path):
    # Two objects whose mask files are missing, one behind a signed URL: one error names both
    # (not one per run), and the access token of the URL never reaches the message.
    row = _mask_row("https://storage.example/masks/m1/index/1?X-Amz-Signature=SECRET&t=1")
    objects = row["projects"]["project1"]["labels"][0]["annotations"]["objects"]
    second = {
        **objects[0],
        "composite_mask": {"url": "https://x/masks/m2/index/1", "color_rgb": [1, 2, 3]},
    }
    objects.append(second)
    path = _ndjson(tmp_path, row)
    error = _error(path)
    assert "SECRET" not in error and "X-Amz" not in error
    assert error.startswith(f"{path}: data row 'a.png': 2 mask files not found: ")
    assert (
        "object 1 ('road'): mask file for 'https://storage.example/masks/m1/index/1' not" in error
    )
    assert (
        "; data row 'a.png' object 2 ('road'): mask file for 'https://x/masks/m2/index/1'" in error
    )


def test_a_row_without_a_label_or_name(tmp_path):
    row = _row()
    row["projects"] = {}
    assert _error(_ndjson(tmp_path, row)).endswith(
        "data row 'a.png': has no label in any project (not labelled, or skipped)"
    )
    path = _ndjson(tmp_path, {"data_row": {"id": "x"}})
    assert _error(path) == f"{path}: line 1: data row has no external_id, global_key or row_data"
    path = _ndjson(tmp_path, ["not", "a", "row"])
    assert _error(path) == f"{path}: line 1: not a Labelbox data row (no 'data_row' object)"


def test_the_latest_label_is_read(tmp_path):
    row = _row()
    labels = row["projects"]["project1"]["labels"]
    newer = json.loads(json.dumps(labels[0]))
    newer["label_details"] = {"updated_at": "2025-01-01T00:00:00Z"}
    newer["annotations"]["objects"].append(dict(newer["annotations"]["objects"][0], name="sky"))
    skipped = json.loads(json.dumps(newer))
    skipped["label_details"] = {"updated_at": "2026-01-01T00:00:00Z"}
    skipped["performance_details"] = {"skipped": True}
    row["projects"]["project2"] = {"labels": [newer, skipped]}
    annotation = _read(_ndjson(tmp_path, row))
    assert [obj.name for obj in annotation.objects] == ["road", "sky"]


def test_legacy_and_v1_faults(tmp_path):
    path = tmp_path / "old.json"
    row = legacy_row("a.png", 8, 6, TRIANGLE, wkt=True)
    row["External ID"] = "a.png"
    row["Label"]["road"] = "MULTIPOLYGON (((0 0, 8 0, 8 6)"
    write_labelbox_json(path, [row, {"Label": "Skip", "External ID": "b.png"}])
    assert _error(path) == (
        f"{path}: row 1 ('a.png') class 'road': malformed WKT: 'MULTIPOLYGON (((0 0, 8 0, 8 6)'"
    )
    assert _error(path, "b.png") == f"{path}: 'b.png': the image was skipped (Label 'Skip')"
    row["Label"]["road"] = "POLYGON ((0 0, 8 0, 8 6, 0 0), (1 1, 2 1, 2 2, 1 1))"
    write_labelbox_json(path, [row])
    assert _read(path).skipped == {"wkt hole": 1}
    row = v1_row("a.png", 8, 6, TRIANGLE)
    row["Label"]["objects"][0]["polygon"] = [{"x": 1, "y": 1}]
    write_labelbox_json(path, [row])
    assert _error(path) == (
        f"{path}: row 1 ('a.png') object 1 ('road'): polygon has 1 points; at least 3 are needed"
    )
    text = json.dumps([row])
    path.write_text(text[:-5])
    assert _error(path).startswith(f"{path}: malformed JSON at line 1")
