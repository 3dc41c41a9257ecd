"""streetseg's Label Studio brush RLE decoder against label-studio-converter's outputs
(fixtures/label_studio_rle.json, made by fixtures/make_label_studio_rle.py), and its checks."""

import json
from pathlib import Path

import numpy as np
import pytest

from streetseg.labels.formats.base import AnnotationError
from streetseg.labels.formats.lsrle import decode_alpha, decode_mask

CASES = json.loads((Path(__file__).parent / "fixtures" / "label_studio_rle.json").read_text())


def _pack(fields) -> list[int]:
    """Bytes from (value, bits) fields, padded with zero bits."""
    bits = "".join(f"{value:0{size}b}" for value, size in fields)
    bits += "0" * (-len(bits) % 8)
    return [int(bits[k : k + 8], 2) for k in range(0, len(bits), 8)]


def _header(count):
    return [(count, 32), (7, 5), (2, 4), (3, 4), (7, 4), (15, 4)]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_decodes_as_label_studio_converter_does(case):
    alpha = decode_alpha(case["rle"], case["width"], case["height"])
    np.testing.assert_array_equal(alpha, np.array(case["alpha"], dtype=np.uint8))
    np.testing.assert_array_equal(
        decode_mask(case["rle"], case["width"], case["height"]), alpha >= 128
    )


def test_every_case_kind_is_covered():
    names = {case["name"] for case in CASES}
    assert {"disc", "literal-runs", "word-12"} <= names
    assert any(np.array(case["alpha"]).any() for case in CASES)


@pytest.mark.parametrize(
    ("rle", "width", "height", "message"),
    [
        (_pack(_header(16) + [(1, 1), (0, 2), (7, 3), (255, 8)]), 2, 2, "ends in the middle"),
        (_pack(_header(8) + [(1, 1), (1, 2), (15, 4), (255, 8)]), 2, 1, "run ends at value 16"),
        (_pack(_header(2**32 - 1)), 2, 2, "holds 4294967295 values; a 2x2 RGBA image has 16"),
        ([1, 2, 300], 2, 2, "outside 0..255"),
        ([1, "a"], 2, 2, "not an integer"),
        ("AAAA", 2, 2, "not a non-empty list"),
        ([], 2, 2, "not a non-empty list"),
    ],
)
def test_broken_streams_are_refused(rle, width, height, message):
    with pytest.raises(AnnotationError, match=message):
        decode_alpha(rle, width, height)
