"""Problem rows: a message split into file, object and reason, and the console table."""

from __future__ import annotations

from streetseg.common.problems import Problem, format_problems, from_error, from_message


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


def test_an_error_with_fields_gives_them_unsplit():
    from streetseg.labels.formats.base import AnnotationError

    error = AnnotationError("a: b: c", "x.json", "task 3")
    assert from_error(error, "other", "s") == Problem("s", "x.json", "task 3", "a: b: c")
    # Any other exception: its message, split as before.
    plain = OSError("x.xml: object 1 ('car'): gone")
    assert from_error(plain, "x.xml") == Problem("", "x.xml", "object 1 ('car')", "gone")
