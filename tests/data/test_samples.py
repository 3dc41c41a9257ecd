"""The sample table from a folder, folder pairs or a sheet: refusal of unsafe or duplicate ids,
and listing that names every bad file in one pass with its true reason (image references that
leave the data folder, in every format that names an image; symbolic links out of it; hidden
files; missing images), the good samples listed all the same."""

from __future__ import annotations

import json

import pytest

from streetseg.data.samples import (
    SampleSheetError,
    directory_samples,
    folder_samples,
    list_samples,
    sheet_samples,
)
from tests.helpers.bad_inputs import (
    LABELME_ROAD,
    SQUARE,
    VOC_ROAD,
    coco,
    coco_annotation,
    cvat,
    cvat_polygon,
    image_bytes,
    voc,
    voc_polygon,
    write,
)


def test_directory_pairs_each_xml_with_the_image_beside_it(make_sample, tmp_path):
    make_sample("b")
    make_sample("a")
    table = directory_samples(str(tmp_path))
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "image"].endswith("a.png") and table.loc["a", "annotation"].endswith(
        "a.xml"
    )


def test_directory_xml_without_image_is_named(make_sample, tmp_path):
    image, _ = make_sample("lonely")
    image.unlink()
    with pytest.raises(SampleSheetError, match="lonely.xml: no image"):
        directory_samples(str(tmp_path))


def test_sheet_paths_are_relative_to_the_sheet_and_split_is_kept(tmp_path):
    for name in ("img/x1.jpg", "xml/x1.xml", "xml/x2.xml", "img/x3.jpg", "xml/x3.xml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text(
        "sample\timage\tannotation\tsplit\nx1\timg/x1.jpg\txml/x1.xml\ttest\n"
        f"x2\t/abs/x2.jpg\txml/x2.xml\t\nx3\t{tmp_path}/img/x3.jpg\txml/x3.xml\t\n"
    )
    problems = []
    table = sheet_samples(str(sheet), problems)
    assert table.loc["x1", "image"] == str(tmp_path / "img" / "x1.jpg")
    assert table.loc["x3", "image"] == str(tmp_path / "img" / "x3.jpg")
    assert table.loc["x1", "split"] == "test" and table.loc["x3", "split"] == ""
    # An absolute path is taken as it is; this one does not exist, which is the row's problem.
    assert [(p.sample, p.file, p.problem) for p in problems] == [
        ("x2", str(sheet), "image /abs/x2.jpg not found")
    ]


def test_sheet_missing_columns_is_refused(tmp_path):
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("sample\timage\nx\ta.jpg\n")
    with pytest.raises(SampleSheetError, match=r"missing column\(s\) \['annotation'\]"):
        sheet_samples(str(sheet))


@pytest.mark.parametrize("bad_id", ["../etc", "a/b", "..", ".hidden", "a b", ""])
def test_unsafe_sample_ids_are_refused(tmp_path, bad_id):
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text(f"sample\timage\tannotation\n{bad_id}\ta.jpg\ta.xml\n")
    with pytest.raises(SampleSheetError, match="not a safe name"):
        sheet_samples(str(sheet))


def test_duplicate_sample_ids_are_refused(tmp_path):
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("sample\timage\tannotation\nx\ta.jpg\ta.xml\nx\tb.jpg\tb.xml\n")
    with pytest.raises(SampleSheetError, match="'x' appears more than once"):
        sheet_samples(str(sheet))


@pytest.mark.parametrize(
    "ids, fragment",
    [
        pytest.param(["ok", "../x"], "sample id '../x' is not a safe name", id="sheet-id-dotdot"),
        pytest.param(["a/b"], "sample id 'a/b' is not a safe name", id="sheet-id-slash"),
        pytest.param(["..a"], "sample id '..a' is not a safe name", id="sheet-id-leading-dots"),
        pytest.param(
            ["a", "b", "a"], "sample id 'a' appears more than once", id="sheet-id-duplicate"
        ),
    ],
)
def test_bad_sample_ids_in_a_sheet_are_refused(tmp_path, ids, fragment):
    rows = "".join(f"{sample}\tim/{n}.jpg\tan/{n}.xml\n" for n, sample in enumerate(ids))
    sheet = write(tmp_path / "samples.tsv", "sample\timage\tannotation\n" + rows)
    with pytest.raises(SampleSheetError) as info:
        sheet_samples(str(sheet))
    assert str(sheet) in str(info.value) and fragment in str(info.value)


def test_duplicate_sample_ids_in_a_directory_are_refused(tmp_path):
    write(tmp_path / "a.png", image_bytes())
    write(tmp_path / "a.xml", VOC_ROAD)  # Labelbox VOC for a.png ...
    write(tmp_path / "a.json", LABELME_ROAD)  # ... and labelme JSON for the same image
    with pytest.raises(SampleSheetError) as info:
        directory_samples(str(tmp_path))
    message = str(info.value)
    assert str(tmp_path) in message and "sample id 'a' appears more than once" in message


# --- Listing a folder: every bad file named in one pass, with its true reason -------------------

ESCAPE = "../../../../etc/passwd"
LABELME_XML_OUT = (
    f"<annotation><filename>{ESCAPE}</filename>"
    "<imagesize><nrows>8</nrows><ncols>12</ncols></imagesize></annotation>"
)
LABELME_JSON_OUT = json.dumps(
    {"shapes": [], "imagePath": ESCAPE.replace("/", "\\\\"), "imageWidth": 12, "imageHeight": 8}
)
COCO_OUT = coco(coco_annotation([list(SQUARE)])).replace('"a.png"', json.dumps(ESCAPE))
OUT_OF_FOLDER = [
    pytest.param("a.xml", VOC_ROAD.replace("a.png", ESCAPE), id="voc-filename"),
    pytest.param("a.xml", LABELME_XML_OUT, id="labelme-xml-filename"),
    pytest.param("a.json", LABELME_JSON_OUT, id="labelme-json-imagePath"),
    pytest.param(
        "export.xml", cvat(cvat_polygon("0,0;12,0;12,8"), name=ESCAPE), id="cvat-image-name"
    ),
    pytest.param("export.json", COCO_OUT, id="coco-file_name"),
]


def _folder(tmp_path):
    data = tmp_path / "deep" / "er" / "data"
    data.mkdir(parents=True)
    write(data / "good.png", image_bytes())
    write(data / "good.xml", voc(voc_polygon("road", *SQUARE)))
    return data


def _reasons(problems):
    return {(problem.sample, problem.file): problem.problem for problem in problems}


@pytest.mark.parametrize("export, content", OUT_OF_FOLDER)
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
