"""The sample table from a folder or a sheet, and refusal of unsafe or duplicate ids."""

import pytest

from streetseg.samples import SampleSheetError, directory_samples, sheet_samples


def test_directory_pairs_each_xml_with_the_image_beside_it(make_sample, tmp_path):
    make_sample("b")
    make_sample("a")
    table = directory_samples(str(tmp_path))
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "image"].endswith("a.png") and table.loc["a", "annotation"].endswith("a.xml")


def test_directory_xml_without_image_is_named(make_sample, tmp_path):
    image, _ = make_sample("lonely")
    image.unlink()
    with pytest.raises(SampleSheetError, match="lonely.xml: no image"):
        directory_samples(str(tmp_path))


def test_sheet_paths_are_relative_to_the_sheet_and_split_is_kept(tmp_path):
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("sample\timage\tannotation\tsplit\nx1\timg/x1.jpg\txml/x1.xml\ttest\nx2\t/abs/x2.jpg\txml/x2.xml\t\n")
    table = sheet_samples(str(sheet))
    assert table.loc["x1", "image"] == str(tmp_path / "img" / "x1.jpg")
    assert table.loc["x2", "image"] == "/abs/x2.jpg"
    assert table.loc["x1", "split"] == "test" and table.loc["x2", "split"] == ""


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
    from streetseg.samples import chunk_ids

    assert chunk_ids(["c", "a", "e", "b", "d"], 2) == {"00000": ["a", "b"], "00001": ["c", "d"], "00002": ["e"]}
    assert chunk_ids([], 3) == {}
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        chunk_ids(["a"], 0)
