"""Where a CVAT "Segmentation mask 1.1" export keeps its files, told from names alone (no
imports from the rest of streetseg, so that the class table's unannotated check can use it)."""

from __future__ import annotations

from pathlib import Path

LABELMAP = "labelmap.txt"
CLASS_FOLDER = "SegmentationClass"


def labelmap_path(mask: str | Path) -> Path:
    """Where a mask's labelmap.txt is: beside the nearest ``SegmentationClass`` folder above
    the mask, else in the folder above the mask's folder."""
    mask = Path(mask)
    folder = next((p for p in mask.parents if p.name == CLASS_FOLDER), mask.parent)
    return folder.parent / LABELMAP


def is_cvat_mask(path: str | Path) -> bool:
    """Whether a file is a mask of a CVAT export: a ``.png`` below a ``SegmentationClass``
    folder whose parent holds labelmap.txt (a test on names and one ``stat``)."""
    path = Path(path)
    if path.suffix.lower() != ".png" or CLASS_FOLDER not in path.parent.parts:
        return False
    return labelmap_path(path).is_file()
