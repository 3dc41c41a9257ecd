"""Class tables: ids, names, colours and the palette written into mask PNGs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Label 255 marks pixels that are excluded from the loss and from every metric.
IGNORE_LABEL = 255

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
        """Build the table from the config's ``classes`` list of {id, name, color}."""
        ordered = sorted(classes, key=lambda entry: int(entry["id"]))
        ids = tuple(int(entry["id"]) for entry in ordered)
        if ids != tuple(range(len(ids))):
            raise ValueError(f"class ids must be 0..{len(ids) - 1} without gaps; got {list(ids)}")
        names = tuple(str(entry["name"]).strip() for entry in ordered)
        keys = [normalize_name(name) for name in names]
        if len(set(keys)) != len(keys):
            raise ValueError(f"class names must be unique (ignoring case): {list(names)}")
        colors = tuple(tuple(int(c) for c in entry["color"]) for entry in ordered)
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


# The name of the class that unpainted pixels of a polygon annotation become by default.
BACKGROUND = "background"
# Suffixes of annotation files that hold shapes (whose unpainted pixels need a class), as
# opposed to dense label images, which give every pixel a value.
POLYGON_SUFFIXES = (".xml", ".json")


class ConfigError(ValueError):
    """The config does not fit the data or the model; the message names the key or file."""


def unannotated_class(classes: list[dict], unannotated: str | None, annotation_paths) -> str:
    """What pixels no polygon covers become: a class name, or "ignore" (label 255).

    ``labels.unannotated`` decides; left empty, a class named "background" is the answer.
    Without either, a dataset with polygon annotations is refused: its unpainted pixels
    would otherwise silently become class id 0, whatever class 0 is.
    """
    names = {normalize_name(entry["name"]): entry["name"] for entry in classes}
    if unannotated:
        key = normalize_name(unannotated)
        if key != "ignore" and key not in names:
            raise ConfigError(
                f"labels.unannotated: {unannotated!r} is neither a class nor 'ignore'; "
                f"classes: {', '.join(entry['name'] for entry in classes)}"
            )
        return "ignore" if key == "ignore" else names[key]
    if BACKGROUND in names:
        return names[BACKGROUND]
    polygons = [path for path in annotation_paths if Path(path).suffix.lower() in POLYGON_SUFFIXES]
    if polygons:
        raise ConfigError(
            f"labels.unannotated is needed: {len(polygons)} polygon annotation(s) (e.g. "
            f"{polygons[0]}) leave pixels unpainted, and no class is named {BACKGROUND!r}. "
            "Set labels.unannotated to the class those pixels show, or to 'ignore' to leave "
            "them out of training and scoring"
        )
    return "ignore"
