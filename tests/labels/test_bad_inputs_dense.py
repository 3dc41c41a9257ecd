"""Bad photos, bad dense label PNGs and inputs past the size limits.

As in the other test_bad_inputs_*.py files: each case must be refused naming the file at fault
and must leave no output.
"""

from __future__ import annotations

import numpy as np
import pytest

from streetseg.common.images import ImageError
from streetseg.labels.formats import base, coordinates
from streetseg.labels.formats.base import AnnotationError
from tests.helpers.bad_inputs import (
    FIVE,
    VOC_ROAD,
    assert_refused,
    case,
    coco,
    coco_annotation,
    cvat,
    cvat_polygon,
    image_bytes,
    labelme_json,
    labelme_xml,
    png_header,
    shape,
    voc,
    voc_polygon,
    write,
)

PNG, JPEG = image_bytes(), image_bytes(fmt="JPEG")
BOMB = png_header(20_000, 20_000)  # 400 Mpx: over Pillow's own hard limit of 2 x 89.5 Mpx


def grey(value: int, width=12, height=8) -> bytes:
    return image_bytes(pixels=np.full((height, width), value, np.uint8), mode="L")


def noise_labels() -> bytes:
    """A 12x8 index mask of class ids 0..7 that compresses poorly, so a cut lands in the pixels."""
    pixels = np.random.default_rng(1).integers(0, 8, (8, 12), dtype=np.uint8)
    return image_bytes(pixels=pixels, mode="L")


def rgb(color) -> bytes:
    return image_bytes(pixels=np.full((8, 12, 3), color, np.uint8))


# A photo (None: missing) beside a good Labelbox VOC file; the error must name the photo.
PHOTOS = [
    case("photo-missing", "a.png", None, "image not found"),
    case("photo-empty", "a.png", b"", "cannot decode image"),
    case("photo-corrupt", "a.png", b"GIF89a but not really an image", "cannot decode image"),
    case("photo-truncated-png", "a.png", PNG[: len(PNG) // 2], "cannot decode image"),
    case("photo-truncated-jpeg", "a.jpg", JPEG[: len(JPEG) // 2], "cannot decode image"),
    case(
        "photo-over-max-pixels",
        "a.png",
        PNG,
        "12x8 = 96 pixels; the limit (images.max_pixels) is 50",
        max_pixels=50,
    ),
    case("photo-decompression-bomb", "a.png", BOMB, "pixels"),
]


@pytest.mark.parametrize("filename, content, fragments, kwargs", PHOTOS)
def test_bad_photo_is_refused(tmp_path, classes, filename, content, fragments, kwargs):
    image = write(tmp_path / filename, content)
    annotation = write(tmp_path / "a.xml", VOC_ROAD)
    assert_refused(tmp_path, classes, annotation, image, ImageError, image, fragments, **kwargs)


def test_annotation_size_must_match_the_photo(tmp_path, classes):
    image = write(tmp_path / "a.png", image_bytes(width=13))
    annotation = write(tmp_path / "a.xml", VOC_ROAD)
    message = assert_refused(
        tmp_path,
        classes,
        annotation,
        image,
        AnnotationError,
        annotation,
        ["annotation size is 12x8 but the image"],
    )
    assert str(image) in message and "13x8" in message


# Dense label PNGs beside a good 12x8 photo; the error must name the label PNG.
LABELS = [
    case(
        "index-unmapped-value",
        "l.png",
        grey(42),
        "unmapped index value(s) 42 (96 px)",
        "labels.index_map",
    ),
    case(
        "color-unmapped-color",
        "l.png",
        rgb((1, 2, 3)),
        "unmapped color value(s) 1,2,3 (96 px)",
        "labels.color_map",
    ),
    case(
        "color-declared-index",
        "l.png",
        rgb((70, 130, 180)),
        "configured as index_png but the image is a color mask (RGB)",
        fmt="index_png",
    ),
    case(
        "index-declared-color",
        "l.png",
        grey(3),
        "configured as color_png but the image is a",
        fmt="color_png",
    ),
    case(
        "label-mode-1-bitmap",
        "l.png",
        image_bytes(pixels=np.zeros((8, 12), bool), mode="1"),
        "label image mode 1 is neither index nor colour",
    ),
    case("label-missing", "l.png", None, "label image not found"),
    case(
        "label-corrupt-declared",
        "l.png",
        b"not a png",
        "cannot decode label image",
        fmt="index_png",
    ),
    case("label-truncated", "l.png", noise_labels()[:64], "cannot decode label image"),
    case("label-corrupt-auto", "l.png", b"not a png", "cannot decode label image"),
    case("label-empty-auto", "l.png", b"", "label image"),
    case(
        "label-over-max-pixels",
        "l.png",
        grey(3, 24, 16),
        "label image is 24x16 = 384 pixels; the limit (images.max_pixels) is 100",
        max_pixels=100,
    ),
    case("label-decompression-bomb", "l.png", BOMB, "pixels"),
    case(
        "label-size-differs-from-photo",
        "l.png",
        grey(3, 24, 16),
        "annotation size is 24x16 but the image",
    ),
]


@pytest.mark.parametrize("filename, content, fragments, kwargs", LABELS)
def test_bad_label_png_is_refused(tmp_path, classes, filename, content, fragments, kwargs):
    image = write(tmp_path / "a.png", image_bytes())
    label = write(tmp_path / filename, content)
    assert_refused(tmp_path, classes, label, image, AnnotationError, label, fragments, **kwargs)


# A five-point polygon in every polygon format, against a limit of four points.
FIVE_POINTS = list(zip(FIVE[0::2], FIVE[1::2]))
TOO_MANY_POINTS = [
    case("voc", "a.xml", voc(voc_polygon("road", *FIVE)), "object 1 ('road')"),
    case("labelme-xml", "a.xml", labelme_xml(*FIVE_POINTS), "object 1 ('road')"),
    case(
        "cvat",
        "a.xml",
        cvat(cvat_polygon(";".join(f"{x},{y}" for x, y in FIVE_POINTS))),
        "polygon 1 ('road')",
    ),
    case(
        "labelme-json",
        "a.json",
        labelme_json(shape([list(p) for p in FIVE_POINTS])),
        "shape 1 ('road')",
    ),
    case("coco", "a.json", coco(coco_annotation([list(FIVE)])), "annotation 7 ('road') part 1"),
]


@pytest.mark.parametrize("filename, content, fragments, kwargs", TOO_MANY_POINTS)
def test_too_many_polygon_points_are_refused(
    tmp_path, classes, monkeypatch, filename, content, fragments, kwargs
):
    monkeypatch.setattr(coordinates, "MAX_POINTS_PER_POLYGON", 4)
    image = write(tmp_path / "a.png", image_bytes())
    annotation = write(tmp_path / filename, content)
    limit = ("5 points; the limit is 4", "more than 4 polygon points")
    assert_refused(
        tmp_path, classes, annotation, image, AnnotationError, annotation, [*fragments, limit]
    )


# read_xml, read_json and check_file_size take the file limit as a default argument, bound
# when the module is imported, so lowering base.MAX_FILE_BYTES has no effect; lowering the
# readers' defaults does.
@pytest.mark.parametrize(
    "filename, content, reader",
    [
        pytest.param("a.xml", VOC_ROAD, base.read_xml, id="xml-over-file-limit"),
        pytest.param(
            "a.json",
            labelme_json(shape([[0, 0], [12, 0], [12, 8]])),
            base.read_json,
            id="json-over-file-limit",
        ),
    ],
)
def test_files_over_the_size_limit_are_refused(
    tmp_path, classes, monkeypatch, filename, content, reader
):
    monkeypatch.setattr(reader, "__defaults__", (100,))
    image = write(tmp_path / "a.png", image_bytes())
    annotation = write(tmp_path / filename, content)
    assert_refused(
        tmp_path,
        classes,
        annotation,
        image,
        AnnotationError,
        annotation,
        [f"file is {len(content)} bytes; the limit is 100"],
    )


def test_lowering_max_file_bytes_takes_effect(tmp_path, classes, monkeypatch):
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 100)
    image = write(tmp_path / "a.png", image_bytes())
    annotation = write(tmp_path / "a.xml", VOC_ROAD)
    assert_refused(
        tmp_path, classes, annotation, image, AnnotationError, annotation, ["the limit is 100"]
    )
