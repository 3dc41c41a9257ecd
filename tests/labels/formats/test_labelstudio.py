"""Label Studio JSON export: reading, choosing the annotation, naming the image, detection."""

import json

import numpy as np
import pytest
from PIL import Image

from streetseg.demo.scenes import generate_scene
from streetseg.labels.annotations import AnnotationReader, detect_format, image_names
from streetseg.labels.formats.labelstudio import LabelStudioIndex, task_image_name
from streetseg.labels.masks import make_mask
from tests.helpers import mask_settings
from tests.helpers.format_writers import write_voc_xml
from tests.helpers.writers_labelstudio import inside, task, write_label_studio_json

WIDTH, HEIGHT = 96, 64


def _read(path, name):
    return AnnotationReader().read(path, name)


@pytest.mark.parametrize("index", [2, 7])
def test_the_scene_gives_the_mask_of_its_voc_version(classes, tmp_path, index):
    rgb, objects = generate_scene(seed=5, index=index, width=WIDTH, height=HEIGHT)
    objects = inside(objects, WIDTH, HEIGHT)
    image = tmp_path / "street.png"
    Image.fromarray(rgb).save(image)
    write_voc_xml(tmp_path / "street.xml", image.name, WIDTH, HEIGHT, objects)
    other = ("other.png", 10, 10, [("sky", np.array([[0, 0], [10, 0], [10, 10]]))])
    write_label_studio_json(tmp_path / "ls.json", [other, ("street.png", WIDTH, HEIGHT, objects)])
    reference = make_mask(
        tmp_path / "street.xml", image, tmp_path / "voc.png", mask_settings(classes)
    )
    produced = make_mask(tmp_path / "ls.json", image, tmp_path / "ls.png", mask_settings(classes))
    assert produced.tobytes() == reference.tobytes()
    assert (tmp_path / "ls.png").read_bytes() == (tmp_path / "voc.png").read_bytes()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/data/upload/12/3f9a2b1c-street.jpg", "street.jpg"),
        ("/data/upload/12/street.jpg", "street.jpg"),  # No hash: kept whole.
        ("/data/upload/12/3f9a2b1c-a-b.jpg", "a-b.jpg"),
        ("/data/local-files/?d=photos/day%201/street.jpg", "street.jpg"),
        ("s3://bucket/photos/street.jpg", "street.jpg"),
        ("https://host/photos/st%C3%BCck.jpg?X-Amz-Signature=abc", "stück.jpg"),
        ("street.jpg", "street.jpg"),
        ("/data/upload/1/deadbeef-x.png?token=1", "x.png"),
    ],
)
def test_the_image_name_follows_label_studio_paths(url, name):
    assert task_image_name({"image": url}) == name
    assert task_image_name({"picture": url, "n": 3}) == name


def test_detection_listing_and_names(tmp_path):
    write_label_studio_json(tmp_path / "a.json", [("a.jpg", 4, 4, []), ("b.jpg", 4, 4, [])])
    assert detect_format(tmp_path / "a.json") == "label_studio_json"
    assert image_names(tmp_path / "a.json", "label_studio_json") == ["a.jpg", "b.jpg"]
    annotation = _read(tmp_path / "a.json", "b.jpg")[1]
    assert annotation.objects == [] and annotation.filename == "b.jpg"


def _annotation(results, **extra):
    base = {"id": 1, "result": results, "was_cancelled": False, "ground_truth": False}
    return {**base, **extra}


def _polygon(name, points=((0, 0), (50, 0), (50, 50)), **extra):
    value = {"points": [list(p) for p in points], "polygonlabels": [name]}
    size = {"original_width": 10, "original_height": 8}
    return {"id": name, "type": "polygonlabels", **size, "value": value, **extra}


def _write(tmp_path, annotations, name="x.json"):
    path = tmp_path / name
    path.write_text(json.dumps([{"id": 7, "data": {"image": "a.jpg"}, "annotations": annotations}]))
    return path


def _names(path):
    return [shape.name for shape in _read(path, "a.jpg")[1].objects]


def test_ground_truth_first_then_latest_and_cancelled_never(tmp_path):
    early = _annotation([_polygon("early")], id=1, updated_at="2024-01-01T00:00:00Z")
    late = _annotation([_polygon("late")], id=2, updated_at="2024-03-01T00:00:00Z")
    cancelled = _annotation(
        [_polygon("cancelled")], id=3, was_cancelled=True, updated_at="2025-01-01T00:00:00Z"
    )
    truth = _annotation([_polygon("truth")], id=4, ground_truth=True, created_at="2023-01-01")
    assert _names(_write(tmp_path, [early, late, cancelled])) == ["late"]
    assert _names(_write(tmp_path, [late, early])) == ["late"]
    assert _names(_write(tmp_path, [early, truth, late, cancelled])) == ["truth"]
    undated = [_annotation([_polygon("first")]), _annotation([_polygon("second")])]
    assert _names(_write(tmp_path, undated)) == ["second"]
    with pytest.raises(ValueError, match=r"x.json: task 7: task has no annotation to use \(1 c"):
        _read(_write(tmp_path, [cancelled]), "a.jpg")


def test_rectangles_rotate_clockwise_about_the_top_left_corner(tmp_path):
    box = {
        "id": "b",
        "type": "rectanglelabels",
        "original_width": 200,
        "original_height": 100,
        "value": {
            "x": 10,
            "y": 20,
            "width": 20,
            "height": 30,
            "rotation": 90,
            "rectanglelabels": ["car"],
        },
    }
    plain = {**box, "value": {**box["value"], "rotation": 0}}
    path = _write(tmp_path, [_annotation([box, plain])])
    turned, straight = _read(path, "a.jpg")[1].objects
    # 40 px wide, 30 px high at (20, 20); turned by 90 degrees, it hangs to the left.
    np.testing.assert_allclose(
        turned.vertices, [[20, 20], [20, 60], [-10, 60], [-10, 20]], atol=1e-9
    )
    np.testing.assert_array_equal(straight.vertices, [[20, 20], [60, 20], [60, 50], [20, 50]])


def test_plain_shapes_take_the_label_of_their_labels_result_and_points_are_skipped(tmp_path):
    shape = {
        "id": "s1",
        "type": "polygon",
        "original_width": 10,
        "original_height": 8,
        "value": {"points": [[0, 0], [50, 0], [50, 50]]},
    }
    labels = {"id": "s1", "type": "labels", "value": {"labels": ["road"]}}
    point = {
        "id": "k",
        "type": "keypointlabels",
        "original_width": 10,
        "original_height": 8,
        "value": {"x": 1, "y": 1, "keypointlabels": ["pole"]},
    }
    choice = {"id": "c", "type": "choices", "value": {"choices": ["day"]}}
    annotation = _read(_write(tmp_path, [_annotation([shape, labels, point, choice])]), "a.jpg")[1]
    assert [s.name for s in annotation.objects] == ["road"]
    assert annotation.skipped == {"keypointlabels": 1} and annotation.width == 10


def test_brush_is_decoded_to_the_alpha_channel(tmp_path):
    from tests.labels.formats.test_label_studio_rle import CASES

    case = next(case for case in CASES if case["name"] == "disc")
    brush = {
        "id": "m",
        "type": "brushlabels",
        "original_width": case["width"],
        "original_height": case["height"],
        "value": {"format": "rle", "rle": case["rle"], "brushlabels": ["tree"]},
    }
    shape = _read(_write(tmp_path, [_annotation([brush])]), "a.jpg")[1].objects[0]
    np.testing.assert_array_equal(shape.bitmap, np.array(case["alpha"]) >= 128)


def test_a_task_list_is_indexed_once_and_keeps_only_wanted_tasks(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps([task(f"/data/upload/1/0000000{i}-p{i}.jpg", 4, 4, [], i) for i in range(5)])
    )
    index = LabelStudioIndex(path, {"p3.jpg"})
    assert sum(entry is not None for entry in index.index.entries.values()) == 1
    assert index.read("p1.jpg") is None and index.read("p3.jpg").filename == "p3.jpg"
