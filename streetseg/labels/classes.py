"""Class tables: ids, names, colours and the palette written into mask PNGs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from streetseg.labels.formats.cvat_layout import is_cvat_mask

# Label 255 marks pixels that are excluded from the loss and from every metric.
IGNORE_LABEL = 255
# The name that labels.aliases, labels.ignore and labels.unannotated read as IGNORE_LABEL.
IGNORE_NAME = "ignore"


class ConfigError(ValueError):
    """The config does not fit the data or the model; the message names the key or file."""


# The demo's classes (the synthetic scenes paint these): the config schema's default class
# table, which config/config.yaml repeats for the reader (a test keeps the three equal).
DEMO_CLASSES = [
    {"id": 0, "name": "background", "color": [0, 0, 0]},
    {"id": 1, "name": "tree", "color": [34, 139, 34]},
    {"id": 2, "name": "landscaping", "color": [154, 205, 50]},
    {"id": 3, "name": "road", "color": [128, 64, 128]},
    {"id": 4, "name": "sidewalk", "color": [244, 35, 232]},
    {"id": 5, "name": "building", "color": [70, 70, 70]},
    {"id": 6, "name": "sky", "color": [70, 130, 180]},
    {"id": 7, "name": "concrete", "color": [250, 170, 30]},
]


@dataclass(frozen=True)
class ClassTable:
    """The project's classes, in id order, with their display colours."""

    ids: tuple[int, ...]
    names: tuple[str, ...]
    colors: tuple[tuple[int, int, int], ...]

    @classmethod
    def from_config(cls, classes: list[dict]) -> ClassTable:
        """Build the table from the config's ``classes`` list of {id, name, color}.

        A list the table cannot be is refused with a :class:`ConfigError` naming the entry:
        an id given twice, ids that do not run 0..n-1, id 255 (the ignore label), a colour
        that is not [red, green, blue] in 0..255, an empty name, two names that match
        (ignoring case and spacing), the name "ignore" (which labels.aliases, labels.ignore
        and labels.unannotated read as label 255), or two classes with one colour.
        """
        ordered = sorted(classes, key=lambda entry: int(entry["id"]))
        ids = tuple(int(entry["id"]) for entry in ordered)
        names = tuple(str(entry["name"]).strip() for entry in ordered)
        colors = tuple(tuple(int(c) for c in entry["color"]) for entry in ordered)
        _check_ids(ids, names)
        _check_names(ids, names)
        _check_colors(ids, names, colors)
        return cls(ids=ids, names=names, colors=colors)

    @property
    def num_classes(self) -> int:
        return len(self.ids)

    def lookup(self) -> dict[str, int]:
        """Map normalised class names to ids."""
        return {normalize_name(name): class_id for class_id, name in zip(self.ids, self.names)}

    def palette(self) -> list[int]:
        """A 768-entry PIL palette: class colours first, white for the ignore label."""
        flat = [0] * 768
        for class_id, color in zip(self.ids, self.colors):
            flat[3 * class_id : 3 * class_id + 3] = color
        flat[3 * IGNORE_LABEL : 3 * IGNORE_LABEL + 3] = (255, 255, 255)
        return flat


def normalize_name(name: str) -> str:
    """Class names match after trimming whitespace and ignoring case."""
    return " ".join(str(name).split()).casefold()


def _entry(class_id: int, name: str) -> str:
    return f"id {class_id} ({name!r})"


def _check_ids(ids: tuple[int, ...], names: tuple[str, ...]) -> None:
    """Ids are 0..n-1, each once; 255 is the ignore label."""
    for index, class_id in enumerate(ids):
        if class_id == IGNORE_LABEL:
            raise ConfigError(
                f"classes: {_entry(class_id, names[index])}: id {IGNORE_LABEL} is reserved for "
                "ignored pixels; class ids run 0..254"
            )
        if index and class_id == ids[index - 1]:
            raise ConfigError(
                f"classes: id {class_id} is given twice ({names[index - 1]!r} and "
                f"{names[index]!r}); each class needs its own id"
            )
    missing = sorted(set(range(len(ids))) - set(ids))
    if missing:
        raise ConfigError(
            f"classes: ids must run 0..{len(ids) - 1} without gaps; "
            f"{', '.join(map(str, missing))} missing (ids given: {', '.join(map(str, ids))})"
        )


def _check_names(ids: tuple[int, ...], names: tuple[str, ...]) -> None:
    """Names are given, distinct after normalisation, and not the ignore keyword."""
    seen: dict[str, int] = {}
    for class_id, name in zip(ids, names):
        key = normalize_name(name)
        if not key:
            raise ConfigError(f"classes: id {class_id} has an empty name")
        if key == IGNORE_NAME:
            raise ConfigError(
                f"classes: {_entry(class_id, name)}: the name {IGNORE_NAME!r} is reserved; "
                "labels.aliases, labels.ignore and labels.unannotated read it as label 255"
            )
        if key in seen:
            first = seen[key]
            raise ConfigError(
                f"classes: {_entry(first, names[first])} and {_entry(class_id, name)} have "
                "the same name (names match ignoring case and spacing)"
            )
        seen[key] = class_id


def _check_colors(ids, names, colors) -> None:
    """Each class has its own [red, green, blue] colour."""
    seen: dict[tuple[int, ...], int] = {}
    for class_id, name, color in zip(ids, names, colors):
        if len(color) != 3 or not all(0 <= c <= 255 for c in color):
            raise ConfigError(
                f"classes: {_entry(class_id, name)}: color must be [red, green, blue] with "
                f"values 0..255; got {list(color)}"
            )
        if color in seen:
            first = seen[color]
            raise ConfigError(
                f"classes: {_entry(first, names[first])} and {_entry(class_id, name)} have "
                f"the same color {list(color)}; colour masks and overlays tell classes apart "
                "by it"
            )
        seen[color] = class_id


# The name of the class that unpainted pixels of a polygon annotation become by default.
BACKGROUND = "background"


def unannotated_class(classes: list[dict], unannotated: str | None, annotation_paths) -> str:
    """What pixels no polygon covers become: a class name, or "ignore" (label 255).

    ``labels.unannotated`` decides; left empty, a class named "background" is the answer.
    Without either, a dataset with polygon annotations or CVAT masks (whose ``background``
    label is what no shape covers) is refused: its unpainted pixels would otherwise silently
    become class id 0, whatever class 0 is.
    """
    names = {normalize_name(entry["name"]): entry["name"] for entry in classes}
    if unannotated:
        key = normalize_name(unannotated)
        if key != IGNORE_NAME and key not in names:
            raise ConfigError(
                f"labels.unannotated: {unannotated!r} is neither a class nor 'ignore'; "
                f"classes: {', '.join(entry['name'] for entry in classes)}"
            )
        return IGNORE_NAME if key == IGNORE_NAME else names[key]
    if BACKGROUND in names:
        return names[BACKGROUND]
    # Files of shapes leave pixels unpainted (dense label images give every pixel a value);
    # a CVAT mask's "background" label marks the same unpainted pixels.
    from streetseg.labels.formats.registry import POLYGON, suffixes  # (formats import this)

    polygon_suffixes = suffixes(POLYGON)
    polygons = [
        path
        for path in annotation_paths
        if Path(path).suffix.lower() in polygon_suffixes or is_cvat_mask(path)
    ]
    if polygons:
        raise ConfigError(
            f"labels.unannotated is needed: {len(polygons)} polygon annotation(s) or CVAT "
            f"mask(s) (e.g. "
            f"{polygons[0]}) leave pixels unpainted, and no class is named {BACKGROUND!r}. "
            "Set labels.unannotated to the class those pixels show, or to 'ignore' to leave "
            "them out of training and scoring"
        )
    return "ignore"
