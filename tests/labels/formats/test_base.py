"""The JSON Lines reader of streetseg.labels.formats.base, which the Labelbox NDJSON and Azure
ML JSONL readers share: line numbers, blank lines, duplicate keys and the size limits."""

import pytest

import streetseg.labels.formats.base
from streetseg.labels.formats.base import AnnotationError, read_json_lines


def _lines(tmp_path, text: str, limit=None):
    path = tmp_path / "export.jsonl"
    path.write_text(text)
    return path, list(read_json_lines(path, limit))


def _error(tmp_path, text: str, limit=None) -> str:
    with pytest.raises(AnnotationError) as raised:
        _lines(tmp_path, text, limit)
    return str(raised.value).replace(str(tmp_path / "export.jsonl"), "FILE")


def test_each_object_comes_with_its_line_number_and_blank_lines_are_skipped(tmp_path):
    _, lines = _lines(tmp_path, '{"a": 1}\n\n   \n[2, 3]\n"x"')
    assert lines == [(1, {"a": 1}), (4, [2, 3]), (5, "x")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}\n{"a": 2, "a": 3}\n', "FILE: line 2: the object with keys a: key 'a' appears"),
        (
            '{"id": 7, "label": "car", "label": "bus"}\n',
            "FILE: line 1: the object with id 7, label 'car': key 'label' appears twice",
        ),
        # The ninth character, "}", is where a key was expected.
        ('{"a": 1}\n\n{"a": 1,}\n', "FILE: line 3: malformed JSON at column 9: Expecting prop"),
        ("[" * 100_000 + "\n", "FILE: line 1: JSON is nested too deeply"),
    ],
)
def test_errors_name_the_file_and_the_line(tmp_path, text, expected):
    assert _error(tmp_path, text).startswith(expected)


def test_text_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": "\xe9"}\n')
    with pytest.raises(AnnotationError, match=r"export.jsonl: line 2: not UTF-8 text"):
        list(read_json_lines(path))


def test_a_line_over_the_per_image_limit_is_refused(tmp_path, monkeypatch):
    # The limit of one line is MAX_FILE_BYTES; at 10 bytes, the 11-byte second line (with its
    # newline) is one too many, the 10-byte first line is not.
    monkeypatch.setattr(streetseg.labels.formats.base, "MAX_FILE_BYTES", 10)
    assert _error(tmp_path, '{"a": 12}\n{"a": 123}\n') == "FILE: line 2: line is over 10 bytes"


def test_the_file_limit_is_checked_before_reading(tmp_path):
    text = '{"a": 1}\n'  # 9 bytes
    assert _lines(tmp_path, text, limit=9)[1] == [(1, {"a": 1})]
    assert _error(tmp_path, text, limit=8) == "FILE: file is 9 bytes; the limit is 8"
    assert _error(tmp_path, "") == "FILE: file is empty"
