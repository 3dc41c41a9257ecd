"""The mask stage: palette PNGs with class ids, what unpainted pixels become, sizes, chunks of
samples, multi-image exports and shapes without area, and clear refusals."""

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from streetseg.common.images import ImageError
from streetseg.common.problems import read_problems
from streetseg.labels.annotations import AnnotationError, write_voc_xml
from streetseg.labels.masks import MaskChunk, build_mask, make_mask, make_masks, read_mask
from tests.helpers import CARS_FIRST, NO_BACKGROUND, mask_settings


def test_mask_is_a_palette_png_holding_class_ids_and_colours(make_sample, tmp_path, classes):
    image, xml = make_sample(width=4, height=4)
    out = tmp_path / "out" / "scene.png"
    make_mask(xml, image, out, mask_settings(classes))
    with Image.open(out) as picture:
        assert picture.mode == "P"
        assert picture.getpalette()[3 * 6 : 3 * 6 + 3] == [70, 130, 180]  # sky's colour
    # Sky covers rows 0-1. The road triangle (0,4),(2,2),(4,4) spans x in [1.5, 2.5) on
    # row 2's centre line (y = 2.5) and [0.5, 3.5) on row 3's, so centres on its right edge
    # (2.5 and 3.5) stay out.
    expected = np.array([[6, 6, 6, 6], [6, 6, 6, 6], [0, 3, 0, 0], [3, 3, 3, 0]])
    np.testing.assert_array_equal(read_mask(out), expected)


def test_same_inputs_give_byte_identical_masks(make_sample, tmp_path, classes):
    image, xml = make_sample()
    make_mask(xml, image, tmp_path / "a.png", mask_settings(classes))
    make_mask(xml, image, tmp_path / "b.png", mask_settings(classes))
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_unknown_class_names_the_file_the_object_and_the_known_names(
    make_sample, tmp_path, classes
):
    image, xml = make_sample(
        objects=[
            ("sky", np.array([[0, 0], [4, 0], [4, 4]])),
            ("lamppost", np.array([[0, 0], [4, 0], [4, 4]])),
        ]
    )
    out = tmp_path / "mask.png"
    with pytest.raises(AnnotationError) as error:
        make_mask(xml, image, out, mask_settings(classes))
    message = str(error.value)
    assert str(xml) in message and "object 2 ('lamppost')" in message
    assert "background, tree, landscaping, road" in message
    assert not out.exists()


def test_unpainted_pixels_are_the_background_class_whatever_its_id(make_sample):
    # A 12x8 image whose upper half is sky and lower triangle road: "sky" aliased to car.
    image, xml = make_sample()
    mask, _ = build_mask(xml, image, mask_settings(CARS_FIRST, labels={"aliases": {"sky": "car"}}))
    # The triangle from (0,8) over (6,4) to (12,8) leaves the rest of the lower half unpainted:
    # those pixels are background (id 2), not class id 0 (car).
    assert mask[4, 0] == 2 and mask[7, 6] == 1 and mask[0, 0] == 0
    assert set(np.unique(mask)) == {0, 1, 2}


def test_unannotated_may_be_ignored_or_any_class(make_sample):
    image, xml = make_sample()
    ignored, _ = build_mask(
        xml,
        image,
        mask_settings(NO_BACKGROUND, labels={"aliases": {"sky": "car"}, "unannotated": "ignore"}),
    )
    assert ignored[4, 0] == 255 and ignored[0, 0] == 0
    road, _ = build_mask(
        xml,
        image,
        mask_settings(NO_BACKGROUND, labels={"aliases": {"sky": "car"}, "unannotated": " ROAD"}),
    )
    assert road[4, 0] == 1


def test_declared_size_must_match_the_image(make_sample, tmp_path, classes):
    image, xml = make_sample(width=12, height=8)
    Image.new("RGB", (13, 8)).save(image)
    with pytest.raises(AnnotationError, match="annotation size is 12x8 but the image .* is 13x8"):
        make_mask(xml, image, tmp_path / "m.png", mask_settings(classes))
    assert not (tmp_path / "m.png").exists()


def test_a_size_mismatch_row_keeps_its_whole_reason(make_sample, tmp_path, classes):
    # The reason holds ": " itself (size_mismatch: rescale); the row takes the error's own
    # fields, so the real sizes are not cut off into the object column.
    image, xml = make_sample(width=12, height=8)
    Image.new("RGB", (13, 8)).save(image)
    problems_path = tmp_path / "problems.tsv"
    make_masks(
        MaskChunk(
            ["s"],
            [str(xml)],
            [str(image)],
            [str(tmp_path / "s.png")],
            tmp_path / "stats.tsv",
            problems=problems_path,
        ),
        mask_settings(classes),
        log=lambda *_: None,
    )
    (row,) = read_problems(problems_path)
    assert (row.file, row.object) == (str(xml), "")
    assert row.problem == (
        f"annotation size is 12x8 but the image {image} is 13x8 (set "
        "annotations.size_mismatch: rescale to scale it)"
    )


def test_missing_and_corrupt_images_are_named(make_sample, tmp_path, classes):
    image, xml = make_sample()
    image.write_bytes(image.read_bytes()[:40])
    with pytest.raises(ImageError, match=f"{image}: cannot decode"):
        make_mask(xml, image, tmp_path / "m.png", mask_settings(classes))
    image.unlink()
    with pytest.raises(ImageError, match=f"{image}: image not found"):
        make_mask(xml, image, tmp_path / "m.png", mask_settings(classes))


def test_rescale_policy_scales_polygons_to_the_image(image, mask_of, tmp_path):
    write_voc_xml(
        tmp_path / "half.xml",
        "photo.png",
        3,
        2,
        [("road", np.array([[0, 1], [3, 1], [3, 2], [0, 2]]))],
    )
    mask = mask_of(tmp_path / "half.xml", image, size_mismatch="rescale")
    np.testing.assert_array_equal(mask, np.array([[0] * 6, [0] * 6, [3] * 6, [3] * 6]))


def test_exif_rotated_photo_gets_a_mask_of_the_rotated_size(tmp_path, classes):
    # Stored 6 wide and 4 high with orientation 6 (rotate 90 degrees clockwise): the annotator
    # saw a 4x6 image, so the annotation and the mask are 4 wide and 6 high.
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (6, 4), (10, 20, 30)).save(tmp_path / "rot.jpg", exif=exif.tobytes())
    write_voc_xml(
        tmp_path / "rot.xml", "rot.jpg", 4, 6, [("sky", np.array([[0, 0], [4, 0], [4, 1], [0, 1]]))]
    )
    mask = make_mask(
        tmp_path / "rot.xml", tmp_path / "rot.jpg", tmp_path / "m.png", mask_settings(classes)
    )
    assert mask.shape == (6, 4) and (mask[0] == 6).all() and (mask[1:] == 0).all()
    assert read_mask(tmp_path / "m.png").shape == (6, 4)


def test_a_chunk_writes_every_mask_and_one_stats_row_per_sample(make_sample, tmp_path, classes):
    names = ["a", "b", "c"]
    pairs = [make_sample(name=name, width=4, height=4) for name in names]
    masks = [tmp_path / "out" / f"{name}.png" for name in names]
    said = []
    stats, problems = make_masks(
        MaskChunk(
            names,
            [x for _, x in pairs],
            [i for i, _ in pairs],
            masks,
            tmp_path / "out" / "stats.tsv",
        ),
        mask_settings(classes),
        log=said.append,
    )
    assert problems == []
    for (image, xml), out in zip(pairs, masks):  # the same bytes as make_mask gives one by one
        make_mask(xml, image, tmp_path / "single.png", mask_settings(classes))
        assert out.read_bytes() == (tmp_path / "single.png").read_bytes()
    table = pd.read_csv(tmp_path / "out" / "stats.tsv", sep="\t", keep_default_na=False).set_index(
        "sample"
    )
    assert list(table.index) == names and table.equals(stats.set_index("sample"))
    # The 4x4 scene of the first test: 8 sky, 4 road and 4 background pixels.
    row = table.loc["b"]
    assert (row["pixels_6"], row["pixels_3"], row["pixels_0"], row["pixels_255"]) == (8, 4, 4, 0)
    assert row["width"] == 4 and row["format"] == "labelbox_voc" and row["objects"] == 2
    assert said[-1].startswith("3/3 masks") and said[-1].endswith("0 with problems")


def test_a_bad_sample_fails_only_itself_and_every_good_mask_is_kept(make_sample, tmp_path, classes):
    pairs = [make_sample(name=name) for name in ("a", "b", "c")]
    pairs[0][1].write_text("<annotation><object>")
    pairs[2][0].unlink()
    masks = [tmp_path / "out" / f"{name}.png" for name in ("a", "b", "c")]
    said = []
    stats, problems = make_masks(
        MaskChunk(
            ["a", "b", "c"],
            [x for _, x in pairs],
            [i for i, _ in pairs],
            masks,
            tmp_path / "out" / "s.tsv",
            problems=tmp_path / "out" / "problems.tsv",
        ),
        mask_settings(classes),
        log=said.append,
    )
    assert list(stats["sample"]) == ["b"]
    assert [(p.sample, p.file) for p in problems] == [
        ("a", str(pairs[0][1])),
        ("c", str(pairs[2][0])),
    ]
    assert (
        problems[0].problem.startswith("malformed XML") and problems[1].problem == "image not found"
    )
    assert read_problems(tmp_path / "out" / "problems.tsv") == problems
    # The good mask is written; a bad sample's mask ignores every pixel (1x1 without an image).
    make_mask(pairs[1][1], pairs[1][0], tmp_path / "single.png", mask_settings(classes))
    assert masks[1].read_bytes() == (tmp_path / "single.png").read_bytes()
    assert set(np.unique(read_mask(masks[0]))) == {255} and read_mask(masks[0]).shape == (8, 12)
    assert read_mask(masks[2]).shape == (1, 1) and read_mask(masks[2])[0, 0] == 255
    assert any(line.startswith("problem: ") and str(pairs[0][1]) in line for line in said)


def test_one_export_gives_the_masks_of_per_image_files(scenes, scene_job):
    reference = scene_job([str(scenes / f"s{i}.xml") for i in range(4)], "voc")
    for export in ("cvat.xml", "coco.json"):
        stats = scene_job([str(scenes / export)] * 4, f"out-{export}")
        for index in range(4):
            produced = (scenes / f"out-{export}" / f"s{index}.png").read_bytes()
            assert produced == (scenes / "voc" / f"s{index}.png").read_bytes(), (export, index)
        pixels = [column for column in stats if column.startswith("pixels_")]
        assert stats[pixels].equals(reference[pixels])


CVAT_WITH_LINES = """<annotations><version>1.1</version>
<image id="0" name="a.png" width="4" height="4">
  <polygon label="road" points="0,0;4,0;4,4;0,4" z_order="0"/>
  <polyline label="road" points="0,0;4,4" z_order="0"/>
  <points label="sky" points="1,1" z_order="0"/>
  <polyline label="sky" points="0,4;4,0" z_order="0"/>
  <tag label="daytime"/>
</image></annotations>"""


def test_shapes_without_area_are_counted_and_logged(tmp_path, classes):
    Image.new("RGB", (4, 4)).save(tmp_path / "a.png")
    (tmp_path / "a.xml").write_text(CVAT_WITH_LINES)
    labelme = {
        "imagePath": "a.png",
        "imageWidth": 4,
        "imageHeight": 4,
        "shapes": [
            {"label": "road", "points": [[0, 0], [4, 0], [4, 4]], "shape_type": "polygon"},
            {"label": "road", "points": [[0, 0], [4, 4]], "shape_type": "line"},
        ],
    }
    (tmp_path / "b.json").write_text(json.dumps(labelme))
    # Two polylines and one points shape; the <tag> labels the whole image and is no shape.
    mask, stats = build_mask(tmp_path / "a.xml", tmp_path / "a.png", mask_settings(classes))
    assert (stats["skipped"], stats["skipped_kinds"]) == (3, {"polyline": 2, "points": 1})
    assert stats["objects"] == 1 and (mask == 3).all()
    said = []
    table = make_masks(
        MaskChunk(
            ["a", "b"],
            [str(tmp_path / "a.xml"), str(tmp_path / "b.json")],
            [str(tmp_path / "a.png")] * 2,
            [str(tmp_path / "out" / "a.png"), str(tmp_path / "out" / "b.png")],
            tmp_path / "out" / "s.tsv",
        ),
        mask_settings(classes),
        log=said.append,
    )[0]
    skipped = "skipped 3 shapes without area (points 1, polyline 2)"
    assert f"WARNING: {tmp_path / 'a.xml'} (a.png): {skipped}" in said
    assert f"WARNING: {tmp_path / 'b.json'} (a.png): skipped 1 shapes without area (line 1)" in said
    written = pd.read_csv(tmp_path / "out" / "s.tsv", sep="\t")
    assert list(written["skipped"]) == list(table["skipped"]) == [3, 1]
    assert list(written.columns[7:10]) == ["unknown", "skipped", "unknown_names"]
