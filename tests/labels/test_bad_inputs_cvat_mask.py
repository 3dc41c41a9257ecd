"""Bad CVAT "Segmentation mask 1.1" exports: broken labelmap.txt files and masks.

As in the other test_bad_inputs_*.py files: each case must be refused naming the file at fault
and must leave no output.
"""

from __future__ import annotations

import numpy as np
import pytest

from streetseg.labels.formats.base import AnnotationError
from tests.helpers.bad_inputs import assert_refused, case, image_bytes, write

GOOD = "# label:color_rgb:parts:actions\nbackground:0,0,0::\nroad:250,50,83::\ncar:1,2,3::\n"
ROAD = (250, 50, 83)


def rgb(*colours, width=12) -> bytes:
    """A 12x8 mask: the colours in vertical stripes, the last one filling the rest."""
    pixels = np.zeros((8, width, 3), np.uint8)
    for index, colour in enumerate(colours):
        pixels[:, index:] = colour
    return image_bytes(pixels=pixels)


def _grey(value, width=12) -> bytes:
    return image_bytes(pixels=np.full((8, width), value, np.uint8), mode="L")


# labelmap.txt (None: missing) beside a good mask; the error must name labelmap.txt.
LABELMAPS = [
    case("truncated-line", GOOD + "sky:51,221", "line 5: 'sky:51,221' has 2 ':'-separated"),
    case("extra-field", GOOD + "sky:1,2,3:::", "line 5: 'sky:1,2,3:::' has 5 ':'-separated"),
    case("garbled-colour", GOOD + "sky:51,two,255::", "line 5: label 'sky': colour '51,two,255'"),
    case("two-channel-colour", "road:250,50::", "line 1: label 'road': colour '250,50' is not"),
    case("colour-out-of-range", "road:256,0,0::", "colour '256,0,0' has a channel outside"),
    case("no-name", GOOD + ":1,2,3::", "line 5: ':1,2,3::' has no label name"),
    case("name-twice", GOOD + "road:1,2,3::", "line 5: label 'road' is listed twice"),
    case("shared-colour", GOOD + "lane:250,50,83::", "labels 'road' and 'lane' share the colour"),
    case("only-comments", "# label:color_rgb:parts:actions\n", "lists no labels"),
    case("empty", "", "file is empty"),
    case("not-utf8", b"road:250,50,83::\n\xff\xfe\n", "not UTF-8 text"),
    case(
        "missing", None, "not found; a CVAT mask export keeps labelmap.txt beside", fmt="cvat_mask"
    ),
]


@pytest.mark.parametrize("filename, content, fragments, kwargs", LABELMAPS)
def test_bad_labelmap_is_refused(tmp_path, classes, filename, content, fragments, kwargs):
    image = write(tmp_path / "a.png", image_bytes())
    (tmp_path / "SegmentationClass").mkdir()
    mask = write(tmp_path / "SegmentationClass" / "a.png", rgb(ROAD))
    labelmap = write(tmp_path / "labelmap.txt", content)
    assert_refused(tmp_path, classes, mask, image, AnnotationError, labelmap, fragments, **kwargs)


# A mask beside a good labelmap.txt and a 12x8 photo; the error must name the mask.
MASKS = [
    case("colour-not-in-labelmap", "a.png", rgb((5, 6, 7)), "colour 5,6,7 (96 px) not listed in"),
    case(
        "colours-by-count",
        "a.png",
        rgb(ROAD, (9, 9, 9), (7, 7, 7)),
        "colour 7,7,7 (80 px), colour 9,9,9 (8 px) not listed",
    ),
    case("value-past-the-labelmap", "a.png", _grey(4), "value 4 (96 px) not listed in"),
    case(
        "unknown-class",
        "a.png",
        rgb((1, 2, 3)),
        "a.png: label 'car' (colour 1,2,3, 96 px): unknown class 'car'; known classes",
    ),
    case("not-a-png", "a.png", b"GIF89a but not really an image", "cannot decode label image"),
    case("truncated", "a.png", rgb(ROAD)[:40], "cannot decode label image"),
    case("missing", "a.png", None, "label image not found", fmt="cvat_mask"),
    case(
        "size-differs-from-photo",
        "a.png",
        rgb(ROAD, width=13),
        "annotation size is 13x8 but the image",
    ),
    case(
        "one-bit",
        "a.png",
        image_bytes(pixels=np.zeros((8, 12), bool), mode="1"),
        "is neither RGB colours nor one channel of labels",
    ),
]


@pytest.mark.parametrize("filename, content, fragments, kwargs", MASKS)
def test_bad_mask_is_refused(tmp_path, classes, filename, content, fragments, kwargs):
    image = write(tmp_path / "a.png", image_bytes())
    (tmp_path / "SegmentationClass").mkdir()
    write(tmp_path / "labelmap.txt", GOOD)
    mask = write(tmp_path / "SegmentationClass" / filename, content)
    assert_refused(tmp_path, classes, mask, image, AnnotationError, mask, fragments, **kwargs)
