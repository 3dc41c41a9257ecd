"""Reading annotations in any supported format: detection per file and dispatch.

Polygon formats: ``labelbox_voc``, ``labelme_xml``, ``cvat_xml``, ``labelme_json``,
``coco_json``, ``labelbox_ndjson``, ``labelbox_json``, ``label_studio_json``,
``azureml_jsonl``, ``supervisely_json`` and ``cityscapes_json``. Dense formats: ``index_png``,
``color_png`` and ``cvat_mask`` (a PNG of a CVAT "Segmentation mask 1.1" export). With
``auto`` the format is detected from each file's extension and content (and a CVAT mask from
its folder).

A mask job reads through one :class:`AnnotationReader`, which parses each multi-image export
once and looks images up by name. Memory: a CVAT export is streamed and only the job's
``<image>`` elements are kept; a COCO export is loaded whole once per job (Python's objects
take several times the file's size, see P9 in docs/benchmarks.md), then all but the job's
images' entries are released.
"""

from __future__ import annotations

from pathlib import Path

from streetseg.labels.formats import base
from streetseg.labels.formats.azureml import AzureMLIndex, azureml_image_names
from streetseg.labels.formats.base import (  # noqa: F401  (re-exported for callers and tests)
    MAX_MULTI_IMAGE_BYTES,
    AnnotatedObject,
    Annotation,
    AnnotationError,
    check_file_size,
    iter_xml_children,
    read_json,
    read_json_lines,
    read_xml,
)
from streetseg.labels.formats.cityscapes import is_cityscapes, parse_cityscapes_json
from streetseg.labels.formats.coco import CocoIndex, coco_image_names
from streetseg.labels.formats.cvat import CvatIndex, cvat_image_names
from streetseg.labels.formats.cvat_layout import is_cvat_mask, labelmap_path
from streetseg.labels.formats.cvat_mask import LabelMap, parse_labelmap
from streetseg.labels.formats.labelbox_json import (
    LabelboxJsonIndex,
    is_labelbox_rows,
    labelbox_json_image_names,
)
from streetseg.labels.formats.labelbox_ndjson import (
    LabelboxNdjsonIndex,
    iter_rows,
    labelbox_ndjson_image_names,
)
from streetseg.labels.formats.labelme import parse_labelme_json, parse_labelme_xml
from streetseg.labels.formats.labelstudio import LabelStudioIndex, label_studio_image_names
from streetseg.labels.formats.supervisely import is_supervisely, parse_supervisely_json
from streetseg.labels.formats.voc import parse_voc_xml, write_voc_xml  # noqa: F401

POLYGON_FORMATS = (
    "labelbox_voc",
    "labelme_xml",
    "cvat_xml",
    "labelme_json",
    "coco_json",
    "labelbox_ndjson",
    "labelbox_json",
    "label_studio_json",
    "azureml_jsonl",
    "supervisely_json",
    "cityscapes_json",
)
DENSE_FORMATS = ("index_png", "color_png", "cvat_mask")
FORMATS = POLYGON_FORMATS + DENSE_FORMATS
# Formats whose single file describes many images, which are told apart by the image's name:
# format -> (index class, lister of the image names). An index is built from (path, the image
# names wanted, the parsed document or None) and has ``read(image_name)``; a lister takes
# (path, document) and returns every image name of the file.
MULTI_IMAGE = {
    "cvat_xml": (CvatIndex, cvat_image_names),
    "coco_json": (CocoIndex, coco_image_names),
    "labelbox_ndjson": (LabelboxNdjsonIndex, labelbox_ndjson_image_names),
    "labelbox_json": (LabelboxJsonIndex, labelbox_json_image_names),
    "label_studio_json": (LabelStudioIndex, label_studio_image_names),
    "azureml_jsonl": (AzureMLIndex, azureml_image_names),
}
MULTI_IMAGE_FORMATS = tuple(MULTI_IMAGE)
# Single-image polygon formats: format -> parser of (path, document or None).
SINGLE_IMAGE = {
    "labelbox_voc": parse_voc_xml,
    "labelme_xml": parse_labelme_xml,
    "labelme_json": parse_labelme_json,
    "supervisely_json": parse_supervisely_json,
    "cityscapes_json": parse_cityscapes_json,
}
DENSE_SUFFIXES = (".png", ".tif", ".tiff", ".bmp", ".gif")


def detect_format(path: str | Path) -> str:
    """Name the format of an annotation file from its extension and its top-level structure."""
    return inspect_file(path)[0]


def image_names(path: str | Path, fmt: str, document=None) -> list[str]:
    """Every image name a multi-image export describes (for listing a data folder)."""
    return MULTI_IMAGE[fmt][1](path, document)


def inspect_file(path: str | Path):
    """The format of an annotation file and its parsed document (None for dense PNGs).

    Callers hand the document on to the reader, so that a file is parsed once, not twice.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in DENSE_SUFFIXES:
        from PIL import Image

        if is_cvat_mask(path):  # Told by where it lies; decoded by the mask job.
            return "cvat_mask", None

        from streetseg.labels.formats.dense import INDEX_MODES

        if not path.is_file():
            raise AnnotationError("label image not found", path)
        try:
            with Image.open(path) as image:  # The header is enough to tell the kind.
                return ("index_png" if image.mode in INDEX_MODES else "color_png"), None
        except (OSError, SyntaxError, ValueError) as error:
            raise AnnotationError(f"cannot decode label image: {error}", path) from None
    if suffix == ".xml":
        # The root's tag is enough to tell a CVAT export, which is then streamed, not loaded.
        children = iter_xml_children(path, MAX_MULTI_IMAGE_BYTES)
        try:
            if next(children).tag == "annotations":
                return "cvat_xml", None
        finally:
            children.close()
        root = read_xml(path)
        if root.tag == "annotation":
            if root.find("size") is not None:
                return "labelbox_voc", root
            if root.find("imagesize") is not None or root.find(".//polygon/pt") is not None:
                return "labelme_xml", root
            raise AnnotationError("missing <size>", path)
        raise AnnotationError(f"root element <{root.tag}> is not a known annotation format", path)
    if suffix == ".json":
        # Only a COCO file may exceed the per-image limit, which is known once it is parsed.
        large = check_file_size(path, MAX_MULTI_IMAGE_BYTES).stat().st_size > base.MAX_FILE_BYTES
        data = read_json(path, MAX_MULTI_IMAGE_BYTES) if large else read_json(path)
        if isinstance(data, dict) and "shapes" in data:
            if large:
                check_file_size(path)
            return "labelme_json", data
        if isinstance(data, dict) and "images" in data and "annotations" in data:
            return "coco_json", data
        if is_labelbox_rows(data):
            return "labelbox_json", data
        if isinstance(data, list) and data and isinstance(data[0], dict) and "data" in data[0]:
            return "label_studio_json", data
        for fmt, test in (("supervisely_json", is_supervisely), ("cityscapes_json", is_cityscapes)):
            if test(data):
                if large:
                    check_file_size(path)
                return fmt, data
        raise AnnotationError(
            "JSON is neither labelme (shapes), COCO (images, annotations), Labelbox (a list of "
            "rows with Label), Label Studio (a list of tasks with data), Supervisely (size, "
            "objects) nor Cityscapes (imgHeight, imgWidth, objects)",
            path,
        )
    if suffix == ".ndjson":
        rows = iter_rows(path)  # The first row is enough to tell; the file is streamed later.
        try:
            next(rows, None)
        finally:
            rows.close()
        return "labelbox_ndjson", None
    if suffix == ".jsonl":
        # Only the first line is read here; the file is streamed when it is indexed.
        lines = read_json_lines(path)
        try:
            first = next(lines, (0, None))[1]
        finally:
            lines.close()
        if isinstance(first, dict) and "image_url" in first:
            return "azureml_jsonl", None
        raise AnnotationError("JSON Lines file is not Azure ML (no image_url on line 1)", path)
    raise AnnotationError(
        f"unknown annotation file type {suffix!r}; formats: {', '.join(FORMATS)}", path
    )


def read_polygons(path: str | Path, image_name: str, fmt: str, document=None) -> Annotation:
    """Read a polygon-format annotation; ``image_name`` picks the image in multi-image files.

    ``document`` is the file already parsed by :func:`inspect_file`, if it was.
    """
    if fmt in SINGLE_IMAGE:
        return SINGLE_IMAGE[fmt](path, document)
    if fmt in MULTI_IMAGE:
        return MULTI_IMAGE[fmt][0](path, {image_name}, document).read(image_name)
    raise ValueError(f"unknown polygon format {fmt!r}; formats: {', '.join(POLYGON_FORMATS)}")


class AnnotationReader:
    """Reads annotations for one mask job, parsing each multi-image export once.

    ``requests`` are the job's (annotation path, image name) pairs: a CVAT or COCO export is
    indexed by image name on first use, keeping the entries of the job's images only. An
    error in such a file is kept and raised again for each of its images.
    """

    def __init__(self, requests=()):
        self._wanted: dict[str, set[str]] = {}
        for path, image_name in requests:
            self._wanted.setdefault(str(path), set()).add(image_name)
        self._indexes: dict[str, tuple] = {}  # path -> (format, index or the error it raised)
        self._labelmaps: dict[str, LabelMap | AnnotationError] = {}  # labelmap.txt path -> map

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
        if key not in self._indexes:
            kind, document = inspect_file(path) if fmt == "auto" else (fmt, None)
            if kind not in MULTI_IMAGE_FORMATS:
                return kind, None if kind in DENSE_FORMATS else read_polygons(
                    path, image_name, kind, document
                )
            self._index(path, kind, document, image_name)
        kind, index = self._indexes[key]
        if isinstance(index, AnnotationError):
            raise index.copy()
        annotation = index.read(image_name)
        if annotation is None:  # An image the job did not announce: index the file again.
            annotation = self._index(path, kind, None, image_name).read(image_name)
        return kind, annotation

    def _index(self, path, kind: str, document, image_name: str):
        wanted = self._wanted.setdefault(str(path), set())
        wanted.add(image_name)
        try:
            index = MULTI_IMAGE[kind][0](path, wanted, document)
        except AnnotationError as error:
            index = error
        self._indexes[str(path)] = (kind, index)
        if isinstance(index, AnnotationError):
            raise index.copy()
        return index
