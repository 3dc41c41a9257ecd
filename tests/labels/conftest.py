"""Fixtures of the label tests: a small photo, the mask of an annotation over it, and demo
scenes written as per-image files and as multi-image exports, with a mask job over them."""

import numpy as np
import pytest
from PIL import Image

from streetseg.labels.masks import MaskChunk, make_mask, make_masks
from tests.helpers import mask_settings
from tests.helpers.format_writers import (
    write_coco_json,
    write_cvat_xml,
    write_scene_photo,
    write_voc_xml,
)

SCENE_WIDTH, SCENE_HEIGHT = 48, 32


@pytest.fixture
def image(tmp_path):
    """A 6x4 RGB photo named photo.png."""
    path = tmp_path / "photo.png"
    Image.new("RGB", (6, 4), (90, 90, 90)).save(path)
    return path


@pytest.fixture
def mask_of(tmp_path, classes):
    """The mask ``make_mask`` gives an annotation over a photo (written to tmp_path/out/m.png)."""

    def mask(annotation, image, **options):
        return make_mask(
            annotation, image, tmp_path / "out" / "m.png", mask_settings(classes, **options)
        )

    return mask


@pytest.fixture
def scenes(tmp_path, classes):
    """Four demo scenes as images and VOC files, and one CVAT and one COCO file of all of
    them plus an image no job asks for."""
    entries = [("unused.png", 10, 10, [("sky", np.array([[0, 0], [10, 0], [10, 10]]))])]
    for index in range(4):
        entry = write_scene_photo(tmp_path, f"s{index}", 3, index, SCENE_WIDTH, SCENE_HEIGHT)
        write_voc_xml(tmp_path / f"s{index}.xml", *entry)
        entries.append((f"frames/{entry[0]}", *entry[1:]))
    write_cvat_xml(tmp_path / "cvat.xml", entries)
    write_coco_json(tmp_path / "coco.json", entries, [entry["name"] for entry in classes])
    return tmp_path


@pytest.fixture
def scene_job(scenes, classes):
    """A mask job over the four scenes: given one annotation file per scene and a folder name
    under ``scenes``, it writes the masks and statistics there and returns the statistics."""

    def job(annotations, out):
        ids = [f"s{index}" for index in range(4)]
        return make_masks(
            MaskChunk(
                ids,
                annotations,
                [str(scenes / f"{i}.png") for i in ids],
                [str(scenes / out / f"{i}.png") for i in ids],
                scenes / out / "stats.tsv",
            ),
            mask_settings(classes),
            log=lambda line: None,
        )[0]

    return job
