"""Class-name resolution: matching, aliases, the ignore label and the unknown-name policy."""

from __future__ import annotations

from streetseg.common.defaults import default
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

    def __init__(
        self,
        table: ClassTable,
        aliases=None,
        ignore=None,
        unknown: str = default("labels.unknown"),
    ):
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


class LabelTargetError(ValueError):
    """Names in ``labels`` that point at no class; one line per name."""


def check_label_targets(labels: dict, classes: list[dict]) -> None:
    """Every alias, index_map and color_map target of the config's ``labels`` section that is
    no class, alias or ignored name, and every color_map key that is no colour, in one error
    (one line each), so that the dry run names them all instead of a mask job naming one."""
    table = ClassTable.from_config(classes)
    known = ", ".join(table.names)
    lines = []
    resolver = LabelResolver(table, None, labels.get("ignore"))
    for source, target in (labels.get("aliases") or {}).items():
        if resolver.label(str(target)) is None:
            lines.append(f"labels.aliases: {source!r} maps to {target!r}, which is not a class")
    resolver = LabelResolver(table, _good_aliases(labels, resolver), labels.get("ignore"))
    for key in ("index_map", "color_map"):
        for value, name in (labels.get(key) or {}).items():
            if resolver.label(str(name)) is None:
                lines.append(f"labels.{key}: {value} maps to {name!r}, which is not a class")
            if key == "color_map":
                try:
                    parse_color(value, "labels.color_map")
                except ValueError as error:
                    lines.append(str(error))
    if lines:
        lines.append(f"(the classes are {known}, and ignore)")
        raise LabelTargetError("\n  ".join(lines))


def _good_aliases(labels: dict, resolver: LabelResolver) -> dict:
    """The aliases whose targets resolve, for checking the maps that may name them."""
    aliases = labels.get("aliases") or {}
    return {k: v for k, v in aliases.items() if resolver.label(str(v)) is not None}
