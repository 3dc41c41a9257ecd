"""Cityscapes polygons: one ``<city>_<seq>_<frame>_gtFine_polygons.json`` per image (the
format of cityscapesScripts' helpers/annotation.py, read by preparation/json2labelImg.py)::

    {"imgHeight": 1024, "imgWidth": 2048, "objects": [
      {"label": "road", "polygon": [[x, y], ...], "deleted": 0, "id": 0, "user": "..."}]}

Objects are painted in file order, later ones over earlier ones, as json2labelImg does.
Objects marked ``deleted`` are skipped uncounted (the annotator removed them). Labels are the
cityscapesScripts names ("road", "cargroup", "license plate", ...): map them onto the class
table with ``labels.aliases`` (config/examples/cityscapes.yaml does it for the 19 train
classes). The image is ``<city>_<seq>_<frame>_leftImg8bit.png``.
"""

from __future__ import annotations

from pathlib import Path

from streetseg.labels.formats.base import (
    AnnotatedObject,
    Annotation,
    AnnotationError,
    error_context,
    read_json,
)
from streetseg.labels.formats.coordinates import (
    parse_size,
    polygon_from_points,
)
from streetseg.labels.formats.registry import POLYGON, Format

ANNOTATION_SUFFIX = "_gtFine_polygons.json"
IMAGE_SUFFIX = "_leftImg8bit.png"


def is_cityscapes(data) -> bool:
    """Whether parsed JSON is a Cityscapes polygon file (imgHeight, imgWidth, objects)."""
    return isinstance(data, dict) and "imgHeight" in data and isinstance(data.get("objects"), list)


def cityscapes_image(path: str | Path) -> tuple[str, str]:
    """(sample id, image file name) of an annotation file: ``<city>_<seq>_<frame>`` and
    ``<city>_<seq>_<frame>_leftImg8bit.png``; other file names keep their stem and ask for
    ``<stem>.png``."""
    name = Path(path).name
    if name.endswith(ANNOTATION_SUFFIX):
        frame = name[: -len(ANNOTATION_SUFFIX)]
        return frame, frame + IMAGE_SUFFIX
    return Path(path).stem, Path(path).stem + ".png"


def parse_cityscapes_json(path: str | Path, document=None) -> Annotation:
    """Read one Cityscapes ``*_gtFine_polygons.json`` file."""
    data = read_json(path) if document is None else document
    with error_context(path):
        if not is_cityscapes(data):
            raise AnnotationError("not a Cityscapes file (needs imgHeight, imgWidth, objects)")
        with error_context(where="image size"):
            width, height = parse_size(data.get("imgWidth"), data.get("imgHeight"))
        annotation = Annotation(str(path), cityscapes_image(path)[1], width, height)
        for number, item in enumerate(data["objects"], start=1):
            if not isinstance(item, dict):
                raise AnnotationError("not an object", where=f"object {number}")
            label = item.get("label")
            name = label.strip() if isinstance(label, str) else ""
            where = f"object {number}" + (f" ({name!r})" if name else "")
            with error_context(where=where):
                deleted = item.get("deleted", 0)
                if deleted not in (0, 1) or isinstance(deleted, float):
                    raise AnnotationError(f"deleted is not 0 or 1: {deleted!r}")
                if deleted:
                    continue
                if not name:
                    raise AnnotationError("missing label")
                if not isinstance(item.get("polygon"), list):
                    raise AnnotationError("'polygon' is not a list of [x, y] points")
                vertices = polygon_from_points(item["polygon"])
            annotation.objects.append(AnnotatedObject(name, where, vertices=vertices))
    return annotation


def _named_image(path):
    """Cityscapes pairs ``<frame>_gtFine_polygons.json`` with ``<frame>_leftImg8bit.png``."""
    sample, name = cityscapes_image(path)
    return sample, [Path(path).parent / name]


DESCRIPTORS = (
    Format(
        "cityscapes_json",
        "Cityscapes",
        POLYGON,
        (".json",),
        detect=lambda peek: is_cityscapes(peek.json),
        hint="imgHeight, imgWidth, objects",
        parse=parse_cityscapes_json,
        named_image=_named_image,
        detected="`.json` with `imgHeight`, `imgWidth`, `objects`",
        notes=(
            "`polygon` per object, file order is paint order, `deleted` objects skipped; see "
            "[Cityscapes](#cityscapes-polygons)"
        ),
    ),
)
