"""The prediction overlay: colours blended over the photo, ignored pixels left alone, a legend
and an optional title."""

from __future__ import annotations

import numpy as np

from streetseg.inference.overlays import make_overlay
from streetseg.labels.classes import IGNORE_LABEL, ClassTable
from tests.helpers.charts import CLASSES


def test_make_overlay_blends_colours_and_keeps_ignored_pixels():
    table = ClassTable.from_config(CLASSES)
    photo_colour = np.array([100, 150, 200], dtype=np.uint8)
    image = np.tile(photo_colour, (4, 6, 1))
    prediction = np.full((4, 6), 3, dtype=np.uint8)  # tree, colour (34, 140, 34)
    prediction[0, 0] = IGNORE_LABEL
    prediction[3, 5] = 1  # road, colour (128, 64, 128)
    overlay = make_overlay(image, prediction, table, alpha=0.5)
    assert overlay.height > 4 * 60  # Enlarged so the legend is legible, and the legend adds height.
    zoom = int(np.ceil(240 / 4))
    tile_w = 6 * zoom
    left = (overlay.width - tile_w) // 2
    pixels = np.asarray(overlay)

    def at(row, column):
        """The middle of an enlarged mask pixel (without a title the image starts at the top)."""
        return tuple(pixels[row * zoom + zoom // 2, left + column * zoom + zoom // 2])

    # Tree: (100 + 34) / 2, (150 + 140) / 2, (200 + 34) / 2.
    # Road: (100 + 128) / 2, (150 + 64) / 2, (200 + 128) / 2.
    assert at(1, 1) == (67, 145, 117)
    assert at(3, 5) == (114, 107, 164)
    assert at(0, 0) == (100, 150, 200)
    # The legend strip below the image is not plain white: it holds the swatches.
    legend = pixels[zoom * 4 + 8 :]
    assert legend.shape[0] > 10 and (legend < 250).any()


def test_make_overlay_title_adds_height():
    table = ClassTable.from_config(CLASSES)
    image = np.zeros((240, 320, 3), dtype=np.uint8)
    prediction = np.zeros((240, 320), dtype=np.uint8)
    plain = make_overlay(image, prediction, table)
    titled = make_overlay(image, prediction, table, title="scene_001")
    assert titled.height > plain.height > 240
    assert plain.width == 320 + 16
