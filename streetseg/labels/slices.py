"""A slice: the annotations of one mask chunk's images, read from a multi-image export once.

The slices stage (streetseg.labels.slicing) reads each multi-image export (CVAT, COCO,
Labelbox, Label Studio, Azure ML) in one job and writes one slice per mask chunk that has
images in it; each mask job then reads its slice instead of the whole export. A slice holds,
for each image name the chunk asks for, what the export's reader gave: the parsed
:class:`~streetseg.labels.formats.base.Annotation` (format-neutral: sizes, outlines as
float64 vertices, bitmaps, holes, skipped shapes), or the error it raised, with the file
(the export, never the slice) and the object at fault. So the masks are the ones the export
itself gives, byte for byte, and every message still names the export.

The file is JSON, written in a fixed order, so that the same export gives the same bytes;
its SHA-256 is the chunk's digest (see streetseg.labels.slicing).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np

from streetseg.labels.formats.base import AnnotatedObject, Annotation, AnnotationError

# How a mask job tells a slice from an annotation file (streetseg.labels.annotations).
SLICE_SUFFIX = ".slice.json"
VERSION = 1


def is_slice(path) -> bool:
    return str(path).endswith(SLICE_SUFFIX)


def _array(values: np.ndarray) -> dict:
    values = np.asarray(values)
    if values.dtype == bool:
        packed = np.packbits(values.ravel())
        return {"shape": list(values.shape), "bits": base64.b64encode(packed).decode("ascii")}
    # float64 numbers written by repr() read back exactly.
    return {
        "shape": list(values.shape),
        "dtype": values.dtype.str,
        "values": values.ravel().tolist(),
    }


def _from_array(data: dict) -> np.ndarray:
    shape = tuple(data["shape"])
    if "bits" in data:
        packed = np.frombuffer(base64.b64decode(data["bits"]), dtype=np.uint8)
        count = int(np.prod(shape))
        return np.unpackbits(packed, count=count).astype(bool).reshape(shape)
    return np.array(data["values"], dtype=np.dtype(data["dtype"])).reshape(shape)


def _object(obj: AnnotatedObject) -> dict:
    return {
        "name": obj.name,
        "where": obj.where,
        "vertices": None if obj.vertices is None else _array(obj.vertices),
        "bitmap": None if obj.bitmap is None else _array(obj.bitmap),
        "holes": [_array(hole) for hole in obj.holes],
    }


def _from_object(data: dict) -> AnnotatedObject:
    return AnnotatedObject(
        data["name"],
        data["where"],
        vertices=None if data["vertices"] is None else _from_array(data["vertices"]),
        bitmap=None if data["bitmap"] is None else _from_array(data["bitmap"]),
        holes=[_from_array(hole) for hole in data["holes"]],
    )


def entry(result: Annotation | AnnotationError) -> dict:
    """One image's record: its annotation, or the error reading it raised."""
    if isinstance(result, AnnotationError):
        return {"error": {"problem": result.problem, "file": result.file, "where": result.where}}
    return {
        "annotation": {
            "path": str(result.path),
            "filename": result.filename,
            "width": result.width,
            "height": result.height,
            "y_from_bottom": result.y_from_bottom,
            "skipped": dict(sorted(result.skipped.items())),
            "objects": [_object(obj) for obj in result.objects],
        }
    }


def slice_bytes(export, fmt: str, entries: dict[str, dict]) -> bytes:
    """The slice of ``export`` (of format ``fmt``): image name -> :func:`entry`, in order."""
    document = {"version": VERSION, "export": str(export), "format": fmt, "images": entries}
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=_plain)
    return (text + "\n").encode()


def _plain(value):
    """A numpy number (a size some reader left as one) as the Python number it holds."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} cannot go into a slice")


class SliceIndex:
    """A slice read back: ``read(image name)`` gives the export's format and the image's
    annotation, or raises the error the export gave for it."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            document = json.loads(self.path.read_bytes())
            if document.get("version") != VERSION:
                raise ValueError(f"version {document.get('version')!r}, not {VERSION}")
        except (OSError, ValueError) as error:
            raise AnnotationError(
                f"cannot read this slice of an export ({error}); rerun the slices stage",
                self.path,
            ) from None
        self.export, self.format = document["export"], document["format"]
        self.images: dict = document["images"]

    def read(self, image_name: str) -> tuple[str, Annotation]:
        found = self.images.get(image_name)
        if found is None:
            raise AnnotationError(
                f"image {image_name!r} is not in this slice of {self.export}; rerun the slices"
                " stage",
                self.path,
            )
        if "error" in found:
            error = found["error"]
            raise AnnotationError(error["problem"], error["file"] or self.export, error["where"])
        data = found["annotation"]
        annotation = Annotation(
            data["path"],
            data["filename"],
            data["width"],
            data["height"],
            objects=[_from_object(obj) for obj in data["objects"]],
            skipped=dict(data["skipped"]),
            y_from_bottom=data["y_from_bottom"],
        )
        return self.format, annotation
