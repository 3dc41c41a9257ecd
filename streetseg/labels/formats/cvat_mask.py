"""CVAT "Segmentation mask 1.1" exports: a class-colour PNG per image and one labelmap.txt.

The export (CVAT's exporter writes it through Datumaro's ``voc_segmentation`` format)::

    labelmap.txt                    # label:color_rgb:parts:actions, then name:R,G,B:: lines
    SegmentationClass/<image>.png   # each pixel the colour of its label (read here)
    SegmentationObject/<image>.png  # instance masks (not read)
    ImageSets/Segmentation/default.txt

labelmap.txt is read as Datumaro's ``parse_label_map`` reads it: blank lines and lines
starting with ``#`` are skipped; every other line has exactly four ``:``-separated fields, the
name first and the colour second. CVAT puts ``background:0,0,0::`` first unless the task has a
label of that name: it marks what no shape covers (see :func:`cvat_class_mask`).
A mask is RGB (or palette, read as its colours, or RGBA, whose clear pixels are unlabelled as
in ``color_png``), or one channel whose values are positions in labelmap.txt (from 0), as
Datumaro reads a one-channel mask. A colour or value labelmap.txt does not list is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from streetseg.labels.classes import BACKGROUND, IGNORE_LABEL, normalize_name, unannotated_class
from streetseg.labels.formats.base import AnnotationError, check_file_size, error_context
from streetseg.labels.formats.cvat_layout import CLASS_FOLDER, LABELMAP, is_cvat_mask, labelmap_path
from streetseg.labels.formats.dense import (
    DENSE_SUFFIXES,
    color_keys,
    key_to_color,
    map_index_values,
    open_mask_image,
    parse_color,
)
from streetseg.labels.formats.registry import DENSE, Format

MAX_LABELMAP_BYTES = 1024 * 1024


@dataclass(frozen=True)
class LabelMap:
    """A parsed labelmap.txt: the label names in file order and colour key -> name."""

    path: str
    names: tuple[str, ...]
    colors: dict[int, str]


def parse_labelmap(path: str | Path) -> LabelMap:
    """Read a labelmap.txt, refusing lines without four fields, bad or shared colours, and
    names given twice."""
    if not Path(path).is_file():
        raise AnnotationError(
            f"not found; a CVAT mask export keeps {LABELMAP} beside {CLASS_FOLDER}/", path
        )
    path = check_file_size(path, MAX_LABELMAP_BYTES)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AnnotationError(f"not UTF-8 text: {error}", path) from None
    names: list[str] = []
    colors: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        with error_context(path, f"line {number}"):
            fields = line.split(":")
            if len(fields) != 4:
                raise AnnotationError(
                    f"{line!r} has {len(fields)} ':'-separated fields; a label line is "
                    "name:R,G,B:parts:actions"
                )
            name = fields[0].strip()
            if not name:
                raise AnnotationError(f"{line!r} has no label name")
            if name in names:
                raise AnnotationError(f"label {name!r} is listed twice")
            names.append(name)
            if not fields[1].strip():
                continue  # A label without a colour paints nothing.
            try:
                key = parse_color(fields[1], f"label {name!r}")
            except ValueError as error:
                raise AnnotationError(str(error)) from None
            if key in colors:
                raise AnnotationError(
                    f"labels {colors[key]!r} and {name!r} share the colour {key_to_color(key)}"
                )
            colors[key] = name
    if not names:
        raise AnnotationError("lists no labels", path)
    return LabelMap(str(path), tuple(names), colors)


def _pixel_labels(path, labelmap: LabelMap, max_pixels: int):
    """Each pixel's position in labelmap.txt (-1 where clear), and whether the mask is in
    colours (else in positions)."""
    image = open_mask_image(path, max_pixels)
    if image.mode == "L":  # One channel: positions in labelmap.txt.
        source, clear = np.asarray(image), np.zeros(image.size[::-1], dtype=bool)
        lookup = {value: value for value in range(len(labelmap.names))}
        describe = "value {}".format
    elif image.mode in ("RGB", "RGBA", "P"):
        source, clear = color_keys(image.convert("RGBA") if image.mode == "P" else image)
        position = {name: index for index, name in enumerate(labelmap.names)}
        lookup = {key: position[name] for key, name in labelmap.colors.items()}

        def describe(key):
            return f"colour {key_to_color(key)}"
    else:
        raise AnnotationError(
            f"label image mode {image.mode} is neither RGB colours nor one channel of labels",
            path,
        )
    positions, unknown = map_index_values(source, lookup)
    unknown = {v: n for v, n in unknown.items() if not clear[source == v].all()}
    if unknown:
        found = ", ".join(
            f"{describe(v)} ({n} px)" for v, n in sorted(unknown.items(), key=lambda i: -i[1])
        )
        raise AnnotationError(f"{found} not listed in {labelmap.path}", path)
    positions = positions.astype(np.int16)
    positions[clear] = -1
    return positions, image.mode != "L"


def cvat_class_mask(path, labelmap: LabelMap, resolver, background: int, max_pixels: int):
    """Map a CVAT mask to class ids with ``resolver`` (a LabelResolver); the ``background``
    label's pixels get ``background`` unless the resolver knows that name. Returns the mask
    and statistics as :func:`~streetseg.labels.formats.dense.dense_mask` does."""
    if len(labelmap.names) > 255:
        raise AnnotationError(f"{len(labelmap.names)} labels; at most 255 are read", labelmap.path)
    positions, by_colour = _pixel_labels(path, labelmap, max_pixels)
    counts = np.bincount(positions[positions >= 0], minlength=len(labelmap.names))
    colour_of = {name: key for key, name in labelmap.colors.items()}
    mask = np.full(positions.shape, IGNORE_LABEL, dtype=np.uint8)
    unknown, ignored = {}, 0
    for position in np.flatnonzero(counts):
        name, pixels = labelmap.names[position], int(counts[position])
        label = resolver.label(name)
        if label is None and normalize_name(name) == BACKGROUND:
            label = background
        if label is None:
            value = f"colour {key_to_color(colour_of[name])}" if by_colour else f"value {position}"
            with error_context(path, f"label {name!r} ({value}, {pixels} px)"):
                resolver.resolve(name)  # Raises under labels.unknown: error.
            unknown[name] = pixels
            continue
        mask[positions == position] = label
        ignored += pixels if label == IGNORE_LABEL else 0
    stats = {
        "objects": 0,
        "ignored": ignored,
        "unknown": sum(unknown.values()),
        "unknown_names": sorted(unknown),
        "skipped": 0,
        "skipped_kinds": {},
        "coverage": float((mask != IGNORE_LABEL).mean()),
    }
    return mask, stats


def _decode(path, *, reader, resolver, classes, labels, max_pixels, **_):
    """A CVAT mask through its labelmap.txt (read once per job by ``reader``). CVAT's
    "background" label marks what no shape covers: the unannotated class, unless the config
    resolves that name itself."""
    background = resolver.label(BACKGROUND)
    if background is None:
        name = unannotated_class(classes, labels.get("unannotated"), [path])
        background = resolver.label(name)
    return cvat_class_mask(path, reader.labelmap(path), resolver, background, max_pixels)


DESCRIPTORS = (
    Format(
        "cvat_mask",
        "CVAT mask",
        DENSE,
        DENSE_SUFFIXES,
        # Told by where it lies (below SegmentationClass, beside labelmap.txt), not decoded.
        detect=lambda peek: is_cvat_mask(peek.path),
        hint="below SegmentationClass/ beside labelmap.txt",
        # Its labelmap.txt decides every mask's classes.
        companions=lambda path, names: [str(labelmap_path(path))] if is_cvat_mask(path) else [],
        decode=_decode,
        detected="a `.png` in `SegmentationClass/` beside a `labelmap.txt`",
        notes=(
            'CVAT\'s "Segmentation mask 1.1" export: colour → label name from '
            "`labelmap.txt`, then the class mapping below; see [CVAT segmentation "
            "masks](#cvat-segmentation-masks)"
        ),
    ),
)
