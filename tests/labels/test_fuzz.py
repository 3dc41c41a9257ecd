"""Broken copies of good annotation files, in every text format: truncated, re-encoded and
byte-flipped. Each must give a mask or a problem row, never an exception out of the mask job
or the folder listing (seeded, so a failure reproduces)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from streetseg.data.samples import directory_samples
from streetseg.demo.scenes import generate_scene
from streetseg.labels.annotations import write_voc_xml
from streetseg.labels.classes import IGNORE_LABEL
from streetseg.labels.masks import MaskChunk, make_masks
from tests.helpers import mask_settings
from tests.helpers.format_writers import (
    write_coco_json,
    write_cvat_xml,
    write_labelme_json,
    write_labelme_xml,
)
from tests.helpers.writers_azureml import write_azureml_jsonl
from tests.helpers.writers_cityscapes import write_cityscapes_json
from tests.helpers.writers_labelbox import ndjson_row, v1_row, write_labelbox_json
from tests.helpers.writers_labelstudio import inside, write_label_studio_json
from tests.helpers.writers_supervisely import write_supervisely_json

WIDTH, HEIGHT = 48, 32
NAMES = ["background", "tree", "landscaping", "road", "sidewalk", "building", "sky", "concrete"]


def _writers():
    """name -> (file name, a function writing a good file of that format for scene a.png)."""
    rgb, objects = generate_scene(seed=4, index=1, width=WIDTH, height=HEIGHT)
    objects = inside(objects, WIDTH, HEIGHT)
    scene = ("a.png", WIDTH, HEIGHT, objects)
    import json

    return {
        "voc": ("a.xml", lambda p: write_voc_xml(p, "a.png", WIDTH, HEIGHT, objects)),
        "labelme_xml": ("a.xml", lambda p: write_labelme_xml(p, "a.png", WIDTH, HEIGHT, objects)),
        "labelme_json": (
            "a.json",
            lambda p: write_labelme_json(p, "a.png", WIDTH, HEIGHT, objects),
        ),
        "cvat": ("export.xml", lambda p: write_cvat_xml(p, [scene])),
        "coco": ("export.json", lambda p: write_coco_json(p, [scene], NAMES)),
        "labelbox_ndjson": (
            "export.ndjson",
            lambda p: p.write_text(json.dumps(ndjson_row(*scene)) + "\n"),
        ),
        "labelbox_v1": ("export.json", lambda p: write_labelbox_json(p, [v1_row(*scene)])),
        "label_studio": ("export.json", lambda p: write_label_studio_json(p, [scene])),
        "azureml": ("export.jsonl", lambda p: write_azureml_jsonl(p, [scene])),
        "supervisely": ("a.png.json", lambda p: write_supervisely_json(p, WIDTH, HEIGHT, objects)),
        "cityscapes": (
            "a_gtFine_polygons.json",
            lambda p: write_cityscapes_json(p, WIDTH, HEIGHT, objects),
        ),
    }, rgb


def _mutations(data: bytes, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    out = [(f"truncated-{n}", data[: len(data) * n // 8]) for n in range(1, 8)]
    for n in range(6):
        flipped = bytearray(data)
        for _ in range(1 + n):
            position = rng.randrange(len(flipped))
            flipped[position] = rng.randrange(256)
        out.append((f"flipped-{n}", bytes(flipped)))
    out.append(("utf16", data.decode("utf-8", "replace").encode("utf-16")))
    out.append(("latin1-byte", data.replace(b"a", b"\xe9", 3)))
    out.append(("nul-bytes", data.replace(b" ", b"\0", 5)))
    return out


FORMATS, _ = _writers()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_broken_copies_give_a_mask_or_a_problem_row_never_a_crash(tmp_path, classes, fmt):
    writers, rgb = _writers()
    filename, write = writers[fmt]
    good = tmp_path / "good"
    good.mkdir()
    write(good / filename)
    data = (good / filename).read_bytes()
    refused = 0
    for name, content in _mutations(data, seed=len(fmt)):
        folder = tmp_path / name
        folder.mkdir()
        Image.fromarray(rgb).save(folder / "a.png")
        annotation = folder / filename
        annotation.write_bytes(content)
        problems: list = []
        directory_samples(str(folder), problems)  # must not raise
        mask_path = folder / "m.png"
        stats, found = make_masks(
            MaskChunk(
                ["a"],
                [str(annotation)],
                [str(folder / "a.png")],
                [str(mask_path)],
                folder / "stats.tsv",
            ),
            mask_settings(classes),
            log=lambda *_: None,
        )
        assert mask_path.is_file(), (fmt, name)
        if found:
            mask = np.asarray(Image.open(mask_path))
            assert (mask == IGNORE_LABEL).all(), (fmt, name)
            assert found[0].file and found[0].problem, (fmt, name)
            refused += 1
        else:
            assert list(stats["sample"]) == ["a"], (fmt, name)
    # Every truncation but perhaps the last cuts a file in two: most copies are refused.
    assert refused >= 6, (fmt, refused)
