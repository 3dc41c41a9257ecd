"""The mask stage: one annotation file in, one class-id palette PNG out."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from streetseg.annotations import Annotation, AnnotationError, parse_voc_xml
from streetseg.classes import IGNORE_LABEL, ClassTable, normalize_name
from streetseg.images import DEFAULT_MAX_PIXELS, image_size
from streetseg.io import write_bytes_atomic
from streetseg.rasterize import rasterize


def resolve_classes(
    annotation: Annotation,
    table: ClassTable,
    aliases: dict[str, str] | None = None,
    ignore: list[str] | None = None,
    unknown: str = "error",
) -> list[tuple[int, np.ndarray]]:
    """Turn an annotation's objects into (class_id, vertices) shapes, in paint order.

    Names match after trimming whitespace and ignoring case. ``aliases`` maps source names
    onto the project's classes, names in ``ignore`` become the ignore label 255, and names
    that are still unknown raise an error (``unknown="error"``) or are skipped
    (``unknown="ignore"``).
    """
    lookup = table.lookup()
    alias_lookup = {normalize_name(k): normalize_name(v) for k, v in (aliases or {}).items()}
    ignored = {normalize_name(name) for name in (ignore or [])}
    shapes = []
    for obj in annotation.objects:
        key = normalize_name(obj.name)
        key = alias_lookup.get(key, key)
        if key in ignored:
            shapes.append((IGNORE_LABEL, obj.vertices))
        elif key in lookup:
            shapes.append((lookup[key], obj.vertices))
        elif unknown == "error":
            raise AnnotationError(
                f"{annotation.path}: {obj.where}: unknown class {obj.name.strip()!r}; "
                f"known classes: {', '.join(table.names)}"
            )
    return shapes


def encode_mask(mask: np.ndarray, table: ClassTable) -> bytes:
    """Encode a class-id array as an 8-bit palette PNG whose palette holds the class colours."""
    image = Image.fromarray(mask.astype(np.uint8), mode="P")
    image.putpalette(table.palette())
    buffer = io.BytesIO()
    # Fixed settings keep the bytes identical from run to run.
    image.save(buffer, format="PNG", compress_level=6, optimize=False)
    return buffer.getvalue()


def read_mask(path: str | Path) -> np.ndarray:
    """Read a class-id mask PNG back as a uint8 array (palette indices, not colours)."""
    with Image.open(path) as image:
        if image.mode not in ("P", "L"):
            raise ValueError(f"{path}: a mask must be a palette or 8-bit grey PNG, not {image.mode}")
        return np.asarray(image, dtype=np.uint8)


def make_mask(
    annotation_path: str | Path,
    image_path: str | Path,
    mask_path: str | Path,
    classes: list[dict],
    aliases: dict[str, str] | None = None,
    ignore: list[str] | None = None,
    unknown: str = "error",
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> np.ndarray:
    """Rasterise one annotation file into ``mask_path`` and return the mask.

    The image is opened to check that it exists, decodes, and has the size the annotation
    declares; a mismatch is an error because the polygons would not line up with the photo.
    """
    table = ClassTable.from_config(classes)
    annotation = parse_voc_xml(annotation_path)
    width, height = image_size(image_path, max_pixels)
    if (width, height) != (annotation.width, annotation.height):
        raise AnnotationError(
            f"{annotation_path}: <size> says {annotation.width}x{annotation.height} but the "
            f"image {image_path} is {width}x{height}"
        )
    shapes = resolve_classes(annotation, table, aliases, ignore, unknown)
    mask = rasterize(shapes, annotation.width, annotation.height, background=0)
    write_bytes_atomic(mask_path, encode_mask(mask, table))
    return mask
