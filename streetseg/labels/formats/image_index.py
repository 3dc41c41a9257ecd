"""The image entries of a multi-image export, by name: what every such format's index shares.

A format's index (CVAT, COCO, Labelbox, Label Studio, Azure ML) subclasses
:class:`ExportIndex`: its constructor reads the export once and adds each entry to
``self.index`` (kept only for the wanted images), and its ``parse(name, entry)`` turns one
kept entry into an :class:`~streetseg.labels.formats.base.Annotation`; ``read`` is here.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from streetseg.labels.formats.base import Annotation, AnnotationError, error_context


def base_name(name: str) -> str:
    """The file name of an entry's image name (exports made on Windows write backslashes)."""
    return PurePosixPath(name.replace("\\", "/")).name


class ImageIndex:
    """The image entries of a multi-image export by name, for dict look-ups: the entry whose
    name is the image's, or else whose base name is, if that is unique. Names must be unique.
    ``what`` names the entries in messages ("<image>", "images")."""

    def __init__(self, what: str):
        self.what = what
        self.entries: dict = {}  # name -> entry, or None for an entry not kept
        self._by_base: dict[str, list[str]] = {}

    def add(self, name: str, entry, where: str) -> None:
        """Index ``entry`` (None: not kept) by ``name``; ``where`` names it in messages."""
        if name in self.entries:
            raise AnnotationError(f"{where} appears twice; image names must be unique")
        self.entries[name] = entry
        self._by_base.setdefault(base_name(name), []).append(name)

    def name_of(self, image_name: str) -> str:
        if image_name in self.entries:
            return image_name
        base = base_name(image_name)
        loose = self._by_base.get(base, [])
        if len(loose) == 1:
            return loose[0]
        if len(loose) > 1:
            raise AnnotationError(
                f"{len(loose)} {self.what} entries are named {base!r}; use full names"
            )
        raise AnnotationError(f"no {self.what} entry for image {image_name!r}")


def wanted_test(wanted):
    """A test of whether an entry name may be asked for by one of the ``wanted`` image names
    (by name or base name); None wants every entry."""
    if wanted is None:
        return lambda name: True
    bases = {base_name(name) for name in wanted}
    return lambda name: name in wanted or base_name(name) in bases


class ExportIndex:
    """A multi-image export read once: ``path`` and ``index`` (an :class:`ImageIndex`) are set
    by the subclass's constructor ``(path, wanted=None, document=None)``."""

    path: object
    index: ImageIndex

    def read(self, image_name: str) -> Annotation | None:
        """The image's annotation; None if its entry was not kept (it was not wanted)."""
        with error_context(self.path):
            name = self.index.name_of(image_name)
        entry = self.index.entries[name]
        return None if entry is None else self.parse(name, entry)

    def parse(self, name: str, entry) -> Annotation:
        """One kept entry as an annotation (the format's own reading)."""
        raise NotImplementedError
