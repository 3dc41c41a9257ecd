"""Fixtures of the model tests: train and val shards of small generated scenes."""

from __future__ import annotations

import pytest

from tests.helpers import mask_settings


@pytest.fixture
def shards(make_sample, tmp_path, classes):
    """Train and val shards of small generated scenes."""
    from streetseg.data.shards import shard_names, write_shards
    from streetseg.labels.masks import make_mask

    samples = {}
    for index in range(24):
        image, xml = make_sample(name=f"s{index:02d}", width=64, height=64, seed=index)
        make_mask(xml, image, tmp_path / f"s{index:02d}_mask.png", mask_settings(classes))
        samples[f"s{index:02d}"] = (str(image), str(tmp_path / f"s{index:02d}_mask.png"))
    train = [str(tmp_path / name) for name in shard_names("train", 2)]
    val = [str(tmp_path / name) for name in shard_names("val", 1)]
    names = sorted(samples)
    write_shards({k: samples[k] for k in names[:20]}, train, log=lambda *_: None)
    write_shards({k: samples[k] for k in names[20:]}, val, log=lambda *_: None)
    return train, val
