"""The mask stage: palette PNGs with class ids, name matching and clear refusals."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from streetseg.common.images import ImageError
from streetseg.common.problems import read_problems
from streetseg.labels.annotations import AnnotationError
from streetseg.labels.masks import make_mask, make_masks, read_mask


def test_mask_is_a_palette_png_holding_class_ids_and_colours(make_sample, tmp_path, classes):
    image, xml = make_sample(width=4, height=4)
    out = tmp_path / "out" / "scene.png"
    make_mask(xml, image, out, classes)
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
    make_mask(xml, image, tmp_path / "a.png", classes)
    make_mask(xml, image, tmp_path / "b.png", classes)
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
        make_mask(xml, image, out, classes)
    message = str(error.value)
    assert str(xml) in message and "object 2 ('lamppost')" in message
    assert "background, tree, landscaping, road" in message
    assert not out.exists()


def test_unknown_policy_ignore_skips_and_aliases_map(make_sample, tmp_path, classes):
    square = np.array([[0, 0], [12, 0], [12, 8], [0, 8]])
    image, xml = make_sample(objects=[("vegetation", square), ("lamppost", square)])
    mask = make_mask(
        xml,
        image,
        tmp_path / "m.png",
        classes,
        labels={"aliases": {"Vegetation": "landscaping"}, "unknown": "ignore"},
    )
    assert np.all(mask == 2)


def test_ignored_names_become_255(make_sample, tmp_path, classes):
    square = np.array([[0, 0], [12, 0], [12, 8], [0, 8]])
    image, xml = make_sample(objects=[("car", square)])
    mask = make_mask(xml, image, tmp_path / "m.png", classes, labels={"ignore": ["car"]})
    assert np.all(mask == 255)


def test_declared_size_must_match_the_image(make_sample, tmp_path, classes):
    image, xml = make_sample(width=12, height=8)
    Image.new("RGB", (13, 8)).save(image)
    with pytest.raises(AnnotationError, match="annotation size is 12x8 but the image .* is 13x8"):
        make_mask(xml, image, tmp_path / "m.png", classes)
    assert not (tmp_path / "m.png").exists()


def test_missing_and_corrupt_images_are_named(make_sample, tmp_path, classes):
    image, xml = make_sample()
    image.write_bytes(image.read_bytes()[:40])
    with pytest.raises(ImageError, match=f"{image}: cannot decode"):
        make_mask(xml, image, tmp_path / "m.png", classes)
    image.unlink()
    with pytest.raises(ImageError, match=f"{image}: image not found"):
        make_mask(xml, image, tmp_path / "m.png", classes)


def test_a_chunk_writes_every_mask_and_one_stats_row_per_sample(make_sample, tmp_path, classes):
    names = ["a", "b", "c"]
    pairs = [make_sample(name=name, width=4, height=4) for name in names]
    masks = [tmp_path / "out" / f"{name}.png" for name in names]
    said = []
    stats, problems = make_masks(
        names,
        [x for _, x in pairs],
        [i for i, _ in pairs],
        masks,
        tmp_path / "out" / "stats.tsv",
        classes,
        log=said.append,
    )
    assert problems == []
    for (image, xml), out in zip(pairs, masks):  # the same bytes as make_mask gives one by one
        make_mask(xml, image, tmp_path / "single.png", classes)
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
        ["a", "b", "c"],
        [x for _, x in pairs],
        [i for i, _ in pairs],
        masks,
        tmp_path / "out" / "s.tsv",
        classes,
        log=said.append,
        problems_path=tmp_path / "out" / "problems.tsv",
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
    make_mask(pairs[1][1], pairs[1][0], tmp_path / "single.png", classes)
    assert masks[1].read_bytes() == (tmp_path / "single.png").read_bytes()
    assert set(np.unique(read_mask(masks[0]))) == {255} and read_mask(masks[0]).shape == (8, 12)
    assert read_mask(masks[2]).shape == (1, 1) and read_mask(masks[2])[0, 0] == 255
    assert any(line.startswith("problem: ") and str(pairs[0][1]) in line for line in said)
