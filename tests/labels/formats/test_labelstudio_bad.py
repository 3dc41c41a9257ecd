"""Broken Label Studio exports: each message names the file, the task, the result and the fault."""

import json

import pytest
from PIL import Image

from streetseg.data.samples import directory_samples
from streetseg.labels.annotations import AnnotationReader
from streetseg.labels.masks import MaskChunk, make_masks
from tests.helpers import mask_settings
from tests.helpers.writers_labelstudio import write_label_studio_json

SIZE = {"original_width": 10, "original_height": 8}


def _task(results, image="/data/upload/1/0badf00d-a.jpg", **annotation):
    return {
        "id": 7,
        "data": {"image": image},
        "annotations": [{"id": 9, "result": results, **annotation}],
    }


def _polygon(points=((0, 0), (50, 0), (50, 50)), labels=("road",), **extra):
    value = {"points": [list(p) for p in points], "polygonlabels": list(labels)}
    return {"id": "r1", "type": "polygonlabels", **SIZE, "value": value, **extra}


def _message(tmp_path, document, text=None):
    path = tmp_path / "export.json"
    path.write_text(text if text is not None else json.dumps(document))
    with pytest.raises(ValueError) as error:
        AnnotationReader().read(path, "a.jpg")
    return str(error.value).replace(str(path), "FILE")


BOX = {"x": 1, "y": 1, "width": 5, "height": 5, "rectanglelabels": ["car"]}
ROTATED = {"id": "b", "type": "rectanglelabels", **SIZE, "image_rotation": 90, "value": BOX}
BRUSH_VALUE = {"format": "rle", "rle": [0, 0, 0, 8, 7, 18, 48, 0], "brushlabels": ["tree"]}
BRUSH = {"id": "m", "type": "brushlabels", **SIZE, "value": BRUSH_VALUE}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"tasks": []},
            "FILE: JSON is neither labelme (shapes), COCO (images, annotations), Labelbox",
        ),
        ([{"id": 7, "data": "a.jpg", "annotations": []}], "FILE: task 7: 'data' is not an object"),
        (
            [_task([_polygon(points=((0, 0), (150, 0), (50, 50)))])],
            "FILE: task 7 annotation 9 result r1 ('road'): x of point 2 is 150.0%, outside 0..100",
        ),
        (
            [_task([_polygon(points=((0, 0), ("a", 0), (50, 50)))])],
            "FILE: task 7 annotation 9 result r1 ('road'): x of point 2 is not a number: 'a'",
        ),
        (
            [_task([_polygon(points=((0, 0), (5, 5)))])],
            "task 7 annotation 9 result r1 ('road'): polygon has 2 points; at least 3 are needed",
        ),
        ([_task([_polygon(labels=())])], "result r1: missing label (value.polygonlabels)"),
        ([_task([_polygon(labels=("a", "b"))])], "result r1: has 2 labels ['a', 'b']; one is"),
        (
            [_task([{**_polygon(), "original_width": None}])],
            "result r1 ('road'): width is not a number: None",
        ),
        (
            [_task([{k: v for k, v in _polygon().items() if k != "original_height"}])],
            "result r1 ('road'): missing original_width/original_height",
        ),
        ([_task([ROTATED])], "result b ('car'): image_rotation is not 0"),
        (
            [_task([BRUSH])],
            "FILE: task 7 annotation 9 result m ('tree'): brush RLE holds 8 values; a 10x8 RGBA",
        ),
        (
            [_task([{**BRUSH, "value": {**BRUSH["value"], "rle": "eJwLycjMSwEABfcB8g=="}}])],
            "result m ('tree'): brush 'rle' is not a non-empty list of bytes",
        ),
        ([_task("oops")], "FILE: task 7 annotation 9: 'result' is not a list"),
        ([_task([_polygon()], was_cancelled=True)], "task 7: task has no annotation to use (1 c"),
        (
            [_task([_polygon()], updated_at="yesterday")],
            "FILE: task 7 annotation 9: updated_at is not a date: 'yesterday'",
        ),
        (
            [_task([_polygon()]), _task([], image="/data/upload/2/12345678-a.jpg")],
            "FILE: image 'a.jpg' (task 7) appears twice; image names must be unique",
        ),
        ([_task([], image="/data/upload/2/12345678-b.jpg")], "FILE: no task entry for image 'a"),
    ],
)
def test_broken_exports_name_the_file_and_the_object(tmp_path, document, expected):
    assert expected in _message(tmp_path, document)


def test_a_truncated_file_names_the_line(tmp_path):
    text = json.dumps([_task([_polygon()])])
    message = _message(tmp_path, None, text[: len(text) // 2])
    assert message.startswith("FILE: malformed JSON at line 1 column")


def test_a_bad_task_becomes_a_problem_row_and_the_others_are_painted(tmp_path, classes):
    for name in ("a", "b"):
        Image.new("RGB", (10, 8)).save(tmp_path / f"{name}.png")
    good = {
        "id": 2,
        "data": {"image": "/data/upload/1/abcdef01-b.png"},
        "annotations": [{"id": 3, "result": [_polygon()]}],
    }
    bad = _task([_polygon(points=((0, 0), (500, 0), (5, 5)))], image="a.png")
    (tmp_path / "e.json").write_text(json.dumps([bad, good]))
    problems = make_masks(
        MaskChunk(
            ["a", "b"],
            [str(tmp_path / "e.json")] * 2,
            [str(tmp_path / "a.png"), str(tmp_path / "b.png")],
            [str(tmp_path / "a_mask.png"), str(tmp_path / "b_mask.png")],
            tmp_path / "stats.tsv",
        ),
        mask_settings(classes, labels={"unannotated": "background"}),
    )
    assert (tmp_path / "b_mask.png").is_file()
    text = str(problems[1])
    assert "x of point 2 is 500.0%, outside 0..100" in text and "task 7" in text


def test_listing_a_folder_finds_the_images_a_label_studio_export_names(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("a.jpg", "b.jpg"):
        Image.new("RGB", (4, 4)).save(folder / name)
    write_label_studio_json(
        folder / "project-1.json",
        [("a.jpg", 4, 4, []), ("b.jpg", 4, 4, []), ("gone.jpg", 4, 4, [])],
    )
    problems: list = []
    table = directory_samples(str(folder), problems)
    assert sorted(table["sample"]) == ["a", "b"]
    assert set(table["annotation"]) == {str(folder / "project-1.json")}
    assert [p.problem for p in problems] == [f"lists an image that is not in {folder}"]


def test_a_local_files_path_cannot_lead_out_of_the_data_folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "secret.jpg")
    document = [_task([], image="/data/local-files/?d=../secret.jpg")]
    (folder / "e.json").write_text(json.dumps(document))
    problems: list = []
    directory_samples(str(folder), problems)
    # Only the name is kept, so the reference cannot climb: the image is looked for inside.
    assert [p.problem for p in problems] == [f"lists an image that is not in {folder}"]


@pytest.mark.parametrize(
    ("x", "y", "width", "height"),
    [(10, 25, 40, 50), (50, 25, -40, 50), (10, 75, 40, -50), (50, 75, -40, -50)],
)
def test_a_box_dragged_past_its_corner_is_the_same_box(tmp_path, classes, x, y, width, height):
    # Label Studio writes a box dragged up or left of its first corner with a negative width
    # or height from that corner: all four of these are the box x 10..50 %, y 25..75 % of a
    # 10x8 image, i.e. pixels 1..5 across and 2..6 down.
    from PIL import Image as PILImage

    from streetseg.labels.masks import make_mask

    value = {"x": x, "y": y, "width": width, "height": height, "rectanglelabels": ["road"]}
    box = {"id": "b", "type": "rectanglelabels", **SIZE, "value": value}
    path = tmp_path / "export.json"
    path.write_text(json.dumps([_task([box])]))
    PILImage.new("RGB", (10, 8)).save(tmp_path / "a.jpg")
    mask = make_mask(path, tmp_path / "a.jpg", tmp_path / "a.png", mask_settings(classes))
    road = next(c["id"] for c in classes if c["name"] == "road")
    rows, columns = (mask == road).nonzero()
    assert (rows.min(), rows.max(), columns.min(), columns.max()) == (2, 5, 1, 4)
