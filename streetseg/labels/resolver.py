"""Class-name resolution: matching, aliases, the ignore label and the unknown-name policy."""

from __future__ import annotations

from streetseg.labels.classes import IGNORE_LABEL, IGNORE_NAME, ClassTable, normalize_name
from streetseg.labels.formats.base import AnnotationError
from streetseg.labels.formats.dense import parse_color

UNKNOWN_POLICIES = ("error", "ignore")


class LabelResolver:
    """Turn names as written in exports into class ids, 255 (ignored) or None (unknown).

    Names match after trimming whitespace and ignoring case. ``aliases`` maps source names
    onto the project's classes (``vegetation: landscaping``); names listed in ``ignore`` (or
    aliased to "ignore") become label 255, which no loss or metric counts.
    """

    def __init__(self, table: ClassTable, aliases=None, ignore=None, unknown: str = "error"):
        if unknown not in UNKNOWN_POLICIES:
            raise ValueError(f"labels.unknown must be one of {UNKNOWN_POLICIES}, not {unknown!r}")
        self.table, self.unknown = table, unknown
        self.lookup = table.lookup()
        self.aliases = {normalize_name(k): normalize_name(v) for k, v in (aliases or {}).items()}
        self.ignored = {normalize_name(name) for name in (ignore or [])} | {IGNORE_NAME}
        for source, target in self.aliases.items():
            if target not in self.lookup and target not in self.ignored:
                raise ValueError(
                    f"labels.aliases: {source!r} maps to {target!r}, which is not a class; "
                    f"known classes: {', '.join(table.names)}"
                )

    def label(self, name: str) -> int | None:
        """The label for a name, or None when it is unknown."""
        key = normalize_name(name)
        key = self.aliases.get(key, key)
        if key in self.ignored:
            return IGNORE_LABEL
        return self.lookup.get(key)

    def resolve(self, name: str) -> int | None:
        """Like :meth:`label`, but an unknown name raises under the "error" policy (an
        AnnotationError that the caller names the file and object in)."""
        label = self.label(name)
        if label is None and self.unknown == "error":
            raise AnnotationError(
                f"unknown class {name.strip()!r}; known classes: {', '.join(self.table.names)}"
            )
        return label

    def index_lookup(self, index_map: dict, values) -> dict[int, int | None]:
        """Pixel value -> label for an index mask; without a map values are class ids."""
        if not index_map:
            valid = set(self.table.ids) | {IGNORE_LABEL}
            return {int(v): (int(v) if int(v) in valid else None) for v in values}
        lookup = {}
        for value, name in index_map.items():
            label = self.label(str(name))
            if label is None:
                raise ValueError(f"labels.index_map: {value} maps to unknown class {name!r}")
            lookup[int(value)] = label
        return {int(v): lookup.get(int(v)) for v in values}

    def color_lookup(self, color_map: dict, keys) -> dict[int, int | None]:
        """24-bit colour key -> label for a colour mask; without a map, the class colours."""
        lookup = {}
        if color_map:
            for text, name in color_map.items():
                label = self.label(str(name))
                if label is None:
                    raise ValueError(f"labels.color_map: {text} maps to unknown class {name!r}")
                lookup[parse_color(text, "labels.color_map")] = label
        else:
            for class_id, (red, green, blue) in zip(self.table.ids, self.table.colors):
                lookup[(red << 16) | (green << 8) | blue] = class_id
        return {int(k): lookup.get(int(k)) for k in keys}
