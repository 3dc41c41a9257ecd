"""Azure Machine Learning data labeling JSONL: one JSON object per line, one line per image.

::

    {"image_url": "azureml://.../paths/image_data/a.jpg",
     "image_details": {"format": "jpg", "width": "499px", "height": "666px"},
     "label": [{"label": "car", "isCrowd": 0, "polygon": [[x1, y1, x2, y2, ...]]},
               {"label": "sign", "topX": 0.2, "topY": 0.4, "bottomX": 0.7, "bottomY": 0.7}]}

Polygon coordinates are fractions of the image's width and height; each part of ``polygon`` is
one outline. A label without ``polygon`` is painted as its box (topX, topY, bottomX, bottomY,
also fractions). Real exports hold vertices outside 0..1 (objects cut off by the frame): values
within :data:`~streetseg.labels.formats.coordinates.NORMALISED_SLACK` of the image are kept as they
are, and the rasteriser clips the fill at the image's edge, never moving a vertex (as the COCO
route of the same polygons does); values further out are an error. The size comes from
``image_details`` (``width``/``height``, e.g. "499px") or, as newer exports write it, the
line's own ``image_width``/``image_height``; the fractions cannot be placed without it.
Labels are painted in file order; ``isCrowd`` does not change that. The image is matched by
the last segment of ``image_url``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import numpy as np

from streetseg.labels.formats.base import (
    AnnotatedObject,
    Annotation,
    AnnotationError,
    error_context,
    read_json_lines,
)
from streetseg.labels.formats.coordinates import (
    NORMALISED_SLACK,
    box_vertices,
    parse_number,
    parse_size,
    polygon_from_flat,
)
from streetseg.labels.formats.image_index import ExportIndex, ImageIndex, wanted_test
from streetseg.labels.formats.registry import POLYGON, Format

BOX_KEYS = ("topX", "topY", "bottomX", "bottomY")


def url_image_name(url) -> str:
    """The file name an ``image_url`` ends with (URL-decoded, without a query)."""
    if not isinstance(url, str) or not url.strip():
        raise AnnotationError(f"image_url is not a URL or path: {url!r}")
    name = PurePosixPath(unquote(urlsplit(url.strip()).path).replace("\\", "/")).name
    if not name or name in (".", ".."):
        raise AnnotationError(f"image_url names no file: {url!r}")
    return name


class AzureMLIndex(ExportIndex):
    """The lines of an Azure ML JSONL export by image name; only ``wanted`` ones are kept."""

    def __init__(self, path, wanted=None, document=None):
        self.path, self.index, keep = path, ImageIndex("line"), wanted_test(wanted)
        lines = read_json_lines(path) if document is None else document
        with error_context(path):
            for number, item in lines:
                where = f"line {number}"
                with error_context(where=where):
                    if not isinstance(item, dict):
                        raise AnnotationError("not an object")
                    name = url_image_name(item.get("image_url"))
                entry = (where, item) if keep(name) else None
                self.index.add(name, entry, f"image {name!r} ({where})")

    def parse(self, name: str, entry) -> Annotation:
        return parse_line(self.path, *entry)


def _pixels(value) -> int | float:
    """A size from image_details: a number or text such as "499px"."""
    if isinstance(value, str) and value.strip().lower().endswith("px"):
        value = value.strip()[:-2]
    return value


def _size(item: dict, where: str) -> tuple[int, int]:
    """The image size of a line: ``image_details`` width and height, else the line's
    ``image_width`` and ``image_height``."""
    details = item.get("image_details")
    if isinstance(details, dict) and "width" in details and "height" in details:
        with error_context(where=f"{where} image_details"):
            return parse_size(_pixels(details["width"]), _pixels(details["height"]))
    if "image_width" in item and "image_height" in item:
        return parse_size(_pixels(item["image_width"]), _pixels(item["image_height"]))
    raise AnnotationError(
        "gives no image size: neither image_details width and height nor image_width and "
        "image_height"
    )


def parse_line(path, where: str, item: dict) -> Annotation:
    """Read the labels of one line."""
    with error_context(path, where):
        width, height = _size(item, where)
        annotation = Annotation(str(path), url_image_name(item["image_url"]), width, height)
        labels = item.get("label", [])
        if not isinstance(labels, list):
            raise AnnotationError("'label' is not a list of objects (is this classification?)")
        for number, entry in enumerate(labels, start=1):
            label_where = f"{where} label {number}"
            with error_context(where=label_where):
                if not isinstance(entry, dict):
                    raise AnnotationError("not an object (is this classification?)")
                name = entry.get("label")
                if not isinstance(name, str) or not name.strip():
                    raise AnnotationError(f"missing label name: {name!r}")
                label_where += f" ({name!r})"
            with error_context(where=label_where):
                annotation.objects += _objects(entry, name, label_where, width, height)
    return annotation


def _fraction(values: np.ndarray, name) -> np.ndarray:
    """The fractions as they are; one further out of 0..1 than the slack is an error naming
    it by ``name(index)``."""
    bad = np.flatnonzero((values < -NORMALISED_SLACK) | (values > 1 + NORMALISED_SLACK))
    if bad.size:
        raise AnnotationError(
            f"{name(bad[0])} is {values[bad[0]]:g}, outside 0..1 by more than "
            f"{NORMALISED_SLACK:g} of the image"
        )
    return values


def _point(index: int) -> str:
    return f"{'xy'[index % 2]} of point {index // 2 + 1}"


def _objects(entry: dict, name: str, where: str, width: int, height: int) -> list:
    polygon = entry.get("polygon")
    scale = np.array([width, height], dtype=np.float64)
    if polygon is not None:
        if not isinstance(polygon, list) or not polygon:
            raise AnnotationError("'polygon' is not a list of outlines")
        objects = []
        for part_number, part in enumerate(polygon, start=1):
            part_where = f"{where} part {part_number}"
            with error_context(where=part_where):
                if not isinstance(part, list):
                    raise AnnotationError("a polygon part must be a list of numbers")
                vertices = polygon_from_flat(part)
                vertices = _fraction(vertices.ravel(), _point).reshape(-1, 2) * scale
            objects.append(AnnotatedObject(name, part_where, vertices=vertices))
        return objects
    if all(key in entry for key in BOX_KEYS):
        box = np.array([parse_number(entry[key], key) for key in BOX_KEYS])
        x0, y0, x1, y1 = _fraction(box, BOX_KEYS.__getitem__) * np.tile(scale, 2)
        return [AnnotatedObject(name, where, vertices=box_vertices(x0, y0, x1, y1))]
    raise AnnotationError("has neither a polygon nor topX, topY, bottomX and bottomY")


def azureml_image_names(path, document=None) -> list[str]:
    """The image names of all lines of an Azure ML JSONL export, read line by line."""
    return list(AzureMLIndex(path, set(), document).index.entries)


DESCRIPTORS = (
    Format(
        "azureml_jsonl",
        "Azure ML",
        POLYGON,
        (".jsonl",),
        detect=lambda peek: isinstance(peek.first_line, dict) and "image_url" in peek.first_line,
        hint="image_url on line 1",
        index=AzureMLIndex,
        image_names=azureml_image_names,
        detected="`.jsonl` whose first line has `image_url`",
        notes=(
            "`polygon` parts and boxes (`topX`…`bottomY`) in fractions of `image_details` "
            "width and height, clipped to the image; see [Azure ML JSONL](#azure-ml-jsonl)"
        ),
    ),
)
