"""Materials of the synthetic scenes: colour anchors, texture kinds and noise per class."""

from __future__ import annotations

import numpy as np
from PIL import Image

from streetseg.labels.classes import DEMO_CLASSES

DEFAULT_CLASS_NAMES = tuple(entry["name"] for entry in DEMO_CLASSES)
CLASS_IDS = {entry["name"]: entry["id"] for entry in DEMO_CLASSES}

# Colour anchors per material. Materials share anchors on purpose (grey facades, roads and
# concrete; green trees and lawns; white skies and facades) so that colour alone is ambiguous.
GREYS = [(75, 75, 78), (118, 118, 116), (160, 158, 152), (205, 204, 198)]
ANCHORS = {
    "sky": [(128, 170, 225), (185, 200, 218), (205, 205, 205), (232, 178, 135), (150, 152, 165)],
    "building": GREYS + [(196, 184, 160), (150, 82, 62), (120, 140, 165), (172, 150, 118)],
    "road": GREYS[:3] + [(102, 92, 82), (92, 96, 104)],
    "sidewalk": GREYS[1:] + [(192, 180, 156), (160, 92, 76)],
    "concrete": GREYS + [(196, 186, 164)],
    "landscaping": [(82, 128, 52), (122, 140, 62), (112, 86, 62), (60, 92, 42), (150, 140, 92)],
    "tree": [(62, 102, 42), (40, 72, 32), (112, 140, 52), (188, 140, 52), (150, 72, 42)],
    "trunk": [(92, 72, 52), (82, 82, 76), (122, 102, 82)],
    "ground": GREYS[:3] + [(140, 128, 108), (96, 82, 66), (100, 120, 70)],
    "clutter": GREYS + [(120, 96, 70), (60, 90, 50), (150, 82, 62), (40, 60, 140)],
    "window": [(40, 48, 58), (90, 110, 130), (150, 175, 205), (210, 210, 200), (60, 60, 60)],
}
# Texture kinds. Per kind, AMPLITUDES says how strongly fine grain, leafy blotches, vertical
# streaks and large stains modulate the base colour; patterns on top are painted separately.
LOT, SKY, FACADE, ASPHALT, PAVING, GRASS, LEAFY, BARK, CONCRETE = range(9)
AMPLITUDES = np.array(
    [[.05, .06, .03, .10], [.01, 0, 0, 0], [.025, .02, .02, .06], [.07, .03, 0, .10],
     [.04, .02, 0, .06], [.08, .05, .22, .10], [.06, .30, 0, .08], [.05, 0, .25, 0],
     [.04, .02, .04, .16]], dtype=np.float32,
)  # fmt: skip


def pick_colour(rng, material: str) -> np.ndarray:
    """One anchor of a material, scaled and shifted so that neighbouring anchors overlap."""
    anchor = np.array(ANCHORS[material][rng.integers(len(ANCHORS[material]))], dtype=np.float64)
    return np.clip(anchor * rng.uniform(0.8, 1.2) + rng.normal(0, 14, 3), 10, 245)


def smooth_noise(rng, height, width, cell_y, cell_x) -> np.ndarray:
    """Unit-variance noise with features of about cell_y x cell_x pixels (bicubic upsampling)."""
    grid = rng.standard_normal((height // cell_y + 2, width // cell_x + 2)).astype(np.float32)
    field = np.asarray(Image.fromarray(grid).resize((width, height), Image.BICUBIC))
    return (field - field.mean()) / (field.std() + 1e-6)
