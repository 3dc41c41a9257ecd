"""Dense label PNGs: index masks (one value per pixel, CamVid style) and colour masks.

Index masks may be 8-bit grey, palette (the palette index is the value) or 16-bit grey.
Colour masks may be RGB or RGBA, 8 or 16 bits per channel: Pillow reduces 16-bit channels to
their high byte, so the 8-bit colour 128 stored as 32896 reads as 128. Fully transparent
pixels of an RGBA mask are unlabelled and become the ignore label.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from streetseg.labels.classes import IGNORE_LABEL
from streetseg.labels.formats.base import AnnotationError
from streetseg.labels.formats.registry import DENSE, Format

INDEX_MODES = ("L", "P", "I;16", "I;16B", "I;16L", "I")
COLOR_MODES = ("RGB", "RGBA")


def open_mask_image(path, max_pixels: int) -> Image.Image:
    """Open and decode a label PNG, refusing missing, corrupt and oversized files."""
    from streetseg.common.images import open_checked

    return open_checked(path, max_pixels, AnnotationError, "label image")


def dense_kind(image: Image.Image) -> str:
    """ "index" or "color", from the image mode."""
    if image.mode in INDEX_MODES:
        return "index"
    if image.mode in COLOR_MODES:
        return "color"
    raise AnnotationError(
        f"label image mode {image.mode} is neither index nor colour", image.filename
    )


def map_index_values(values: np.ndarray, lookup: dict[int, int | None]) -> tuple[np.ndarray, dict]:
    """Map every pixel value through ``lookup`` (value -> label, None for unknown).

    Returns the uint8 label map and {value: pixel count} of the unknown values.
    """
    labels = np.zeros(values.shape, dtype=np.uint8)
    unknown = {}
    for value in np.unique(values):
        label = lookup.get(int(value))
        where = values == value
        if label is None:
            unknown[int(value)] = int(where.sum())
        else:
            labels[where] = label
    return labels, unknown


def color_keys(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """A 24-bit key per pixel (R << 16 | G << 8 | B) and the transparent-pixel mask."""
    pixels = np.asarray(image.convert("RGBA") if image.mode == "RGBA" else image.convert("RGB"))
    transparent = pixels[..., 3] == 0 if pixels.shape[-1] == 4 else np.zeros(pixels.shape[:2], bool)
    rgb = pixels[..., :3].astype(np.uint32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2], transparent


def key_to_color(key: int) -> str:
    """A 24-bit colour key as "R,G,B"."""
    return f"{key >> 16},{(key >> 8) & 255},{key & 255}"


def parse_color(text: str, where: str) -> int:
    """An "R,G,B" config key as a 24-bit colour key."""
    try:
        red, green, blue = (int(part) for part in str(text).split(","))
    except ValueError:
        raise ValueError(f"{where}: colour {text!r} is not 'R,G,B'") from None
    if not all(0 <= channel <= 255 for channel in (red, green, blue)):
        raise ValueError(f"{where}: colour {text!r} has a channel outside 0..255")
    return (red << 16) | (green << 8) | blue


def dense_mask(path, resolver, fmt: str, labels: dict, max_pixels: int):
    """Map a dense label PNG to class ids with ``resolver`` (a LabelResolver) and the
    ``labels`` settings (index_map, color_map); return the mask (at the PNG's size) and
    statistics."""
    image = open_mask_image(path, max_pixels)
    kind = dense_kind(image)
    if fmt != "auto" and f"{kind}_png" != fmt:
        raise AnnotationError(
            f"configured as {fmt} but the image is a {kind} mask ({image.mode})", path
        )
    if kind == "index":
        source = np.asarray(image)
        lookup = resolver.index_lookup(labels.get("index_map") or {}, np.unique(source))
        transparent = np.zeros(source.shape, dtype=bool)
        describe = str
    else:
        source, transparent = color_keys(image)
        lookup = resolver.color_lookup(labels.get("color_map") or {}, np.unique(source))
        describe = key_to_color
    mask, unknown = map_index_values(source, lookup)
    # Transparent pixels are unlabelled whatever their colour, so they are never "unknown".
    unknown = {v: n for v, n in unknown.items() if not transparent[source == v].all()}
    if unknown and resolver.unknown == "error":
        found = ", ".join(
            f"{describe(v)} ({n} px)" for v, n in sorted(unknown.items(), key=lambda i: -i[1])
        )
        raise AnnotationError(
            f"unmapped {kind} value(s) {found}; map them in labels.{kind}_map "
            f"to one of: {', '.join(resolver.table.names)} or 'ignore'",
            path,
        )
    # Unknown values under the "ignore" policy, and transparent pixels, are not labelled.
    unknown_pixels = np.isin(source, list(unknown)) | transparent
    mask[unknown_pixels] = IGNORE_LABEL
    stats = {
        "objects": 0,
        "ignored": int((mask == IGNORE_LABEL).sum() - unknown_pixels.sum()),
        "unknown": int(sum(unknown.values())),
        "unknown_names": [describe(v) for v in sorted(unknown)],
        "skipped": 0,
        "skipped_kinds": {},
        "coverage": float((mask != IGNORE_LABEL).mean()),
    }
    return mask, stats


def _decode(path, *, resolver, labels, fmt, max_pixels, **_):
    return dense_mask(path, resolver, fmt, labels, max_pixels)


DENSE_SUFFIXES = (".png", ".tif", ".tiff", ".bmp", ".gif")
DESCRIPTORS = (
    Format(
        "index_png",
        "index mask",
        DENSE,
        DENSE_SUFFIXES,
        detect=lambda peek: peek.image_mode in INDEX_MODES,
        hint="one value per pixel",
        decode=_decode,
        detected="grey, palette or 16-bit grey PNG",
        notes=("pixel value → class via `labels.index_map`; without a map, values are class ids"),
    ),
    Format(
        "color_png",
        "colour mask",
        DENSE,
        DENSE_SUFFIXES,
        detect=lambda peek: bool(peek.image_mode),  # dense_mask names a mode it cannot read.
        hint="a colour per pixel",
        decode=_decode,
        detected="RGB or RGBA PNG, 8 or 16 bits per channel",
        notes=(
            '`"R,G,B"` → class via `labels.color_map`; without a map, the class colours; '
            "transparent pixels are unlabelled (255)"
        ),
    ),
)
