"""Problem rows: an error's fields as file, object and reason, and the console table."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetseg.common.problems import Problem, format_problems, from_error


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


def test_an_error_with_fields_gives_them_unsplit():
    from streetseg.common.images import ImageError, open_image
    from streetseg.labels.formats.base import AnnotationError

    error = AnnotationError("a: b: c", "x.json", "task 3")
    assert from_error(error, "other", "s") == Problem("s", "x.json", "task 3", "a: b: c")
    # An image's error names the image, not the annotation the caller would guess.
    with pytest.raises(ImageError) as image_error:
        open_image("nowhere/photo.jpg")
    assert from_error(image_error.value, "photo.xml", "p") == Problem(
        "p", "nowhere/photo.jpg", "", "image not found"
    )
    # An OSError names its file and reason; no message is parsed.
    with pytest.raises(OSError) as os_error:
        Path("nowhere/x.xml").read_text()
    assert from_error(os_error.value, "fallback.xml") == Problem(
        "", "nowhere/x.xml", "", "No such file or directory"
    )
    plain = ValueError("x.xml: object 1 ('car'): gone")
    assert from_error(plain, "x.xml") == Problem("", "x.xml", "", "x.xml: object 1 ('car'): gone")


def test_the_listing_report_says_what_the_policy_does_next():
    from streetseg.common.problems import listing_report

    problems = [Problem("a", "data/a.xml", "", "malformed XML")]
    stop, skip = listing_report(problems, "stop"), listing_report(problems, "skip")
    assert stop.splitlines()[0].startswith("1 problem in the data")
    assert stop.splitlines()[-1].startswith("data.on_bad_sample is stop: every good mask")
    assert skip.splitlines()[-1] == "data.on_bad_sample is skip: these files are left out"
    assert "data/a.xml" in skip
