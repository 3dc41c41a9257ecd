"""Azure ML data labeling JSONL: reading, clipping, detection, listing and broken lines."""

import json

import numpy as np
import pytest
from PIL import Image

from streetseg.data.samples import directory_samples
from streetseg.demo.scenes import generate_scene
from streetseg.labels.annotations import AnnotationReader, detect_format, image_names
from streetseg.labels.masks import make_mask
from tests.helpers import mask_settings
from tests.helpers.format_writers import write_voc_xml
from tests.helpers.writers_azureml import URL, write_azureml_jsonl
from tests.helpers.writers_labelstudio import inside

WIDTH, HEIGHT = 96, 64


@pytest.mark.parametrize("index", [2, 7])
def test_the_scene_gives_the_mask_of_its_voc_version(classes, tmp_path, index):
    rgb, objects = generate_scene(seed=5, index=index, width=WIDTH, height=HEIGHT)
    # Quarters of a pixel, for which a fraction exists that gives the same number back.
    objects = [(name, np.round(v * 4) / 4) for name, v in inside(objects, WIDTH, HEIGHT)]
    image = tmp_path / "street.png"
    Image.fromarray(rgb).save(image)
    write_voc_xml(tmp_path / "street.xml", image.name, WIDTH, HEIGHT, objects)
    other = ("other.png", 10, 10, [("sky", np.array([[0, 0], [10, 0], [10, 10]]))])
    write_azureml_jsonl(tmp_path / "a.jsonl", [other, ("street.png", WIDTH, HEIGHT, objects)])
    make_mask(tmp_path / "street.xml", image, tmp_path / "voc.png", mask_settings(classes))
    make_mask(tmp_path / "a.jsonl", image, tmp_path / "az.png", mask_settings(classes))
    assert (tmp_path / "az.png").read_bytes() == (tmp_path / "voc.png").read_bytes()


def _line(labels, name="a.jpg", details=None):
    details = {"width": 200, "height": "100px"} if details is None else details
    return {"image_url": URL + name, "image_details": details, "label": labels}


def _write(tmp_path, *lines, text=None):
    path = tmp_path / "export.jsonl"
    path.write_text(text if text is not None else "".join(json.dumps(x) + "\n" for x in lines))
    return path


def _read(path, name="a.jpg"):
    return AnnotationReader().read(path, name)[1]


def test_vertices_just_outside_are_kept_and_boxes_are_read(tmp_path):
    # A car cut off by the frame lies past the edge: its vertices stay where they are (the
    # rasteriser clips the fill), as the COCO route of the same polygon keeps them.
    polygon = {"label": "road", "isCrowd": 0, "polygon": [[-0.01, 0.5, 1.1, 0.5, 0.5, 1.0]]}
    box = {"label": "car", "topX": 0.1, "topY": 0.2, "bottomX": 0.5, "bottomY": 1.0}
    path = _write(tmp_path, _line([polygon, box]), _line([], "b.jpg"))
    road, car = _read(path).objects
    np.testing.assert_allclose(road.vertices, [[-2, 50], [220, 50], [100, 100]])
    np.testing.assert_allclose(car.vertices, [[20, 20], [100, 20], [100, 100], [20, 100]])
    assert (road.where, car.where) == ("line 1 label 1 ('road') part 1", "line 1 label 2 ('car')")
    assert detect_format(path) == "azureml_jsonl"
    assert image_names(path, "azureml_jsonl") == ["a.jpg", "b.jpg"]


def test_the_size_may_be_the_line_s_own_image_width_and_height(tmp_path):
    # Azure ML's newer exports give the size at the top of the line, beside image_details
    # that holds only the format.
    line = {**_line([POLY], details={"format": "jpg"}), "image_width": 200, "image_height": 100}
    annotation = _read(_write(tmp_path, line))
    assert (annotation.width, annotation.height) == (200, 100)
    np.testing.assert_allclose(annotation.objects[0].vertices, [[0, 0], [100, 0], [100, 50]])


def test_a_polygon_past_the_frame_fills_as_its_coco_version(tmp_path, classes):
    # The same car, cut off by the right edge, as Azure ML fractions and as COCO pixels.
    from tests.helpers.format_writers import write_coco_json

    Image.new("RGB", (200, 100)).save(tmp_path / "a.jpg")
    fractions = [0.613, 0.217, 1.081, 0.353, 0.907, 0.893, 0.551, 0.707]
    _write(tmp_path, _line([{"label": "road", "polygon": [fractions]}]))
    pixels = np.array(fractions).reshape(-1, 2) * [200, 100]
    write_coco_json(tmp_path / "coco.json", [("a.jpg", 200, 100, [("road", pixels)])], ["road"])
    azure = make_mask(
        tmp_path / "export.jsonl", tmp_path / "a.jpg", tmp_path / "az.png", mask_settings(classes)
    )
    coco = make_mask(
        tmp_path / "coco.json", tmp_path / "a.jpg", tmp_path / "coco.png", mask_settings(classes)
    )
    np.testing.assert_array_equal(azure, coco)
    assert (azure[:, -1] != 0).any()  # the fill reaches the edge


def test_listing_a_folder_finds_the_images_of_an_azure_export(tmp_path):
    for name in ("a.jpg", "b.jpg"):
        Image.new("RGB", (4, 4)).save(tmp_path / name)
    _write(tmp_path, _line([]), _line([], "b.jpg"), _line([], "gone.jpg"))
    problems: list = []
    table = directory_samples(str(tmp_path), problems)
    assert sorted(table["sample"]) == ["a", "b"]
    assert [p.problem for p in problems] == [f"lists an image that is not in {tmp_path}"]


POLY = {"label": "road", "polygon": [[0, 0, 0.5, 0, 0.5, 0.5]]}


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [_line([{**POLY, "polygon": [[0, 0, 1.5, 0, 0.5, 0.5]]}])],
            "FILE: line 1 label 1 ('road') part 1: x of point 2 is 1.5, outside 0..1 by more "
            "than 0.25 of the image",
        ),
        (
            [_line([{**POLY, "polygon": [[0, 0, 0.5, 0, 0.5]]}])],
            "FILE: line 1 label 1 ('road') part 1: odd number of coordinates (5)",
        ),
        (
            [_line([{**POLY, "polygon": [[0, 0, 0.5, "x", 0.5, 0.5]]}])],
            "FILE: line 1 label 1 ('road') part 1: y of point 2 is not a number: 'x'",
        ),
        (
            [_line([{"label": "car", "topX": 0.1, "topY": 0.2, "bottomX": 7, "bottomY": 0.9}])],
            "FILE: line 1 label 1 ('car'): bottomX is 7, outside 0..1 by more than 0.25",
        ),
        ([_line([{"label": "car"}])], "FILE: line 1 label 1 ('car'): has neither a polygon nor"),
        ([_line([{**POLY, "label": ""}])], "FILE: line 1 label 1: missing label name: ''"),
        ([_line(["road"])], "FILE: line 1 label 1: not an object (is this classification?)"),
        (
            [_line([POLY], details={})],
            "FILE: line 1: gives no image size: neither image_details width and height nor "
            "image_width and image_height",
        ),
        (
            [_line([POLY], details={"width": "wide", "height": 3})],
            "FILE: line 1 image_details: width is not a number: 'wide'",
        ),
        ([{"image_url": 5}], "FILE: line 1: image_url is not a URL or path: 5"),
        ([_line([]), _line([])], "FILE: image 'a.jpg' (line 2) appears twice; image names must"),
        ([_line([], "b.jpg")], "FILE: no line entry for image 'a.jpg'"),
    ],
)
def test_broken_lines_name_the_file_the_line_and_the_label(tmp_path, lines, expected):
    path = _write(tmp_path, *lines)
    with pytest.raises(ValueError) as error:
        _read(path)
    assert expected in str(error.value).replace(str(path), "FILE")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"image_url": "a.jpg", "label": [\n', "FILE: line 1: malformed JSON at column"),
        ('{"image_url": "a.jpg", "image_url": "b.jpg"}\n', "FILE: line 1: the object with keys"),
        (
            '{"image_url": "b.jpg"}\n[1, 2\n',
            "FILE: line 2: malformed JSON at column 6: Expecting ',' delimiter",
        ),
        ("\n", "FILE: file is empty"),
        ('{"url": "a.jpg"}\n', "FILE: JSON Lines file is not Azure ML (image_url on line 1)"),
    ],
)
def test_broken_files_name_the_line(tmp_path, text, expected):
    path = _write(tmp_path, text=text)
    if text == "\n":
        path.write_text("")
    with pytest.raises(ValueError) as error:
        _read(path)
    assert expected in str(error.value).replace(str(path), "FILE")


def test_an_image_url_cannot_lead_out_of_the_data_folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "secret.jpg")
    (folder / "e.jsonl").write_text(json.dumps({"image_url": "../secret.jpg", "label": []}))
    problems: list = []
    directory_samples(str(folder), problems)
    # Only the last segment is kept, so the image is looked for inside the folder.
    assert [p.problem for p in problems] == [f"lists an image that is not in {folder}"]
