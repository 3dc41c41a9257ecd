"""Deterministic synthetic street scenes: the workflow's default demo data set.

A pinhole camera looks down a street of road, sidewalks, lawns, buildings, trees and concrete.
The world is projected to polygons, written as Labelbox XML and rasterised; the image is painted
from that raster, so image and annotation agree pixel for pixel. Colours overlap across classes:
only shape, context and texture tell them apart.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from streetseg.common.files import atomic_path, write_bytes_atomic
from streetseg.demo.layout import finish_polygon, layout_scene
from streetseg.demo.materials import CLASS_IDS, DEFAULT_CLASS_NAMES
from streetseg.demo.paint import paint
from streetseg.labels.annotations import write_voc_xml
from streetseg.labels.rasterize import rasterize

__all__ = [
    "DEFAULT_CLASS_NAMES",
    "demo_sample_ids",
    "generate_scene",
    "scene_label_map",
    "write_demo",
]


def demo_sample_ids(n_scenes: int) -> list[str]:
    """['scene_000', 'scene_001', ...], zero padded to at least three digits."""
    digits = max(3, len(str(max(n_scenes - 1, 0))))
    return [f"scene_{index:0{digits}d}" for index in range(n_scenes)]


def scene_label_map(objects, width: int, height: int) -> np.ndarray:
    """The class-id map of (class_name, vertices) objects, painted in order."""
    return rasterize([(CLASS_IDS[name], vertices) for name, vertices in objects], width, height)


def generate_scene(
    seed: int, index: int, width: int, height: int
) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    """Return (rgb uint8 HxWx3, objects): (class_name, Nx2 float64 vertices) in paint order."""
    rng = np.random.default_rng([seed, index])
    parts, cars, world = layout_scene(rng, width, height)
    margin = rng.uniform(0.5, 6.0)  # Exported shapes end this far past the image's edges.
    kept = [
        (name, finish_polygon(polygon, width, height, margin), *rest)
        for name, polygon, *rest in parts
    ]
    kept = [part for part in kept if len(part[1]) >= 3][:254]  # Instance ids must fit uint8.
    objects = [(name, polygon) for name, polygon, *_ in kept]
    return paint(rng, kept, cars, world, scene_label_map(objects, width, height)), objects


def write_demo(out_dir, n_scenes: int, seed: int, width: int, height: int, log=print) -> list[str]:
    """Write out_dir/{id}.jpg and out_dir/{id}.xml for every demo scene; return the ids."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = demo_sample_ids(n_scenes)
    for index, sample in enumerate(ids):
        rgb, objects = generate_scene(seed, index, width, height)
        # Fixed JPEG settings and no EXIF keep the bytes identical from run to run; both files
        # go through a temporary file and a rename, so no partial file survives an interruption.
        buffer = io.BytesIO()
        Image.fromarray(rgb).save(buffer, format="JPEG", quality=92, subsampling=0, optimize=False)
        write_bytes_atomic(out_dir / f"{sample}.jpg", buffer.getvalue())
        with atomic_path(out_dir / f"{sample}.xml") as temporary:
            write_voc_xml(temporary, f"{sample}.jpg", width, height, objects)
        if (index + 1) % 10 == 0 or index + 1 == n_scenes:
            log(f"demo: wrote {index + 1}/{n_scenes} scenes to {out_dir}")
    return ids
