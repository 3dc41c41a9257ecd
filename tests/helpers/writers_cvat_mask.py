"""Write CVAT "Segmentation mask 1.1" exports (labelmap.txt and SegmentationClass/ PNGs), for
the tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

# A labelmap as CVAT writes it: background first, each label's colour, empty parts and actions.
# The colours are not the config's class colours, so a test passes only if labelmap.txt is read.
LABELS = [
    ("background", (0, 0, 0)),
    ("road", (250, 50, 83)),
    ("Sky ", (51, 221, 255)),
    ("tree", (36, 179, 83)),
    ("building", (255, 106, 77)),
    ("sidewalk", (184, 61, 245)),
    ("landscaping", (131, 224, 112)),
    ("concrete", (245, 147, 49)),
]


def labelmap_text(labels=LABELS) -> str:
    lines = ["# label:color_rgb:parts:actions"]
    lines += [f"{name}:{red},{green},{blue}::" for name, (red, green, blue) in labels]
    return "\n".join(lines) + "\n"


def write_cvat_mask_export(folder, masks: dict, labels=LABELS) -> Path:
    """``masks``: image stem -> array of positions in ``labels``; writes labelmap.txt,
    SegmentationClass/<stem>.png in the labels' colours, ImageSets/Segmentation/default.txt
    and an empty SegmentationObject/ as CVAT does. Returns the export folder."""
    folder = Path(folder)
    (folder / "SegmentationClass").mkdir(parents=True, exist_ok=True)
    (folder / "SegmentationObject").mkdir(exist_ok=True)
    (folder / "ImageSets" / "Segmentation").mkdir(parents=True, exist_ok=True)
    (folder / "labelmap.txt").write_text(labelmap_text(labels))
    colours = np.array([colour for _, colour in labels], dtype=np.uint8)
    for stem, positions in masks.items():
        Image.fromarray(colours[np.asarray(positions)]).save(
            folder / "SegmentationClass" / f"{stem}.png"
        )
    (folder / "ImageSets" / "Segmentation" / "default.txt").write_text(
        "".join(f"{stem}\n" for stem in masks)
    )
    return folder


def positions_of(class_ids: np.ndarray, classes: list[dict], labels=LABELS) -> np.ndarray:
    """The labelmap positions that paint a mask of class ids (classes matched by name)."""
    position = {name.strip().lower(): index for index, (name, _) in enumerate(labels)}
    lookup = np.array([position[entry["name"]] for entry in classes])
    return lookup[class_ids]
