"""COCO JSON: one file for many images, polygons or RLE per annotation.

Polygon segmentations are lists of flat [x, y, x, y, ...] parts; RLE segmentations (compressed
or not, as for crowds) are decoded with pycocotools. An annotation without a segmentation but
with a ``bbox`` is painted as that box. Annotations are painted in file order.
"""

from __future__ import annotations

import numpy as np

from streetseg.labels.formats.base import (
    MAX_MULTI_IMAGE_BYTES,
    AnnotatedObject,
    Annotation,
    AnnotationError,
    error_context,
    read_json,
)
from streetseg.labels.formats.coordinates import (
    box_vertices,
    parse_number,
    parse_size,
    polygon_from_flat,
)
from streetseg.labels.formats.image_index import ExportIndex, ImageIndex, wanted_test
from streetseg.labels.formats.registry import POLYGON, Format


def compressed_counts(text: str) -> list[int]:
    """Decode the run lengths of a compressed COCO RLE string (the LEB128-like code of the
    COCO API), so that they can be checked before pycocotools, which trusts them, decodes."""
    counts, position = [], 0
    while position < len(text):
        value, shift, more = 0, 0, True
        while more:
            code = ord(text[position]) - 48
            if not 0 <= code < 64:
                raise ValueError(f"character {text[position]!r} is not in the RLE alphabet")
            value |= (code & 0x1F) << (5 * shift)
            more = bool(code & 0x20)
            position, shift = position + 1, shift + 1
            if more and position >= len(text):
                raise ValueError("the string ends inside a number")
            if not more and code & 0x10:
                value |= -1 << (5 * shift)
        if len(counts) > 2:
            value += counts[-2]
        counts.append(value)
    return counts


def _rle(segmentation: dict, width: int, height: int) -> np.ndarray:
    from pycocotools import mask as coco_mask

    size = segmentation.get("size")
    if size != [height, width]:
        raise AnnotationError(f"RLE size {size} is not the image's [{height}, {width}]")
    counts = segmentation.get("counts")
    try:
        runs = compressed_counts(counts) if isinstance(counts, str) else counts
        if not isinstance(runs, list) or not all(isinstance(run, int) for run in runs):
            raise TypeError("counts must be a list of integers or an RLE string")
    except (TypeError, ValueError) as error:
        raise AnnotationError(f"cannot decode RLE: {error}") from None
    if any(run < 0 for run in runs):
        raise AnnotationError("RLE has a negative run length")
    if sum(runs) != width * height:
        raise AnnotationError(f"RLE runs cover {sum(runs)} pixels; the image has {width * height}")
    try:
        if isinstance(counts, list):
            rle = coco_mask.frPyObjects(segmentation, height, width)
        elif isinstance(counts, str):
            rle = {"size": size, "counts": counts.encode("ascii")}
        else:
            raise TypeError("counts must be a list or a string")
        bitmap = coco_mask.decode(rle)
    except (TypeError, ValueError, UnicodeError) as error:
        raise AnnotationError(f"cannot decode RLE: {error}") from None
    return bitmap.astype(bool)


class CocoIndex(ExportIndex):
    """A COCO file indexed once: images by file name, categories by id, and the annotations of
    the ``wanted`` images (all, for None) by image id.

    The document is loaded whole (Python objects take several times the file's size), but only
    the wanted images' entries outlive this constructor."""

    def __init__(self, path, wanted=None, document=None):
        data = read_json(path, MAX_MULTI_IMAGE_BYTES) if document is None else document
        self.path, self.index, keep = path, ImageIndex("images"), wanted_test(wanted)
        with error_context(path):
            if not isinstance(data, dict) or not all(
                isinstance(data.get(k), list) for k in ("images", "annotations", "categories")
            ):
                raise AnnotationError(
                    "not a COCO file (needs 'images', 'annotations' and 'categories' lists)"
                )
            names_by_id = {}
            for number, image in enumerate(data["images"], start=1):
                if not isinstance(image, dict):
                    raise AnnotationError("not an object", where=f"image {number}")
                name = str(image.get("file_name", ""))
                where, image_id = f"image {name!r}", image.get("id")
                if not isinstance(image_id, (int, str)):
                    problem = f"id is not an integer or string: {image_id!r}"
                    raise AnnotationError(problem, where=where)
                if image_id in names_by_id:
                    raise AnnotationError(
                        f"id {image_id!r} is also the id of image {names_by_id[image_id]!r}",
                        where=where,
                    )
                names_by_id[image_id] = name
                self.index.add(name, image if keep(name) else None, where)
            self.categories = {}
            for category in data["categories"]:
                if not isinstance(category, dict) or not isinstance(category.get("id"), (int, str)):
                    raise AnnotationError(f"category {category!r} has no integer or string id")
                if category["id"] in self.categories:
                    where = f"category {category['id']!r} ({category.get('name')!r})"
                    raise AnnotationError("a second category has this id", where=where)
                self.categories[category["id"]] = str(category.get("name", ""))
            kept = {image["id"] for image in self.index.entries.values() if image is not None}
            self.items = {image_id: [] for image_id in kept}
            for number, item in enumerate(data["annotations"], start=1):
                if not isinstance(item, dict):
                    raise AnnotationError("not an object", where=f"annotation {number}")
                image_id = item.get("image_id")
                if isinstance(image_id, (int, str)) and image_id in kept:
                    self.items[image_id].append((number, item))

    def parse(self, name: str, entry) -> Annotation:
        return parse_coco_image(self.path, entry, self.items[entry["id"]], self.categories)


def parse_coco_image(path, image: dict, items, categories: dict) -> Annotation:
    """Read one image's ``(number, annotation)`` items, ``number`` counting from 1 in the file."""
    with error_context(path):
        with error_context(where=f"image {image.get('file_name')!r}"):
            width, height = parse_size(image.get("width"), image.get("height"))
        annotation = Annotation(str(path), str(image.get("file_name")), width, height)
        for number, item in items:
            where = f"annotation {item.get('id', number)}"
            category_id = item.get("category_id")
            if not isinstance(category_id, (int, str)) or category_id not in categories:
                raise AnnotationError(f"unknown category_id {category_id!r}", where=where)
            name = categories[category_id]
            where += f" ({name.strip()!r})"
            with error_context(where=where):
                annotation.objects += _objects(item, name, where, width, height)
    return annotation


def _objects(item: dict, name: str, where: str, width: int, height: int) -> list:
    """The shapes of one annotation: its RLE, each part of its polygon, or its box."""
    segmentation = item.get("segmentation")
    if isinstance(segmentation, dict):
        return [AnnotatedObject(name, where, bitmap=_rle(segmentation, width, height))]
    if isinstance(segmentation, list) and segmentation:
        objects = []
        for part_number, part in enumerate(segmentation, start=1):
            part_where = f"{where} part {part_number}"
            with error_context(where=part_where):
                if not isinstance(part, list):
                    raise AnnotationError("a polygon part must be a list of numbers")
                vertices = polygon_from_flat(part)
            objects.append(AnnotatedObject(name, part_where, vertices=vertices))
        return objects
    if isinstance(item.get("bbox"), list) and len(item["bbox"]) == 4:
        x, y, w, h = (parse_number(v, "bbox") for v in item["bbox"])
        return [AnnotatedObject(name, where, vertices=box_vertices(x, y, x + w, y + h))]
    raise AnnotationError("has neither a segmentation nor a bbox")


def coco_image_names(path, document=None) -> list[str]:
    """The file names of all images a COCO JSON file describes."""
    return list(CocoIndex(path, set(), document).index.entries)


DESCRIPTORS = (
    Format(
        "coco_json",
        "COCO",
        POLYGON,
        (".json",),
        detect=lambda peek: (
            isinstance(peek.json, dict) and "images" in peek.json and "annotations" in peek.json
        ),
        hint="images, annotations",
        index=CocoIndex,
        image_names=coco_image_names,
        detected="`.json` with `images` and `annotations`",
        notes=(
            "polygon parts, RLE (compressed or not, decoded with pycocotools), or a `bbox` "
            "when there is no segmentation; file order is paint order"
        ),
    ),
)
