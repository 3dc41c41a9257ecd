"""Listing a folder names every bad file in one pass, with its true reason: image references
that leave the data folder (in every format that names an image), symbolic links out of it,
hidden files, missing images; the good samples are listed all the same."""

from __future__ import annotations

import json

import pytest

from streetseg.common.problems import Problem, format_problems, from_message
from streetseg.data.samples import directory_samples, folder_samples, list_samples
from tests.helpers.bad_inputs import (
    SQUARE,
    coco,
    coco_annotation,
    cvat,
    cvat_polygon,
    image_bytes,
    voc,
    voc_polygon,
    write,
)

ESCAPE = "../../../../etc/passwd"


def _folder(tmp_path):
    data = tmp_path / "deep" / "er" / "data"
    data.mkdir(parents=True)
    write(data / "good.png", image_bytes())
    write(data / "good.xml", voc(voc_polygon("road", *SQUARE)))
    return data


def _reasons(problems):
    return {(problem.sample, problem.file): problem.problem for problem in problems}


@pytest.mark.parametrize("export, content", [
    pytest.param("a.xml", voc(voc_polygon("road", *SQUARE)).replace("a.png", ESCAPE), id="voc-filename"),
    pytest.param("a.xml", "<annotation><filename>" + ESCAPE + "</filename><imagesize><nrows>8</nrows>"
                 "<ncols>12</ncols></imagesize></annotation>", id="labelme-xml-filename"),
    pytest.param("a.json", json.dumps({"shapes": [], "imagePath": ESCAPE.replace("/", "\\\\"),
                                       "imageWidth": 12, "imageHeight": 8}), id="labelme-json-imagePath"),
    pytest.param("export.xml", cvat(cvat_polygon("0,0;12,0;12,8"), name=ESCAPE), id="cvat-image-name"),
    pytest.param("export.json", coco(coco_annotation([list(SQUARE)])).replace('"a.png"', json.dumps(ESCAPE)),
                 id="coco-file_name"),
])  # fmt: skip
def test_an_image_reference_out_of_the_data_folder_is_refused_and_never_opened(
    tmp_path, export, content
):
    data = _folder(tmp_path)
    write(data / "a.png", image_bytes())
    write(data / export, content)
    problems = []
    table = directory_samples(str(data), problems)
    assert list(table.index) == ["good"]
    (problem,) = problems
    assert problem.file == str(data / export) and "outside the data folder" in problem.problem
    assert problem.sample in ("a", "passwd")


def test_a_symbolic_link_out_of_the_folder_is_refused_unless_allowed(tmp_path):
    data = _folder(tmp_path)
    outside = tmp_path / "elsewhere.png"
    write(outside, image_bytes())
    (data / "linked.png").symlink_to(outside)
    write(data / "linked.xml", voc(voc_polygon("road", *SQUARE)))
    problems = []
    assert list(directory_samples(str(data), problems).index) == ["good"]
    assert _reasons(problems) == {
        (
            "linked",
            str(data / "linked.png"),
        ): f"the image is a symbolic link that leads outside the data folder "
        f"{data} (set data.follow_symlinks: true to allow that)"
    }
    assert list(directory_samples(str(data), [], follow_symlinks=True).index) == ["good", "linked"]


def test_every_bad_file_is_listed_in_one_pass_with_its_true_reason(tmp_path):
    data = _folder(tmp_path)
    write(data / ".good.xml", voc(voc_polygon("road", *SQUARE)))  # hidden, though its image exists
    write(data / "._good.xml", b"\x00\x05\x16\x07")  # a macOS side file
    write(data / "lonely.xml", voc(voc_polygon("road", *SQUARE)))
    write(data / "broken.png", image_bytes())
    write(data / "broken.xml", "<annotation><size>")
    write(data / "bad id.png", image_bytes())
    write(data / "bad id.xml", voc(voc_polygon("road", *SQUARE)))
    problems = []
    table = directory_samples(str(data), problems)
    assert list(table.index) == ["good"]
    reasons = _reasons(problems)
    hidden = (
        "hidden file (its name starts with '.'), not read as an annotation; rename or remove it"
    )
    assert (
        reasons[("", str(data / ".good.xml"))] == hidden
        and reasons[("", str(data / "._good.xml"))] == hidden
    )
    assert reasons[("lonely", str(data / "lonely.xml"))] == "no image with the same name beside it"
    assert reasons[("broken", str(data / "broken.xml"))].startswith("malformed XML")
    assert "'bad id' is not a safe name" in reasons[("", str(data / "bad id.xml"))]
    assert len(problems) == 5


def test_folder_pairs_list_every_image_without_a_label(tmp_path):
    images, labels = tmp_path / "images", tmp_path / "labels"
    images.mkdir(), labels.mkdir()
    for name in ("a", "b", "c"):
        write(images / f"{name}.png", image_bytes())
    write(labels / "b.png", image_bytes(mode="L"))
    problems = []
    table = folder_samples([{"images": str(images), "annotations": str(labels)}], problems)
    assert list(table.index) == ["b"]
    assert sorted((p.sample, p.problem) for p in problems) == [
        ("a", f"no annotation named a.* in {labels}"),
        ("c", f"no annotation named c.* in {labels}"),
    ]


def test_list_samples_gives_the_table_and_the_problems_of_a_config(tmp_path):
    data = _folder(tmp_path)
    write(data / "lonely.xml", voc(voc_polygon("road", *SQUARE)))
    table, problems = list_samples({"data": {"source": "directory", "directory": str(data)}})
    assert list(table.index) == ["good"] and [p.sample for p in problems] == ["lonely"]


def test_a_message_splits_into_file_object_and_reason():
    assert from_message(
        "a/b.xml: object 3 ('car'): polygon has 2 points", "a/b.xml", "b"
    ) == Problem("b", "a/b.xml", "object 3 ('car')", "polygon has 2 points")
    assert from_message("a/b.xml: malformed XML: line 1: oops", "a/b.xml") == Problem(
        "", "a/b.xml", "", "malformed XML: line 1: oops"
    )


def test_the_console_table_shows_twenty_rows_and_a_count():
    problems = [
        Problem(f"s{i:02d}", f"data/s{i:02d}.xml", "object 1 ('car')", "unknown class 'car'")
        for i in range(25)
    ]
    lines = format_problems(problems, "results/dataset/problems.tsv").splitlines()
    assert (
        lines[0]
        == "25 problems in the data (the first 20 below; all in results/dataset/problems.tsv):"
    )
    assert lines[1].split() == ["file", "object", "problem"]
    assert lines[2].split()[0] == "data/s00.xml" and len(lines) == 2 + 20 + 1
    assert lines[-1] == "  ... and 5 more"
