"""The annotation formats, each described once by the module that reads it.

Every format module ends with ``DESCRIPTORS = (Format(...), ...)``: its name, the file
suffixes it claims, how a file of it is recognised, and how it is read (a parser of one file, or the
index of a multi-image export), plus the listing hooks where the format names the image.
:data:`MODULES` below lists the modules in detection order, the one list of formats (loaded
on first use; a format module must not ask the registry at import time), as timm's model registry or
segmentation_models' backbone table do. The
format names, suffixes, detection order, the schema's ``annotations.format`` choices (a test
checks them) and the docs' format table all come from here; adding a format touches its
module, its tests and its docs section only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from streetseg.labels.formats.base import (
    MAX_FILE_BYTES,
    MAX_MULTI_IMAGE_BYTES,
    AnnotationError,
    check_file_size,
    iter_xml_children,
    read_json,
    read_json_lines,
    read_xml,
)

POLYGON, DENSE = "polygon", "dense"
# What a file of each suffix is called in a refusal ("JSON is neither ...").
SUFFIX_WORDS = {".json": "JSON", ".jsonl": "JSON Lines file"}


@dataclass(frozen=True)
class Format:
    """One annotation format (see the module docstring).

    ``detect`` tells from a :class:`Peek` whether a file with one of ``suffixes`` is of this
    format; ``hint`` says what it looks for, for the refusal of a file no format claims.
    A polygon format has ``parse(path, document)`` (one file, one image) or ``index`` (a
    streetseg.labels.formats.image_index.ExportIndex class) with ``image_names(path,
    document)`` (one file, many images). A dense format has ``decode`` (a label image to class
    ids, see streetseg.labels.masks.build_mask). ``referenced_image(document)`` is the image a
    per-image file names inside; ``named_image(path)`` gives (sample id, places the image may
    be) for formats whose file name names the image. ``companions(path, image names)`` lists
    the other files a mask job reads for those images of the file (a CVAT mask's
    labelmap.txt, a Labelbox export's mask PNGs), declared as the job's inputs.
    """

    name: str
    title: str
    kind: str
    suffixes: tuple[str, ...]
    detect: Callable
    hint: str = ""
    parse: Callable | None = None
    index: type | None = None
    image_names: Callable | None = None
    decode: Callable | None = None
    referenced_image: Callable | None = None
    named_image: Callable | None = None
    companions: Callable | None = None
    # docs/inputs.md's format table (tools/format_docs.py): what tells the format, and notes.
    detected: str = ""
    notes: str = ""

    @property
    def multi_image(self) -> bool:
        return self.index is not None


# The format modules (streetseg/labels/formats/<module>.py, each with DESCRIPTORS), in
# detection order: a file is of the first format with its suffix whose test it passes.
MODULES = (
    "cvat",  # XML whose root is <annotations>, streamed
    "labelme",  # LabelMe XML, then labelme JSON
    "voc",
    "coco",
    "labelbox_json",
    "labelstudio",
    "supervisely",
    "cityscapes",
    "labelbox_ndjson",
    "azureml",
    "cvat_mask",  # told by its folder, before any label image is decoded
    "dense",
)
_FORMATS: dict[str, Format] = {}


def formats() -> dict[str, Format]:
    """Every format by name, in detection order (the modules are imported on first use, all
    of them before any is registered, so a failed import leaves no half-filled registry)."""
    if not _FORMATS:
        modules = [importlib.import_module(f"streetseg.labels.formats.{m}") for m in MODULES]
        for module in modules:
            for fmt in module.DESCRIPTORS:
                register(fmt)
    return _FORMATS


def register(fmt: Format) -> Format:
    """Add a format; detection tries formats in the order they were registered."""
    if fmt.name in _FORMATS:
        raise ValueError(f"format {fmt.name!r} is registered twice")
    if fmt.kind == POLYGON and (fmt.parse is None) == (fmt.index is None):
        raise ValueError(f"polygon format {fmt.name!r} needs exactly one of parse and index")
    if fmt.multi_image and fmt.image_names is None:
        raise ValueError(f"multi-image format {fmt.name!r} needs image_names")
    if fmt.kind == DENSE and fmt.decode is None:
        raise ValueError(f"dense format {fmt.name!r} needs decode")
    _FORMATS[fmt.name] = fmt
    return fmt


def get(name: str) -> Format:
    """The format called ``name``, or an error listing them all."""
    if name not in formats():
        raise ValueError(f"unknown annotation format {name!r}; formats: {', '.join(formats())}")
    return formats()[name]


def names(kind: str | None = None) -> tuple[str, ...]:
    """The format names in detection order (of one ``kind``: POLYGON or DENSE)."""
    return tuple(name for name, fmt in formats().items() if kind in (None, fmt.kind))


def suffixes(kind: str | None = None) -> tuple[str, ...]:
    """Every suffix a format (of one ``kind``) claims, once each, in registration order."""
    found = {}
    for fmt in formats().values():
        if kind in (None, fmt.kind):
            found.update(dict.fromkeys(fmt.suffixes))
    return tuple(found)


class Peek:
    """A file's content as detection needs it, each view read lazily and at most once.

    ``document`` is what was parsed whole on the way (an XML root, JSON data), handed on to
    the reader so that a file is parsed once, not twice; None where detection streamed.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.suffix = self.path.suffix.lower()
        self.document = None

    @cached_property
    def xml_root_tag(self) -> str:
        """The root element's tag, streamed (a multi-image export is never loaded here)."""
        children = iter_xml_children(self.path, MAX_MULTI_IMAGE_BYTES)
        try:
            return next(children).tag
        finally:
            children.close()

    @cached_property
    def xml(self):
        """The whole XML tree of a per-image file."""
        self.document = read_xml(self.path)
        return self.document

    @cached_property
    def large(self) -> bool:
        """Over a per-image file's size limit (only a multi-image format may be)."""
        size = check_file_size(self.path, MAX_MULTI_IMAGE_BYTES).stat().st_size
        return size > MAX_FILE_BYTES

    @cached_property
    def json(self):
        """The parsed JSON document."""
        if self.large:
            self.document = read_json(self.path, MAX_MULTI_IMAGE_BYTES)
        else:
            self.document = read_json(self.path)
        return self.document

    @cached_property
    def first_line(self):
        """The first value of a JSON Lines file (the file is streamed later)."""
        lines = read_json_lines(self.path)
        try:
            return next(lines, (0, None))[1]
        finally:
            lines.close()

    @cached_property
    def image_mode(self) -> str:
        """A label image's mode, from its header."""
        from PIL import Image

        if not self.path.is_file():
            raise AnnotationError("label image not found", self.path)
        try:
            with Image.open(self.path) as image:
                return image.mode
        except (OSError, SyntaxError, ValueError) as error:
            raise AnnotationError(f"cannot decode label image: {error}", self.path) from None


def detect(path) -> tuple[str, object]:
    """The format of an annotation file and the document parsed on the way (or None)."""
    peek = Peek(path)
    candidates = [fmt for fmt in formats().values() if peek.suffix in fmt.suffixes]
    if not candidates:
        raise AnnotationError(
            f"unknown annotation file type {peek.suffix!r}; formats: {', '.join(formats())}", path
        )
    for fmt in candidates:
        if fmt.detect(peek):
            if peek.__dict__.get("large") and not fmt.multi_image:
                check_file_size(path)  # A per-image file over its limit.
            return fmt.name, peek.document
    raise AnnotationError(refusal(peek, candidates), path)


def refusal(peek: Peek, candidates: list[Format]) -> str:
    """Why no format claims a file: what each candidate looks for."""
    hints = [f"{fmt.title} ({fmt.hint})" for fmt in candidates]
    listed = hints[0] if len(hints) == 1 else f"{', '.join(hints[:-1])} nor {hints[-1]}"
    subject = SUFFIX_WORDS.get(peek.suffix)
    if subject is None:
        subject = f"root element <{peek.xml_root_tag}>" if peek.suffix == ".xml" else "file"
    return f"{subject} is {'not' if len(hints) == 1 else 'neither'} {listed}"


def companion_files(pairs) -> list[str]:
    """The files that mask jobs read beside these (annotation path, image name) pairs, each
    once: what the formats' ``companions`` hooks name for a file of their suffix (and test
    its content themselves, cheaply; most formats read nothing beside the annotation)."""
    names_by_file: dict[str, list[str]] = {}
    for path, name in pairs:
        names_by_file.setdefault(str(path), []).append(name)
    hooks: dict[str, list[Callable]] = {}
    for fmt in formats().values():
        for suffix in fmt.suffixes if fmt.companions else ():
            hooks.setdefault(suffix, []).append(fmt.companions)
    found: dict[str, None] = {}
    for path, names in names_by_file.items():
        for hook in hooks.get(Path(path).suffix.lower(), ()):
            found.update(dict.fromkeys(hook(path, names)))
    return list(found)
