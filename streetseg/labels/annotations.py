"""Reading annotations in any supported format: detection per file and dispatch.

The formats are those of the registry (streetseg.labels.formats.registry): polygon formats
(shapes) and dense formats (label images). With ``auto`` the format is detected from each
file's extension and content (and a CVAT mask from its folder).

A mask job reads through one :class:`AnnotationReader`, which parses each multi-image export
once and looks images up by name; in the workflow a shared export reaches it as the job's
slice (streetseg.labels.slicing), which the reader reads in the export's stead. Memory: a
CVAT export is streamed and only the job's ``<image>`` elements are kept; a COCO export is
loaded whole once per job (Python's objects take several times the file's size, see P9 in
docs/benchmarks.md), then all but the job's images' entries are released.
"""

from __future__ import annotations

from pathlib import Path

from streetseg.labels.formats import registry
from streetseg.labels.formats.base import Annotation, AnnotationError
from streetseg.labels.formats.cvat_layout import labelmap_path
from streetseg.labels.formats.cvat_mask import LabelMap, parse_labelmap
from streetseg.labels.formats.voc import write_voc_xml  # noqa: F401  (tests write VOC files)
from streetseg.labels.slices import SliceIndex, is_slice


def detect_format(path: str | Path) -> str:
    """Name the format of an annotation file from its extension and its top-level structure."""
    return inspect_file(path)[0]


def image_names(path: str | Path, fmt: str, document=None) -> list[str]:
    """Every image name a multi-image export describes."""
    return registry.get(fmt).image_names(path, document)


def inspect_file(path: str | Path):
    """The format of an annotation file and its parsed document (None for dense PNGs and
    streamed exports). Callers hand the document on to the reader, so that a file is parsed
    once, not twice."""
    return registry.detect(path)


def read_polygons(path: str | Path, image_name: str, fmt: str, document=None) -> Annotation:
    """Read a polygon-format annotation; ``image_name`` picks the image in multi-image files.

    ``document`` is the file already parsed by :func:`inspect_file`, if it was.
    """
    found = registry.get(fmt)
    if found.parse is not None:
        return found.parse(path, document)
    if found.index is not None:
        return found.index(path, {image_name}, document).read(image_name)
    polygons = ", ".join(registry.names(registry.POLYGON))
    raise ValueError(f"{fmt} is not a polygon format; formats: {polygons}")


class AnnotationReader:
    """Reads annotations for one mask job, parsing each multi-image export once.

    ``requests`` are the job's (annotation path, image name) pairs: a CVAT or COCO export is
    indexed by image name on first use, keeping the entries of the job's images only. An
    error in such a file is kept and raised again for each of its images. A path that is a
    slice of an export (streetseg.labels.slices) is read as the export would be.
    """

    def __init__(self, requests=()):
        self._wanted: dict[str, set[str]] = {}
        for path, image_name in requests:
            self._wanted.setdefault(str(path), set()).add(image_name)
        self._indexes: dict[str, tuple] = {}  # path -> (format, index or the error it raised)
        self._labelmaps: dict[str, LabelMap | AnnotationError] = {}  # labelmap.txt path -> map

    def source(self, path) -> str:
        """The file to name in messages about ``path``: the export of a slice, else ``path``."""
        found = self._indexes.get(str(path), (None, None))[1]
        return found.export if isinstance(found, SliceIndex) else str(path)

    def labelmap(self, mask_path) -> LabelMap:
        """The labelmap.txt of a CVAT mask, read once per job (an error in it is kept too)."""
        key = str(labelmap_path(mask_path))
        if key not in self._labelmaps:
            try:
                self._labelmaps[key] = parse_labelmap(key)
            except AnnotationError as error:
                self._labelmaps[key] = error
        found = self._labelmaps[key]
        if isinstance(found, AnnotationError):
            raise found.copy()
        return found

    def read(self, path, image_name: str, fmt: str = "auto") -> tuple[str, Annotation | None]:
        """The file's format and the image's annotation (None for a dense format)."""
        key = str(path)
        if key not in self._indexes and is_slice(key):
            try:
                self._indexes[key] = ("slice", SliceIndex(key))
            except AnnotationError as error:
                self._indexes[key] = ("slice", error)
        if key not in self._indexes:
            kind, document = inspect_file(path) if fmt == "auto" else (fmt, None)
            found = registry.get(kind)
            if not found.multi_image:
                return kind, None if found.decode else read_polygons(
                    path, image_name, kind, document
                )
            self._index(path, kind, document, image_name)
        kind, index = self._indexes[key]
        if isinstance(index, AnnotationError):
            raise index.copy()
        if isinstance(index, SliceIndex):
            return index.read(image_name)
        annotation = index.read(image_name)
        if annotation is None:  # An image the job did not announce: index the file again.
            annotation = self._index(path, kind, None, image_name).read(image_name)
        return kind, annotation

    def _index(self, path, kind: str, document, image_name: str):
        wanted = self._wanted.setdefault(str(path), set())
        wanted.add(image_name)
        try:
            index = registry.get(kind).index(path, wanted, document)
        except AnnotationError as error:
            index = error
        self._indexes[str(path)] = (kind, index)
        if isinstance(index, AnnotationError):
            raise index.copy()
        return index
