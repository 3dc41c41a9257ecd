"""The charts' four-class table, and writing and checking the files the chart tests use."""

from __future__ import annotations

import pandas as pd
from PIL import Image

CLASSES = [
    {"id": 0, "name": "background", "color": [0, 0, 0]},
    {"id": 1, "name": "road", "color": [128, 64, 128]},
    {"id": 2, "name": "sky", "color": [70, 130, 180]},
    {"id": 3, "name": "tree", "color": [34, 140, 34]},
]
NAMES = [entry["name"] for entry in CLASSES]


def write_tsv(path, frame: pd.DataFrame, index: bool = False):
    frame.to_csv(path, sep="\t", index=index, na_rep="NA")
    return str(path)


def assert_png(path, min_side: int = 300):
    """The chart exists, is a real PNG and is big enough to hold labelled axes."""
    with Image.open(path) as picture:
        assert picture.format == "PNG"
        assert min(picture.size) >= min_side
        assert max(picture.size) < 4000
