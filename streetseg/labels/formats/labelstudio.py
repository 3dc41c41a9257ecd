"""Label Studio JSON export: a list of tasks, each with ``data`` (the image) and ``annotations``.

Read per result of the chosen annotation, in file order: ``polygonlabels`` (points in percent
of ``original_width`` and ``original_height``), ``rectanglelabels`` (x, y, width, height in
percent, turned by ``rotation`` degrees clockwise about its top-left corner) and
``brushlabels`` (Label Studio's brush RLE, see :mod:`lsrle`). Plain ``polygon``,
``rectangle`` and ``brush`` results take their label from the ``labels`` result with the same
id. Key points and ellipses are skipped and counted; choices, text and other whole-image
results are not shapes and are passed over.

Which annotation: cancelled ones (``was_cancelled``) are never used; of the rest, a ground
truth one wins, else the latest (``updated_at``, else ``created_at``, else the last listed).
``predictions`` are a model's guesses and are never read.

The task's image is named by ``data.image`` (else the one text value of ``data``): the last
segment of its path, URL-decoded, without a query. A local-files URL
(``/data/local-files/?d=dir/a.jpg``) names the file in ``d``; an upload
(``/data/upload/<project>/<8 hex>-a.jpg``) loses the 8-hex-digit prefix Label Studio gave it.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

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
    NORMALISED_SLACK,
    parse_number,
    parse_size,
    polygon_from_points,
)
from streetseg.labels.formats.image_index import ExportIndex, ImageIndex, wanted_test
from streetseg.labels.formats.lsrle import decode_mask
from streetseg.labels.formats.registry import POLYGON, Format

# Coordinates are percentages; coordinates.NORMALISED_SLACK says how far past 0..100 they may lie.
PERCENT_SLACK = 100 * NORMALISED_SLACK
SHAPES = {"polygon", "rectangle", "brush"}
# Counted in Annotation.skipped: key points have no area; ellipses are not read.
SKIPPED = {"keypointlabels", "keypoint", "ellipselabels", "ellipse"}
UPLOAD = re.compile(r"^/data/upload/\d+/[0-9a-f]{8}-(?P<name>.+)$")


def task_image_name(data) -> str:
    """The local file name of a task's image (see the module docstring)."""
    if not isinstance(data, dict):
        raise AnnotationError("'data' is not an object")
    url = data.get("image")
    if url is None:
        texts = [value for value in data.values() if isinstance(value, str)]
        if len(texts) != 1:
            raise AnnotationError("'data' has no 'image' and not exactly one text value")
        url = texts[0]
    if not isinstance(url, str) or not url.strip():
        raise AnnotationError(f"data.image is not a file name or URL: {url!r}")
    parts = urlsplit(url.strip())
    path = unquote(parts.path)
    if path.rstrip("/").endswith("/data/local-files") and "d" in parse_qs(parts.query):
        path = parse_qs(parts.query)["d"][0]
    upload = UPLOAD.match(path)
    name = upload["name"] if upload else PurePosixPath(path.replace("\\", "/")).name
    if not name or name in (".", ".."):
        raise AnnotationError(f"data.image names no file: {url!r}")
    return name


def _when(annotation: dict) -> datetime | None:
    for key in ("updated_at", "created_at"):
        text = annotation.get(key)
        if isinstance(text, str):
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise AnnotationError(f"{key} is not a date: {text!r}") from None
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def choose_annotation(task: dict, where: str = "task") -> tuple[int, dict]:
    """The (1-based number, annotation) to paint: see the module docstring."""
    annotations = task.get("annotations", task.get("completions"))
    if not isinstance(annotations, list):
        raise AnnotationError("'annotations' is not a list")
    usable = []
    for number, annotation in enumerate(annotations, start=1):
        if not isinstance(annotation, dict):
            raise AnnotationError("not an object", where=f"{where} annotation {number}")
        if annotation.get("was_cancelled") is True:
            continue
        with error_context(where=f"{where} annotation {annotation.get('id', number)}"):
            when = _when(annotation)
        usable.append((annotation.get("ground_truth") is True, when, number, annotation))
    if not usable:
        cancelled = f" ({len(annotations)} cancelled)" if annotations else ""
        raise AnnotationError(f"task has no annotation to use{cancelled}")
    if all(item[1] is not None for item in usable):
        best = max(usable, key=lambda item: item[:3])
    else:  # Undated annotations: the last listed is the latest.
        best = max(usable, key=lambda item: (item[0], item[2]))
    return best[2], best[3]


class LabelStudioIndex(ExportIndex):
    """The tasks of a Label Studio export by image name; only the ``wanted`` ones are kept."""

    def __init__(self, path, wanted=None, document=None):
        data = read_json(path, MAX_MULTI_IMAGE_BYTES) if document is None else document
        self.path, self.index, keep = path, ImageIndex("task"), wanted_test(wanted)
        with error_context(path):
            if not isinstance(data, list):
                raise AnnotationError("not a Label Studio export (a list of tasks)")
            for number, task in enumerate(data, start=1):
                where = f"task {number}"
                if not isinstance(task, dict):
                    raise AnnotationError("not an object", where=where)
                if isinstance(task.get("id"), (int, str)):
                    where = f"task {task['id']}"
                with error_context(where=where):
                    name = task_image_name(task.get("data"))
                entry = (where, task) if keep(name) else None
                self.index.add(name, entry, f"image {name!r} ({where})")

    def parse(self, name: str, entry) -> Annotation:
        return parse_task(self.path, *entry)


def parse_task(path, where: str, task: dict) -> Annotation:
    """Read the chosen annotation of one task."""
    with error_context(path, where):
        number, chosen = choose_annotation(task, where)
        where += f" annotation {chosen.get('id', number)}"
        with error_context(where=where):
            results = chosen.get("result")
            if not isinstance(results, list):
                raise AnnotationError("'result' is not a list")
            if not all(isinstance(result, dict) for result in results):
                raise AnnotationError("a result is not an object")
        name = task_image_name(task.get("data"))
        annotation = Annotation(str(path), name, None, None)
        labels = {r.get("id"): r["value"].get("labels") for r in results if _labels_result(r)}
        for number, result in enumerate(results, start=1):
            kind = str(result.get("type", "")).lower()
            shape = kind.removesuffix("labels")
            if kind in SKIPPED:
                annotation.skip(kind)
            if shape not in SHAPES:
                continue
            result_where = f"{where} result {result.get('id', number)}"
            with error_context(where=result_where):
                label = _label(result, kind, labels)
                result_where += f" ({label!r})"
            with error_context(where=result_where):
                size = _size(result)
                if annotation.width is None:
                    annotation.width, annotation.height = size
                elif size != (annotation.width, annotation.height):
                    raise AnnotationError(
                        f"original size {size[0]}x{size[1]} differs from the "
                        f"{annotation.width}x{annotation.height} of the results before it"
                    )
                annotation.objects.append(_shape(result, shape, label, result_where, *size))
    return annotation


def _labels_result(result: dict) -> bool:
    return str(result.get("type", "")).lower() == "labels" and isinstance(result.get("value"), dict)


def _label(result: dict, kind: str, labels: dict) -> str:
    value = result.get("value")
    if not isinstance(value, dict):
        raise AnnotationError("'value' is not an object")
    names = value.get(kind) if kind.endswith("labels") else labels.get(result.get("id"))
    if not isinstance(names, list) or not names:
        raise AnnotationError(f"missing label (value.{kind if kind.endswith('labels') else ''})")
    if len(names) > 1:
        raise AnnotationError(f"has {len(names)} labels {names}; one is needed")
    if not isinstance(names[0], str) or not names[0].strip():
        raise AnnotationError(f"label is not a name: {names[0]!r}")
    return names[0]


def _size(result: dict) -> tuple[int, int]:
    if "original_width" not in result or "original_height" not in result:
        raise AnnotationError("missing original_width/original_height")
    if parse_number(result.get("image_rotation", 0), "image_rotation") != 0:
        raise AnnotationError("image_rotation is not 0; rotated images are not supported")
    return parse_size(result["original_width"], result["original_height"])


def _percent(value, what: str, scale: float) -> float:
    number = parse_number(value, what)
    if not -PERCENT_SLACK <= number <= 100 + PERCENT_SLACK:
        raise AnnotationError(f"{what} is {number}%, outside 0..100")
    return number * scale / 100


def _extent(value, what: str, scale: float) -> float:
    """A rectangle's width or height: a percentage of the image side, of either sign."""
    number = parse_number(value, what)
    if not -100 - PERCENT_SLACK <= number <= 100 + PERCENT_SLACK:
        raise AnnotationError(f"{what} is {number}%, outside -100..100")
    return number * scale / 100


def _shape(result, shape, label, where, width, height) -> AnnotatedObject:
    value = result["value"]
    if shape == "brush":
        if value.get("format", "rle") != "rle":
            raise AnnotationError(f"brush format {value.get('format')!r} is not 'rle'")
        return AnnotatedObject(label, where, bitmap=decode_mask(value.get("rle"), width, height))
    if shape == "polygon":
        points = value.get("points")
        if not isinstance(points, list):
            raise AnnotationError("'points' is not a list")
        pairs = [
            [_percent(p[0], f"x of point {n}", width), _percent(p[1], f"y of point {n}", height)]
            if isinstance(p, list) and len(p) == 2
            else p
            for n, p in enumerate(points, start=1)
        ]
        return AnnotatedObject(label, where, vertices=polygon_from_points(pairs))
    x, y = _percent(value.get("x"), "x", width), _percent(value.get("y"), "y", height)
    # The editor writes a negative width or height for a box dragged past its corner: the
    # box then extends left of x or above y (along its rotation), as the corners below draw.
    w = _extent(value.get("width"), "width", width)
    h = _extent(value.get("height"), "height", height)
    angle = math.radians(parse_number(value.get("rotation", 0), "rotation"))
    along, down = (math.cos(angle), math.sin(angle)), (-math.sin(angle), math.cos(angle))
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    vertices = np.array(
        [(x + a * along[0] + b * down[0], y + a * along[1] + b * down[1]) for a, b in corners]
    )
    if angle == 0:  # Exact corners, as a box is written in the other formats.
        left, top = min(x, x + w), min(y, y + h)
        right, bottom = left + abs(w), top + abs(h)
        vertices = np.array(
            [(left, top), (right, top), (right, bottom), (left, bottom)], dtype=np.float64
        )
    return AnnotatedObject(label, where, vertices=vertices)


def label_studio_image_names(path, document=None) -> list[str]:
    """The image names of all tasks of a Label Studio export."""
    return list(LabelStudioIndex(path, set(), document).index.entries)


def _is_label_studio(peek) -> bool:
    data = peek.json
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "data" in data[0]


DESCRIPTORS = (
    Format(
        "label_studio_json",
        "Label Studio",
        POLYGON,
        (".json",),
        detect=_is_label_studio,
        hint="a list of tasks with data",
        index=LabelStudioIndex,
        image_names=label_studio_image_names,
        detected="`.json` holding a list of tasks with `data`",
        notes=(
            "`polygonlabels`, `rectanglelabels` (with `rotation`), `brushlabels` (brush RLE) "
            "in percent of the original size; one annotation per task; see [Label Studio "
            "JSON](#label-studio-json)"
        ),
    ),
)
