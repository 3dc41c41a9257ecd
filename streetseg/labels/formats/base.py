"""What every reader returns, the errors they raise, and safe parsing of XML and JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from lxml import etree

from streetseg.common.errors import FileError

# Limits that make hostile or broken files fail fast instead of exhausting memory. A
# multi-image export (CVAT XML, COCO JSON) describes a whole data set in one file, so it may be
# far larger than a per-image file; CVAT XML is streamed, COCO JSON is loaded once per job.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_MULTI_IMAGE_BYTES = 4 * 1024 * 1024 * 1024
NO_DTD = "a DTD or entity declaration is not allowed"
# The settings of every XML parse: expand no entities, load no DTD, never touch the network.
SAFE_XML = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
}


class AnnotationError(FileError):
    """An annotation file cannot be used (see :class:`FileError` for the fields)."""


class error_context:
    """``with error_context(file, where):`` names the file and the object at fault in each
    AnnotationError raised in the block that does not name them yet. A class, like
    contextlib.suppress, as it is entered once per object of an export."""

    __slots__ = ("file", "where")

    def __init__(self, file=None, where: str | None = None):
        self.file, self.where = file, where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, AnnotationError):
            error.at(self.file, self.where)
        return False


@dataclass
class AnnotatedObject:
    """One labelled shape: its class name as written, its outline or bitmap, and its place.

    ``vertices`` is an Nx2 array of continuous (x, y) coordinates; ``bitmap`` is a boolean
    HxW mask for formats that store pixels (COCO RLE, CVAT masks). Exactly one is set.
    ``holes`` are the interior rings of a polygon (Nx2 arrays like ``vertices``): the pixels
    inside any of them keep what they were before this object was painted.
    """

    name: str
    where: str
    vertices: np.ndarray | None = None
    bitmap: np.ndarray | None = None
    holes: list[np.ndarray] = field(default_factory=list)


@dataclass
class Annotation:
    """Everything a mask needs from one annotation: size and shapes in paint order.

    ``width`` and ``height`` are None where the format leaves the size optional; the image's
    size is used then.
    """

    path: str
    filename: str
    width: int | None
    height: int | None
    objects: list[AnnotatedObject] = field(default_factory=list)
    # Shapes without area that label no pixels (polylines, points, ...): kind -> count.
    skipped: dict[str, int] = field(default_factory=dict)
    # True where the format measures y from the bottom edge (legacy Labelbox XY and WKT).
    y_from_bottom: bool = False

    def skip(self, kind: str) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + 1

    def measure_y_from_top(self, height: float) -> None:
        """Turn y measured from the bottom edge of an image ``height`` high into y from the top."""
        if self.y_from_bottom:
            for obj in self.objects:
                if obj.vertices is not None:
                    obj.vertices = obj.vertices * np.array([1.0, -1.0]) + np.array([0.0, height])
            self.y_from_bottom = False


def check_file_size(path: str | Path, limit: int | None = None) -> Path:
    """Refuse a missing file or one larger than ``limit`` bytes before reading it."""
    limit = MAX_FILE_BYTES if limit is None else limit
    path = Path(path)
    if not path.is_file():
        raise AnnotationError("annotation file not found", path)
    size = path.stat().st_size
    if size > limit:
        raise AnnotationError(f"file is {size} bytes; the limit is {limit}", path)
    if size == 0:
        raise AnnotationError("file is empty", path)
    return path


def read_xml(path: str | Path, limit: int | None = None) -> etree._Element:
    """Parse an XML file safely; any DTD or entity declaration is refused outright."""
    path = check_file_size(path, limit)
    try:
        tree = etree.parse(str(path), etree.XMLParser(**SAFE_XML))
    except (etree.XMLSyntaxError, OSError, UnicodeError) as error:
        raise AnnotationError(f"malformed XML: {_xml_error(error, path)}", path) from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.system_url is not None:
        raise AnnotationError(NO_DTD, path)
    return tree.getroot()


def filename_text(document) -> str:
    """The image a per-image XML annotation names in its <filename> (VOC, LabelMe)."""
    return (document.findtext("filename") or "").strip()


def unique_child(element, tag: str):
    """The one child ``<tag>`` of ``element``, or None; two are an error, as either could be
    meant and reading the first would silently paint the wrong thing."""
    found = element.findall(tag)
    if len(found) > 1:
        raise AnnotationError(f"<{tag}> appears {len(found)} times; it must be unique")
    return found[0] if found else None


def iter_xml_children(path: str | Path, limit: int | None = None):
    """Stream an XML file safely: yield its root element first, then each complete child of the
    root, which is detached once the caller is done with it so that the tree never holds more
    than one child (plus what the caller keeps). Any DTD or entity declaration is refused."""
    path = check_file_size(path, limit)
    events = etree.iterparse(str(path), events=("start", "end"), **SAFE_XML)
    root, depth = None, 0
    try:
        for event, element in events:
            if event == "start":
                if root is None:  # The DTD, if any, is known at the root's start tag.
                    info = element.getroottree().docinfo
                    if info.internalDTD is not None or info.system_url is not None:
                        raise AnnotationError(NO_DTD, path)
                    root = element
                    yield root
                depth += 1
                continue
            depth -= 1
            if depth == 1:
                yield element
                root.remove(element)
    except (etree.XMLSyntaxError, OSError, UnicodeError) as error:
        raise AnnotationError(f"malformed XML: {_xml_error(error, path)}", path) from None


def _xml_error(error: Exception, path) -> str:
    """lxml's message without the file name it repeats: an encoding error is an OSError
    "Error reading file 'PATH': Invalid bytes in character encoding"."""
    text = str(error)
    prefix = f"Error reading file '{path}': "
    return text[len(prefix) :] if text.startswith(prefix) else text


class _DuplicateKey(Exception):
    def __init__(self, key, pairs):
        self.key, self.pairs = key, pairs


def _refuse_duplicate_keys(pairs):
    """json's object_pairs_hook: a key given twice in one object is refused, since json would
    keep the last value silently (a category_id or label given twice is ambiguous)."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key, pairs)
            seen.add(key)
    return data


def _describe_object(pairs) -> str:
    """Name a JSON object by its identifying fields, or else by its keys."""
    first = {}
    for key, value in pairs:
        first.setdefault(key, value)
    named = [
        f"{key} {value!r}"
        for key, value in first.items()
        if key in ("id", "file_name", "label", "name") and isinstance(value, (int, str))
    ]
    if named:
        return f"the object with {', '.join(named)}"
    return f"the object with keys {', '.join(dict.fromkeys(key for key, _ in pairs))}"


def _loads(text: bytes, path: Path, line: int | None = None):
    """``json.loads`` refusing duplicate keys; errors name the file and the line."""
    at = None if line is None else f"line {line}"
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except _DuplicateKey as duplicate:
        where = ": ".join(part for part in (at, _describe_object(duplicate.pairs)) if part)
        raise AnnotationError(f"key {duplicate.key!r} appears twice", path, where) from None
    except UnicodeDecodeError as error:
        raise AnnotationError(f"not UTF-8 text: {error}", path, at) from None
    except json.JSONDecodeError as error:
        place = f"line {error.lineno} column" if at is None else "column"
        problem = f"malformed JSON at {place} {error.colno}: {error.msg}"
        raise AnnotationError(problem, path, at) from None
    except RecursionError:
        raise AnnotationError("JSON is nested too deeply", path, at) from None


def read_json(path: str | Path, limit: int | None = None):
    """Parse a JSON file, naming the file and the line of any syntax error; a key that appears
    twice in one object is an error naming the object."""
    path = check_file_size(path, limit)
    return _loads(path.read_bytes(), path)


def read_json_lines(path: str | Path, limit: int | None = None):
    """Yield (line number, parsed value) for each non-blank line of a JSON Lines file (NDJSON),
    read line by line, with the checks of :func:`read_json`; each error names the line. The
    file may hold ``limit`` bytes (default MAX_MULTI_IMAGE_BYTES, as it describes many images),
    one line MAX_FILE_BYTES (the limit of a per-image file)."""
    path = check_file_size(path, MAX_MULTI_IMAGE_BYTES if limit is None else limit)
    with open(path, "rb") as lines:
        number = 0
        while line := lines.readline(MAX_FILE_BYTES + 1):
            number += 1
            if len(line) > MAX_FILE_BYTES:
                raise AnnotationError(
                    f"line is over {MAX_FILE_BYTES} bytes", path, f"line {number}"
                )
            if line.strip():
                yield number, _loads(line.rstrip(), path, number)
