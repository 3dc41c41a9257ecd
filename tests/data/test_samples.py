"""The sample table from a folder or a sheet, and refusal of unsafe or duplicate ids."""

import pytest

from streetseg.data.samples import SampleSheetError, directory_samples, sheet_samples


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


def test_sheet_missing_columns_is_refused(tmp_path):
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("sample\timage\nx\ta.jpg\n")
    with pytest.raises(SampleSheetError, match=r"missing column\(s\) \['annotation'\]"):
        sheet_samples(str(sheet))


def test_chunks_are_consecutive_runs_of_the_sorted_ids():
    from streetseg.common.chunks import chunk_ids

    assert chunk_ids(["c", "a", "e", "b", "d"], 2) == {
        "00000": ["a", "b"],
        "00001": ["c", "d"],
        "00002": ["e"],
    }
    assert chunk_ids([], 3) == {}
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        chunk_ids(["a"], 0)
