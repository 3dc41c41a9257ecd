"""Reading photos: orientation, colour modes and the checks that keep bad files out."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from streetseg.common.defaults import default
from streetseg.common.errors import FileError

# The configured pixel limit (images.max_pixels) is checked from the header before decoding;
# Pillow's own fixed limit is lifted so that it neither preempts nor caps that setting.
Image.MAX_IMAGE_PIXELS = None

# Refuse images larger than this many pixels unless config raises the limit.
DEFAULT_MAX_PIXELS = default("images.max_pixels")
# What counts as a photo, by suffix: in a data folder and among new photos to segment.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp")


class ImageError(FileError):
    """An image cannot be used (see :class:`FileError` for the fields)."""


def open_checked(
    path, max_pixels: int, error=None, what: str = "image", data: bytes | None = None
) -> Image.Image:
    """Open and fully decode a picture, refusing missing, corrupt and oversized files.

    With ``data`` (the file's bytes, e.g. downloaded from S3) those are decoded and ``path``
    only names the picture in messages. The pixel limit is checked from the header, before
    any pixel is decoded. Failures raise ``error`` (an exception class, :class:`ImageError` by
    default) naming the file.
    """
    error = error or ImageError
    if data is None:
        path = Path(path)
        if not path.is_file():
            raise error(f"{what} not found", path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path if data is None else io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise error(
                    f"{what} is {width}x{height} = {width * height} pixels; "
                    f"the limit (images.max_pixels) is {max_pixels}",
                    path,
                )
            image.load()
    except error:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as problem:
        raise error(f"cannot decode {what}: {problem}", path) from None
    return image


def open_image(
    path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS, data: bytes | None = None
) -> Image.Image:
    """Open and fully decode a photo (see :func:`open_checked`)."""
    return open_checked(path, max_pixels, data=data)


def load_rgb(
    path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS, data: bytes | None = None
) -> np.ndarray:
    """Decode an image (the file ``path``, or its bytes ``data``) as an RGB uint8 array,
    upright as the annotator saw it.

    EXIF orientation is applied, because labelling tools show the rotated image and the
    polygons are drawn on it. Grayscale, palette, RGBA and 16-bit images become RGB.
    """
    image = ImageOps.exif_transpose(open_image(path, max_pixels, data))
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # Sixteen-bit grey: scale to 8 bits instead of clipping at 255.
        values = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if values.max(initial=0) > 255 else 255.0
        grey = np.round(values / peak * 255).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (0, 0, 0, 255))
        image = Image.alpha_composite(background, image)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def image_size(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """(width, height) of an image after EXIF orientation, decoding it fully to catch damage."""
    image = open_image(path, max_pixels)
    orientation = image.getexif().get(0x0112, 1)
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def encoded_image(
    path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[bytes, str, int, int]:
    """The bytes to store for an image, their format, and the upright height and width.

    Plain RGB JPEG and PNG files are stored as they are, which keeps shards compact. Anything
    else (rotated, grayscale, RGBA, 16-bit, other formats) is normalised once to an RGB PNG
    so that the training input matches the pixels the mask was drawn on.
    """
    path = Path(path)
    image = open_image(path, max_pixels)
    orientation = image.getexif().get(0x0112, 1)
    if image.format in ("JPEG", "PNG") and image.mode == "RGB" and orientation == 1:
        return path.read_bytes(), image.format.lower(), image.height, image.width
    pixels = load_rgb(path, max_pixels)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue(), "png", pixels.shape[0], pixels.shape[1]


def resize_labels(labels: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a class-id array to ``height`` x ``width`` by nearest neighbour, the only
    resampling that never blends two ids into a third; masks and predictions both use it."""
    if labels.shape == (height, width):
        return labels
    return np.asarray(Image.fromarray(labels).resize((width, height), Image.NEAREST))
