"""Painting an annotation's shapes into a class-id mask, in file order, with the statistics
the mask stage records (objects, ignored, unknown names, skipped shapes, coverage)."""

from __future__ import annotations

import numpy as np

from streetseg.common.images import resize_labels
from streetseg.labels.classes import IGNORE_LABEL
from streetseg.labels.formats.base import AnnotationError
from streetseg.labels.rasterize import fill_polygon
from streetseg.labels.resolver import LabelResolver


def polygon_mask(
    annotation, resolver: LabelResolver, width: int, height: int, scale=(1.0, 1.0), unannotated=0
):
    """Paint an annotation's shapes in order over ``unannotated`` (the label of pixels no shape
    covers: a class id or 255); return the mask and its statistics."""
    mask = np.full((height, width), unannotated, dtype=np.uint8)
    covered = np.zeros((height, width), dtype=np.uint8)
    stats = {
        "objects": len(annotation.objects),
        "ignored": 0,
        "unknown": 0,
        "unknown_names": [],
        "skipped": sum(annotation.skipped.values()),
        "skipped_kinds": dict(annotation.skipped),
    }
    unknown = []
    for obj in annotation.objects:
        label = resolver.label(obj.name)
        if label is None:
            stats["unknown"] += 1
            stats["unknown_names"].append(obj.name.strip())
            unknown.append(obj)
            if resolver.unknown == "error":
                continue
            # labels.unknown: ignore: the object's pixels are left out of training and
            # scores, not handed to the class below it.
            label = IGNORE_LABEL
        else:
            stats["ignored"] += label == IGNORE_LABEL
        if obj.bitmap is not None:
            bitmap = obj.bitmap
            if bitmap.shape != (height, width):
                bitmap = resize_labels(bitmap.astype(np.uint8), height, width).astype(bool)
            mask[bitmap] = label
            covered[bitmap] = label != IGNORE_LABEL
        else:
            _paint_polygon(mask, covered, obj, label, np.asarray(scale))
    if unknown and resolver.unknown == "error":
        raise unknown_classes_error(annotation.path, unknown, resolver)
    stats["coverage"] = float(covered.mean())
    return mask, stats


def unknown_classes_error(path, unknown: list, resolver: LabelResolver) -> AnnotationError:
    """One error naming every unknown class name of a file, with its count and where it first
    appears (the object itself where there is only one)."""
    known = f"known classes: {', '.join(resolver.table.names)}"
    if len(unknown) == 1:
        name = unknown[0].name.strip()
        return AnnotationError(f"unknown class {name!r}; {known}", path, unknown[0].where)
    first, counts = {}, {}
    for obj in unknown:
        name = obj.name.strip()
        first.setdefault(name, obj.where)
        counts[name] = counts.get(name, 0) + 1
    parts = [
        f"{name!r} ({counts[name]} object{'s' if counts[name] > 1 else ''}, first {where})"
        for name, where in first.items()
    ]
    return AnnotationError(f"unknown classes {', '.join(parts)}; {known}", path)


def _paint_polygon(mask, covered, obj, label: int, scale: np.ndarray) -> None:
    """Paint a polygon's exterior, then give the pixels inside any of its holes back what they
    were before it (so earlier objects show through a hole)."""
    vertices = obj.vertices * scale
    if obj.holes:
        before, covered_before = mask.copy(), covered.copy()
    fill_polygon(mask, vertices, label)
    fill_polygon(covered, vertices, int(label != IGNORE_LABEL))
    if obj.holes:
        inside = np.zeros(mask.shape, dtype=bool)
        for hole in obj.holes:
            fill_polygon(inside, hole * scale, True)
        mask[inside] = before[inside]
        covered[inside] = covered_before[inside]
