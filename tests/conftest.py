"""Shared pytest fixtures: the repository root, the default classes and small files."""

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
def write_xml(tmp_path):
    """Write an XML string to a file in tmp_path and return its path."""

    def write(text: str, name: str = "sample.xml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


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


@pytest.fixture
def shards(make_sample, tmp_path, classes):
    """Train and val shards of small generated scenes."""
    from streetseg.data.shards import shard_names, write_shards
    from streetseg.labels.masks import make_mask

    samples = {}
    for index in range(24):
        image, xml = make_sample(name=f"s{index:02d}", width=64, height=64, seed=index)
        make_mask(xml, image, tmp_path / f"s{index:02d}_mask.png", classes)
        samples[f"s{index:02d}"] = (str(image), str(tmp_path / f"s{index:02d}_mask.png"))
    train = [str(tmp_path / name) for name in shard_names("train", 2)]
    val = [str(tmp_path / name) for name in shard_names("val", 1)]
    names = sorted(samples)
    write_shards({k: samples[k] for k in names[:20]}, train, log=lambda *_: None)
    write_shards({k: samples[k] for k in names[20:]}, val, log=lambda *_: None)
    return train, val
