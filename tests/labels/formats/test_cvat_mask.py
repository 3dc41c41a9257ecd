"""CVAT "Segmentation mask 1.1" exports: labelmap.txt parsing, hand-worked masks in colours,
palette and one channel, the background label, detection, one labelmap read per job, and
listing an export as a data folder."""

import numpy as np
import pytest
from PIL import Image

from streetseg.data.samples import directory_samples, folder_samples
from streetseg.labels import annotations
from streetseg.labels.annotations import detect_format
from streetseg.labels.classes import ConfigError, unannotated_class
from streetseg.labels.formats.cvat_mask import parse_labelmap
from streetseg.labels.masks import MaskChunk, build_mask, make_masks
from tests.helpers import mask_settings

LABELMAP = """# label:color_rgb:parts:actions
background:0,0,0::

road:250,50,83::
Sky :51,221,255::
car:1,2,3::
pole:::
"""
BG, ROAD, SKY, CAR = (0, 0, 0), (250, 50, 83), (51, 221, 255), (1, 2, 3)
# A 4x3 mask: the colours and their positions in LABELMAP.
COLOURS = [[ROAD, ROAD, SKY, SKY], [BG, CAR, CAR, ROAD], [BG, BG, BG, SKY]]
POSITIONS = [[1, 1, 2, 2], [0, 3, 3, 1], [0, 0, 0, 2]]
# With car aliased to concrete (7), over the default classes (background 0, road 3, sky 6).
EXPECTED = [[3, 3, 6, 6], [0, 7, 7, 3], [0, 0, 0, 6]]
CAR_IS_CONCRETE = {"aliases": {"car": "concrete"}}
NO_BACKGROUND = [
    {"id": 0, "name": "road", "color": [128, 64, 128]},
    {"id": 1, "name": "sky", "color": [70, 130, 180]},
    {"id": 2, "name": "concrete", "color": [250, 170, 30]},
]


def _export(folder, pixels, mode="RGB", labelmap=LABELMAP):
    """folder/labelmap.txt, folder/SegmentationClass/a.png and a 4x3 photo folder/a.png."""
    (folder / "SegmentationClass").mkdir(parents=True)
    (folder / "labelmap.txt").write_text(labelmap)
    mask = folder / "SegmentationClass" / "a.png"
    if mode == "P":  # A palette PNG: the positions, with the labels' colours as palette.
        picture = Image.fromarray(np.array(POSITIONS, dtype=np.uint8), mode="P")
        picture.putpalette([channel for colour in (BG, ROAD, SKY, CAR) for channel in colour])
    else:
        picture = Image.fromarray(np.array(pixels, dtype=np.uint8)).convert(mode)
    picture.save(mask)
    Image.new("RGB", (4, 3)).save(folder / "a.png")
    return mask, folder / "a.png"


def test_labelmap_is_read_as_datumaro_reads_it(tmp_path):
    (tmp_path / "labelmap.txt").write_text(LABELMAP)
    labelmap = parse_labelmap(tmp_path / "labelmap.txt")
    assert labelmap.names == ("background", "road", "Sky", "car", "pole")
    assert labelmap.colors == {
        0: "background",
        250 * 65536 + 50 * 256 + 83: "road",
        51 * 65536 + 221 * 256 + 255: "Sky",
        1 * 65536 + 2 * 256 + 3: "car",
    }


@pytest.mark.parametrize("mode", ["RGB", "P", "RGBA"])
def test_colour_masks_by_hand(tmp_path, classes, mode):
    mask, image = _export(tmp_path, COLOURS, mode)
    assert detect_format(mask) == "cvat_mask"
    produced, stats = build_mask(mask, image, mask_settings(classes, labels=CAR_IS_CONCRETE))
    np.testing.assert_array_equal(produced, EXPECTED)
    assert (stats["format"], stats["unknown"], stats["coverage"]) == ("cvat_mask", 0, 1.0)


def test_one_channel_masks_hold_positions_in_the_labelmap(tmp_path, classes):
    mask, image = _export(tmp_path, POSITIONS, "L")
    produced, _ = build_mask(
        mask, image, mask_settings(classes, labels=CAR_IS_CONCRETE, format="cvat_mask")
    )
    np.testing.assert_array_equal(produced, EXPECTED)


def test_clear_pixels_of_an_rgba_mask_are_unlabelled(tmp_path, classes):
    pixels = np.dstack([np.array(COLOURS, np.uint8), np.full((3, 4), 255, np.uint8)])
    pixels[0, 0, 3] = 0
    mask, image = _export(tmp_path, pixels, "RGBA")
    produced, _ = build_mask(mask, image, mask_settings(classes, labels=CAR_IS_CONCRETE))
    assert produced[0, 0] == 255 and produced[0, 1] == 3


@pytest.mark.parametrize(
    "labels, background",
    [
        ({"unannotated": "ignore"}, 255),
        ({"unannotated": "sky"}, 1),
        ({"unannotated": "sky", "aliases": {"background": "concrete"}}, 2),
    ],
)
def test_background_is_the_unannotated_class_unless_a_name_matches(tmp_path, labels, background):
    mask, image = _export(tmp_path, COLOURS)
    labels = {**labels, "aliases": {"car": "concrete", **labels.get("aliases", {})}}
    produced, _ = build_mask(mask, image, mask_settings(NO_BACKGROUND, labels=labels))
    b = background
    np.testing.assert_array_equal(produced, [[0, 0, 1, 1], [b, 2, 2, 0], [b, b, b, 1]])


def test_a_background_class_wins_over_labels_unannotated(tmp_path, classes):
    mask, image = _export(tmp_path, COLOURS)
    labels = {"unannotated": "sky", **CAR_IS_CONCRETE}
    np.testing.assert_array_equal(
        build_mask(mask, image, mask_settings(classes, labels=labels))[0], EXPECTED
    )
    ignored, stats = build_mask(
        mask, image, mask_settings(classes, labels={"ignore": ["background"], **labels})
    )
    assert ignored[2].tolist() == [255, 255, 255, 6] and stats["ignored"] == 4


def test_without_background_class_or_key_the_export_is_refused(tmp_path):
    mask, image = _export(tmp_path, COLOURS)
    with pytest.raises(ConfigError, match="1 polygon annotation.s. or CVAT mask.s."):
        unannotated_class(NO_BACKGROUND, "", [str(mask)])
    with pytest.raises(ConfigError, match="labels.unannotated is needed"):
        build_mask(
            mask, image, mask_settings(NO_BACKGROUND, labels={"aliases": {"car": "concrete"}})
        )


def test_unknown_labels_under_the_ignore_policy(tmp_path, classes):
    mask, image = _export(tmp_path, COLOURS)
    produced, stats = build_mask(mask, image, mask_settings(classes, labels={"unknown": "ignore"}))
    assert produced[1].tolist() == [0, 255, 255, 3]
    assert (stats["unknown"], stats["unknown_names"], stats["ignored"]) == (2, ["car"], 0)


def test_a_mask_without_labelmap_is_a_colour_png(tmp_path, classes):
    mask, _ = _export(tmp_path, COLOURS)
    (tmp_path / "labelmap.txt").unlink()
    assert detect_format(mask) == "color_png"


def test_the_labelmap_is_read_once_per_job(tmp_path, classes, monkeypatch):
    calls = []
    real = annotations.parse_labelmap
    monkeypatch.setattr(
        annotations, "parse_labelmap", lambda path: calls.append(path) or real(path)
    )
    mask, image = _export(tmp_path, COLOURS)
    Image.fromarray(np.array(COLOURS, np.uint8)).save(mask.with_name("b.png"))
    Image.new("RGB", (4, 3)).save(tmp_path / "b.png")
    stats, problems = make_masks(
        MaskChunk(
            ["a", "b"],
            [str(mask), str(mask.with_name("b.png"))],
            [str(image), str(tmp_path / "b.png")],
            [str(tmp_path / "out" / "a.png"), str(tmp_path / "out" / "b.png")],
            tmp_path / "out" / "stats.tsv",
        ),
        mask_settings(classes, labels=CAR_IS_CONCRETE),
        log=lambda line: None,
    )
    assert problems == [] and list(stats["sample"]) == ["a", "b"]
    assert calls == [str(tmp_path / "labelmap.txt")]


def test_listing_an_export_pairs_each_mask_with_its_photo(tmp_path):
    export = tmp_path / "export"
    _export(export, COLOURS)  # a.png beside labelmap.txt
    (export / "JPEGImages").mkdir()
    Image.new("RGB", (4, 3)).save(export / "JPEGImages" / "b.jpg")
    for stem in ("b", "c"):
        Image.new("RGB", (4, 3)).save(export / "SegmentationClass" / f"{stem}.png")
    problems = []
    table = directory_samples(str(export), problems)
    assert list(table.index) == ["a", "b"]
    assert table.loc["b", "image"] == str(export / "JPEGImages" / "b.jpg")
    assert table.loc["b", "annotation"] == str(export / "SegmentationClass" / "b.png")
    assert [(p.sample, p.problem) for p in problems] == [
        ("c", f"no image c.* in {export / 'JPEGImages'} or {export}")
    ]


def test_folder_pairs_can_point_at_segmentation_class(tmp_path):
    mask, _ = _export(tmp_path / "export", COLOURS)
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (4, 3)).save(tmp_path / "photos" / "a.jpg")
    entry = {"images": str(tmp_path / "photos"), "annotations": str(mask.parent)}
    table = folder_samples([entry])
    assert table.loc["a", "annotation"] == str(mask) and detect_format(mask) == "cvat_mask"
