"""What the Labelbox JSON exports share: image names, {x, y} points, boxes, and mask files.

Mask files. An export names each mask by a URL that needs a Labelbox login, so the user
downloads the PNGs beside the export; this module never opens a network connection. A mask
reference is looked up as follows:

- a URL (``https://…``, any scheme): its file name is the last segment of the URL's path after
  dropping a trailing ``mask`` and a trailing ``index/<n>``, with ``.png`` added when it has no
  suffix; so ``…/masks/feature/<featureId>?token=…`` (export v1),
  ``…/annotations/<featureId>/index/1/mask`` (export v2, one mask per object) and
  ``…/tasks/<taskId>/masks/<compositeMaskId>/index/1`` (export v2, composite mask) name
  ``<featureId>.png`` and ``<compositeMaskId>.png``. The file is looked for in ``masks/``
  beside the export, then beside the export.
- anything else is a path relative to the export's folder (``/`` or ``\\`` separated).

Either way the file must lie inside the export's folder, also after resolving symbolic links;
a reference that leads out of it is refused and never opened.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import numpy as np

from streetseg.labels.formats.base import (
    MAX_FILE_BYTES,
    AnnotationError,
    check_file_size,
)
from streetseg.labels.formats.coordinates import (
    box_vertices,
    parse_number,
    polygon_from_points,
)
from streetseg.labels.formats.image_index import base_name

MASK_FOLDER = "masks"
# Pixels a mask may hold; the photo's own limit (images.max_pixels) applies to it later.
MAX_MASK_PIXELS = 200_000_000


def url_file_name(reference: str) -> str:
    """The last segment of a URL's or path's path, without query or fragment ("" if none)."""
    path = urlsplit(reference).path if "://" in reference else reference.split("?")[0]
    return PurePosixPath(unquote(path).replace("\\", "/")).name


def image_name(*candidates) -> str:
    """The first non-empty candidate name; the last one (a URL or path) by its file name."""
    *names, location = candidates
    for name in names:
        if isinstance(name, (str, int)) and not isinstance(name, bool) and str(name).strip():
            return str(name).strip()
    if isinstance(location, str) and url_file_name(location.strip()):
        return url_file_name(location.strip())
    return ""


def xy_points(points, what: str = "polygon") -> np.ndarray:
    """Vertices from a list of {"x": …, "y": …} objects."""
    if not isinstance(points, list):
        raise AnnotationError(f"{what} is not a list of {{x, y}} points: {points!r:.80}")
    pairs = []
    for number, point in enumerate(points, start=1):
        if not isinstance(point, dict) or "x" not in point or "y" not in point:
            raise AnnotationError(f"point {number} is not an {{x, y}} object: {point!r:.80}")
        pairs.append((point["x"], point["y"]))
    return polygon_from_points(pairs)


def box(value) -> np.ndarray:
    """The corners of a {"top", "left", "height", "width"} box."""
    if not isinstance(value, dict) or not all(
        key in value for key in ("top", "left", "height", "width")
    ):
        raise AnnotationError(f"box needs top, left, height and width: {value!r:.80}")
    top, left = parse_number(value["top"], "top"), parse_number(value["left"], "left")
    height, width = parse_number(value["height"], "height"), parse_number(value["width"], "width")
    return box_vertices(left, top, left + width, top + height)


def mask_candidates(export: Path, reference: str) -> list[Path]:
    """The files a mask reference may name, in the order they are tried."""
    if "://" in reference:
        segments = [s for s in unquote(urlsplit(reference).path).split("/") if s]
        if segments and segments[-1] == "mask":
            segments.pop()
        if len(segments) >= 2 and segments[-2] == "index" and segments[-1].isdigit():
            del segments[-2:]
        name = segments[-1] if segments else ""
        if not name or name in (".", ".."):
            raise AnnotationError(f"mask URL {reference!r} names no file")
        name += "" if PurePosixPath(name).suffix else ".png"
        return [export.parent / MASK_FOLDER / name, export.parent / name]
    relative = reference.replace("\\", "/")
    if not relative or relative.startswith("/") or (len(relative) > 1 and relative[1] == ":"):
        raise AnnotationError(
            f"mask path {reference!r} must be relative to the export's folder {export.parent}"
        )
    return [export.parent / PurePosixPath(relative)]


class MissingMask(AnnotationError):
    """A mask reference whose file is not in the export's folder."""


def shown_reference(reference: str) -> str:
    """A mask reference for a message: a URL without its query string or fragment, which
    hold the access token of a signed URL."""
    parts = urlsplit(reference)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}{parts.path}"
    return reference


def mask_file(export, reference) -> Path:
    """The local file a mask reference names (see the module docstring), checked to stay
    inside the export's folder and to exist."""
    if not isinstance(reference, str) or not reference.strip():
        raise AnnotationError(f"mask reference is not a URL or path: {reference!r:.80}")
    export = Path(export)
    folder = Path(os.path.abspath(export.parent))
    candidates = mask_candidates(export, reference.strip())
    for candidate in candidates:
        lexical = Path(os.path.normpath(os.path.abspath(candidate)))
        if not lexical.is_relative_to(folder):
            raise AnnotationError(
                f"mask {shown_reference(reference)!r} lies outside the export's folder "
                f"{folder}; refused"
            )
        if not candidate.exists():
            continue
        if not Path(os.path.realpath(candidate)).is_relative_to(os.path.realpath(folder)):
            raise AnnotationError(
                f"mask {shown_reference(reference)!r} is a symbolic link that leads outside "
                f"the export's folder {folder}; refused"
            )
        return candidate
    tried = ", ".join(str(path) for path in candidates)
    raise MissingMask(
        f"mask file for {shown_reference(reference)!r} not found (looked for {tried})"
    )


def read_mask_pixels(path: Path) -> np.ndarray:
    """A mask PNG as an HxWx4 RGBA uint8 array, refusing large, corrupt and non-PNG files.
    An error names the PNG in its message, not as the file at fault: the problem row names
    the export and the object that points to it (their error_context)."""
    from streetseg.common.images import open_checked

    try:
        check_file_size(path, MAX_FILE_BYTES)
        with open(path, "rb") as handle:
            if handle.read(8) != b"\x89PNG\r\n\x1a\n":
                raise AnnotationError(f"mask file {path} is not a PNG")
        image = open_checked(path, MAX_MASK_PIXELS, AnnotationError, "mask file")
        try:
            return np.asarray(image.convert("RGBA"))
        except (OSError, ValueError) as error:
            problem = f"mask file {path} ({image.mode}) cannot be read: {error}"
            raise AnnotationError(problem) from None
    except AnnotationError as error:
        if error.file is None:
            raise
        raise AnnotationError(f"{error.file}: {error.problem}") from None


class MaskFiles:
    """Mask PNGs of one export, each decoded once per image (composite masks are shared).

    A missing mask file does not stop the image's other objects: :meth:`bitmap` returns None
    for it and :meth:`check` then names every missing file of the image in one error.
    """

    def __init__(self, export):
        self.export, self._pixels, self.missing = Path(export), {}, []

    def bitmap(self, reference, color=None, where: str | None = None) -> np.ndarray | None:
        """The object's pixels: those of ``color`` [R, G, B] in a composite mask, else every
        pixel that is neither black nor fully transparent (Labelbox's white-on-clear masks);
        None when the mask file is missing (see :meth:`check`; ``where`` names the object)."""
        try:
            path = mask_file(self.export, reference)
        except MissingMask as error:
            self.missing.append((where, error.problem))
            return None
        if path not in self._pixels:
            self._pixels[path] = read_mask_pixels(path)
        pixels = self._pixels[path]
        opaque = pixels[..., 3] > 0
        if color is None:
            return opaque & pixels[..., :3].any(axis=-1)
        if (
            not isinstance(color, list)
            or len(color) != 3
            or not all(isinstance(c, int) and not isinstance(c, bool) for c in color)
            or not all(0 <= c <= 255 for c in color)
        ):
            raise AnnotationError(f"color_rgb must be three integers 0-255, got {color!r:.80}")
        return opaque & (pixels[..., :3] == np.array(color, dtype=np.uint8)).all(axis=-1)

    def check(self) -> None:
        """Raise one error naming every missing mask file met so far (the first in full)."""
        if len(self.missing) == 1:
            where, problem = self.missing[0]
            raise AnnotationError(problem, where=where)
        if self.missing:
            parts = [f"{where}: {problem}" if where else problem for where, problem in self.missing]
            raise AnnotationError(f"{len(self.missing)} mask files not found: " + "; ".join(parts))


def check_bitmap_size(annotation, bitmap: np.ndarray, reference) -> None:
    """A mask has the annotation's size; where the export gives none, the first mask's."""
    height, width = bitmap.shape
    if annotation.width is None:
        annotation.width, annotation.height = width, height
    elif (annotation.width, annotation.height) != (width, height):
        raise AnnotationError(
            f"mask {reference!r:.120} is {width}x{height}; the image is "
            f"{annotation.width}x{annotation.height}"
        )


def mask_references(value):
    """Every mask reference an export entry holds, at any depth: v1's ``instanceURI`` and v2's
    ``mask`` / ``composite_mask`` ``url``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "instanceURI" and isinstance(item, str):
                yield item
            elif key in ("mask", "composite_mask") and isinstance(item, dict):
                if isinstance(item.get("url"), str):
                    yield item["url"]
            else:
                yield from mask_references(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from mask_references(item)


# (index class, path, modification time, size) -> what scan_export found; a few exports.
_SCANS: dict[tuple, tuple[list[str], dict[str, list[str]]]] = {}


def scan_export(index_class, path, document=None) -> tuple[list[str], dict[str, list[str]]]:
    """The image names of an export's labelled rows, and image name -> the mask references
    of its entry (for the images that have any), from one read per state of the file: the
    listing and the rules' companion files both ask, once per Snakemake start. ``document``
    is the file as detection parsed it, if it did. Only these strings outlive the call."""
    stat = Path(path).stat()
    key = (index_class, str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _SCANS:
        index = index_class(path, None, document)
        names = [name for name in index.index.entries if name not in index.unlabelled]
        references = {}
        for name, entry in index.index.entries.items():
            found = list(mask_references(entry))
            if found:
                references[name] = found
        while len(_SCANS) >= 16:
            _SCANS.pop(next(iter(_SCANS)))
        _SCANS[key] = (names, references)
    return _SCANS[key]


def export_mask_files(index_class, path, names, marker: bytes | None = None) -> list[str]:
    """The mask files that exist for these image names of an export, to declare as inputs
    of the mask jobs that read them; a missing or refused one is left to the mask job, which
    names it as the image's problem. The export is read once per state of the file
    (:func:`scan_export`); ``marker``: bytes its first 64 KB must hold, a
    cheap test that skips other formats' files of the same suffix without parsing them. A
    broken export declares nothing; its mask jobs name the problem."""
    path = Path(path)
    try:
        if marker is not None:
            with open(path, "rb") as head:
                if marker not in head.read(65536):
                    return []
        by_name = scan_export(index_class, path)[1]
    except (OSError, AnnotationError):
        return []
    bases = {base_name(name): name for name in by_name}
    found = {}
    for name in names:
        for reference in by_name.get(name) or by_name.get(bases.get(name, ""), []):
            try:
                found.setdefault(str(mask_file(path, reference)), None)
            except AnnotationError:
                continue
    return list(found)
