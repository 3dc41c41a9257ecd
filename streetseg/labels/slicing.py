"""The slices stage: each multi-image export is read once, by one job, into one slice per
mask chunk (streetseg.labels.slices), so that a mask job reads its slice, never the export.

Without it every mask job would parse the whole export for its own images: at 100,000 images
that is 500 parses of a 880 MB CVAT file, and a 1 GB COCO export would need about 8 GB in
every mask job (docs/benchmarks.md, P9). Now the export is parsed once per change and each
mask job's memory follows its chunk.

Each slice has a digest file beside it (its SHA-256): the mask job depends on the digest,
which Snakemake compares by checksum, and on the slice marked ancient, so an edit to one
image's annotation reruns that image's chunk only (rules/slices.smk says how).

A file counts as an export when two or more samples name it and a multi-image format of the
registry claims its suffix: a file named by one sample is read by its mask job directly, as
cheaply as a slice.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from streetseg.common.files import atomic_path, write_bytes_atomic
from streetseg.labels.annotations import inspect_file, read_polygons
from streetseg.labels.formats import registry
from streetseg.labels.formats.base import Annotation, AnnotationError
from streetseg.labels.slices import entry, slice_bytes

MEMBER_COLUMNS = ["export", "chunk", "image"]
# The images a slice job indexes at a time: a CVAT export is streamed once per batch, and
# its parsed elements take about 13 times the file's share (docs/benchmarks.md, P9).
BATCH_IMAGES = 10_000


@dataclass(frozen=True)
class Export:
    """One multi-image export: its job's id, its path and its samples by mask chunk."""

    id: str
    path: str
    chunks: dict = field(hash=False)


def export_id(path: str) -> str:
    """A rule-name-safe id of an export, stable while its path stays: the file's stem and a
    hash of the path (two exports may share a stem)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", Path(path).stem).strip("_")[:40] or "export"
    return f"{stem}_{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"


def multi_image_suffixes() -> set[str]:
    return {
        suffix for fmt in registry.formats().values() if fmt.multi_image for suffix in fmt.suffixes
    }


def find_exports(sample_files: dict, chunks: dict) -> dict[str, Export]:
    """The exports among the samples' annotations (see the module docstring), by id, each
    with its samples by mask chunk (``sample_files``: sample -> {"annotation": path, ...};
    ``chunks``: chunk -> sample ids)."""
    counts = Counter(files["annotation"] for files in sample_files.values())
    suffixes = multi_image_suffixes()
    shared = {p for p, n in counts.items() if n > 1 and Path(p).suffix.lower() in suffixes}
    by_path: dict[str, dict] = {}
    for chunk, members in chunks.items():
        for sample in members:
            path = sample_files[sample]["annotation"]
            if path in shared:
                by_path.setdefault(path, {}).setdefault(chunk, []).append(sample)
    exports = [Export(export_id(path), path, by_chunk) for path, by_chunk in by_path.items()]
    found = {export.id: export for export in exports}
    if len(found) != len(by_path):
        raise ValueError("two exports have the same id; rename one of them")
    return found


def image_name(image_path: str) -> str:
    """The name a mask job looks an image up by in an export: its file name."""
    return Path(image_path).name


def member_rows(exports: dict[str, Export], sample_files: dict) -> list[str]:
    """The rows of the member table (export path, chunk, image name; tab-separated), which
    the export jobs read to know each slice's images: a param of one small rule instead of
    a param of every slice job (Snakemake copies params into each output's record)."""
    rows = []
    for export in exports.values():
        for chunk, samples in export.chunks.items():
            names = dict.fromkeys(image_name(sample_files[s]["image"]) for s in samples)
            rows += [f"{export.path}\t{chunk}\t{name}" for name in names]
    return rows


def write_members(rows: list[str], path) -> None:
    """Write the member table (:func:`member_rows`) atomically."""
    write_bytes_atomic(
        path, ("\t".join(MEMBER_COLUMNS) + "\n" + "".join(r + "\n" for r in rows)).encode()
    )


def read_members(path, export) -> dict[str, list[str]]:
    """Chunk -> the image names of ``export`` in the member table at ``path``."""
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    table = table[table["export"] == str(export)]
    return {chunk: list(rows["image"]) for chunk, rows in table.groupby("chunk", sort=True)}


def by_chunk(paths) -> dict[str, str]:
    """Chunk -> path, for files named after their chunk (``00003.slice.json``)."""
    return {Path(path).name.split(".")[0]: str(path) for path in paths}


def batches(members: dict[str, list[str]], batch_images: int) -> list[list[str]]:
    """The chunks in consecutive groups of at most ``batch_images`` images (at least one
    chunk each)."""
    groups, size = [[]], 0
    for chunk, names in members.items():
        if groups[-1] and size + len(names) > batch_images:
            groups.append([])
            size = 0
        groups[-1].append(chunk)
        size += len(names)
    return [group for group in groups if group]


class ExportReader:
    """Reads images of one export for a batch of chunks at a time: the file is inspected
    once (a COCO document stays loaded), and each batch indexes only its own images, so a
    streamed CVAT export never holds more than a batch of ``<image>`` elements."""

    def __init__(self, export, fmt: str):
        self.export, self.kind, self.error, self.index = export, fmt, None, None
        try:
            self.kind, self.document = inspect_file(export) if fmt == "auto" else (fmt, None)
            self.format = registry.get(self.kind)
        except AnnotationError as error:
            self.error = error

    def select(self, wanted: set[str]) -> None:
        """Index the ``wanted`` images (a multi-image format; others read per image)."""
        self.index = None  # The last batch's entries go before this one's are read.
        if self.error is None and self.format.multi_image:
            try:
                self.index = self.format.index(self.export, wanted, self.document)
            except AnnotationError as error:
                self.index = error

    def read(self, name: str) -> Annotation:
        if self.error is not None or isinstance(self.index, AnnotationError):
            raise (self.error or self.index).copy()
        if self.index is not None:
            return self.index.read(name)
        if self.format.decode is not None:
            raise AnnotationError(f"a {self.kind} label image cannot describe several images")
        return read_polygons(self.export, name, self.kind, self.document)


def slice_export(
    export,
    members: dict[str, list[str]],
    slices: dict[str, str],
    digests: dict[str, str],
    fmt: str = "auto",
    progress=print,
    progress_seconds: float = 10.0,
    batch_images: int = BATCH_IMAGES,
) -> dict[str, str]:
    """Read ``export`` and write, for each chunk of ``members`` (chunk -> image names), its
    slice to ``slices[chunk]`` and the slice's SHA-256 to ``digests[chunk]``.

    ``fmt`` is annotations.format ("auto": detected). The chunks are read in batches of at
    most ``batch_images`` images (see :class:`ExportReader`). An image the export cannot
    give (no entry, a bad shape) and an export that cannot be read at all are recorded in
    the slice as the error, which the mask job reports for that sample; so the job itself
    fails only where it cannot write. Progress goes to ``progress``. Returns chunk -> digest.
    """
    missing = sorted(set(members) ^ set(slices)) + sorted(set(members) ^ set(digests))
    if missing:
        raise ValueError(f"chunks without both a slice and a digest, or without members: {missing}")
    reader = ExportReader(export, fmt)
    last = time.perf_counter()
    total, done, found = sum(map(len, members.values())), 0, {}
    for batch in batches(members, batch_images):
        reader.select({name for chunk in batch for name in members[chunk]})
        for chunk in batch:
            entries = {}
            for name in members[chunk]:
                try:
                    entries[name] = entry(reader.read(name))
                except AnnotationError as error:
                    entries[name] = entry(error.copy().at(export))
            data = slice_bytes(export, reader.kind, entries)
            found[chunk] = hashlib.sha256(data).hexdigest()
            write_bytes_atomic(slices[chunk], data)
            with atomic_path(digests[chunk]) as temporary:
                Path(temporary).write_text(f"{found[chunk]}  {Path(slices[chunk]).name}\n")
            done += len(members[chunk])
            if time.perf_counter() - last >= progress_seconds or done == total:
                last = time.perf_counter()
                progress(f"{export}: {done}/{total} images into {len(found)}/{len(members)} slices")
    return found
