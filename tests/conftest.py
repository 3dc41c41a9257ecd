"""Fixtures shared by every test folder: the default classes, a small annotated sample and a
folder of new photos to segment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO

sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def classes() -> list[dict]:
    """The default class list from config/config.yaml."""
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())["classes"]


@pytest.fixture
def make_sample(tmp_path):
    """Write a small image and a Labelbox XML with a road and a sky box; return both paths."""
    import numpy as np
    from PIL import Image

    from streetseg.labels.annotations import write_voc_xml

    def make(name: str = "scene", width: int = 12, height: int = 8, objects=None, seed: int = 0):
        rng = np.random.default_rng(seed)
        image_path = tmp_path / f"{name}.png"
        pixels = rng.integers(0, 255, size=(height, width, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(image_path)
        if objects is None:
            objects = [
                ("sky", np.array([[0, 0], [width, 0], [width, height / 2], [0, height / 2]])),
                ("Road ", np.array([[0, height], [width / 2, height / 2], [width, height]])),
            ]
        xml_path = tmp_path / f"{name}.xml"
        write_voc_xml(xml_path, image_path.name, width, height, objects)
        return image_path, xml_path

    return make


@pytest.fixture(scope="session")
def photo_folder(tmp_path_factory) -> Path:
    """New photos to segment, written once for the session: copy the folder before changing it.

    A street scene (avenue.jpg, 96x64), noise in other sizes and modes (wide.jpg 80x48 RGB,
    grey.png 30x90 grey, drive2/rgba.png 20x20 RGBA in a sub-folder), a corrupt JPEG
    (broken.jpg), and files that are no photos: notes.txt, wide.json and the hidden .hidden.jpg.
    Listed, the photos are avenue.jpg, broken.jpg, drive2/rgba.png, grey.png, wide.jpg.
    """
    import numpy as np
    from PIL import Image

    from streetseg.demo.scenes import generate_scene

    folder = tmp_path_factory.mktemp("photos")
    (folder / "drive2").mkdir()
    Image.fromarray(generate_scene(seed=1, index=0, width=96, height=64)[0]).save(
        folder / "avenue.jpg"
    )
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (48, 80, 3), np.uint8)).save(folder / "wide.jpg")
    Image.fromarray(rng.integers(0, 255, (90, 30), np.uint8), mode="L").save(folder / "grey.png")
    rgba = Image.fromarray(rng.integers(0, 255, (20, 20, 4), np.uint8), mode="RGBA")
    rgba.save(folder / "drive2" / "rgba.png")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "notes.txt").write_text("not an image")
    (folder / "wide.json").write_text("{}")
    (folder / ".hidden.jpg").write_bytes(b"")
    return folder
