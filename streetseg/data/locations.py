"""Where a sample's files may be and what they may be called: safe sample ids, the data
folder a path must stay inside, the image an annotation names, and files paired by stem."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from streetseg.common.images import IMAGE_SUFFIXES
from streetseg.common.problems import Problem
from streetseg.labels.formats import registry
from streetseg.labels.formats.cvat_layout import CLASS_FOLDER, LABELMAP

# Sample ids become file names under results/, so they are restricted to safe names.
SAFE_SAMPLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
# Files that can be annotations: shapes (XML, JSON) or dense label images.
ANNOTATION_SUFFIXES = registry.suffixes()
HIDDEN = "hidden file (its name starts with '.'), not read as an annotation; rename or remove it"
# Where CVAT's "Segmentation mask 1.1" export keeps its photos when it is asked to save them.
CVAT_IMAGES = "JPEGImages"


def safe_id_problem(sample: str, source: str) -> str | None:
    if not SAFE_SAMPLE_ID.match(str(sample)) or ".." in str(sample):
        return (
            f"sample id {sample!r} is not a safe name (letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, no '..')"
        )
    return None


class DataRoot:
    """A data folder, for telling whether a path stays inside it (lexically and, unless
    symlinks may lead out, after resolving them)."""

    def __init__(self, folder: Path, follow_symlinks: bool):
        self.lexical = Path(os.path.abspath(folder))
        self.real = Path(os.path.realpath(folder))
        self.follow_symlinks = follow_symlinks

    def escape(self, path: Path) -> str | None:
        """Why ``path`` leaves the folder, or None when it stays inside."""
        lexical = Path(os.path.normpath(os.path.abspath(path)))
        if not lexical.is_relative_to(self.lexical):
            return f"lies outside the data folder {self.lexical}"
        if not self.follow_symlinks and not Path(os.path.realpath(path)).is_relative_to(self.real):
            return (
                f"is a symbolic link that leads outside the data folder {self.lexical} "
                "(set data.follow_symlinks: true to allow that)"
            )
        return None


def reference_path(annotation: Path, name: str) -> Path:
    # Exports made on Windows write backslashes; they separate folders there.
    return annotation.parent / PurePosixPath(name.replace("\\", "/"))


def stem_map(folder: Path, suffixes, problems: list) -> dict[str, Path]:
    """Stem -> file for the files of ``folder`` with one of ``suffixes``; two files of one
    stem are a problem each (neither is used)."""
    files: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in suffixes and not path.name.startswith("."):
            files.setdefault(path.stem, []).append(path)
    for stem, paths in files.items():
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(other.name for other in paths if other != path)
                problems.append(
                    Problem(
                        stem,
                        str(path),
                        "",
                        f"another file in {folder} has the stem {stem!r}: {others}",
                    )
                )
    return {stem: paths[0] for stem, paths in files.items() if len(paths) == 1}


def cvat_mask_samples(folder: Path, root: DataRoot, problems: list) -> list[tuple]:
    """The samples of a CVAT mask export in ``folder`` (labelmap.txt and SegmentationClass/):
    one per mask, paired with the photo of its name in JPEGImages/ (where CVAT saves the
    photos) or beside labelmap.txt; a mask in a sub-folder looks in the same sub-folder."""
    masks = folder / CLASS_FOLDER
    if not ((folder / LABELMAP).is_file() and masks.is_dir()):
        return []
    rows, photos = [], {}
    for mask in sorted(p for p in masks.rglob("*") if p.suffix.lower() == ".png"):
        relative = mask.relative_to(masks)
        if any(part.startswith(".") for part in relative.parts):
            problems.append(Problem("", str(mask), "", HIDDEN))
            continue
        places = [folder / CVAT_IMAGES / relative.parent, folder / relative.parent]
        for place in places:
            if place not in photos:
                photos[place] = stem_map(place, IMAGE_SUFFIXES, []) if place.is_dir() else {}
        image = next((photos[p][mask.stem] for p in places if mask.stem in photos[p]), None)
        escape = root.escape(mask) or (image and root.escape(image))
        if image is None:
            where = " or ".join(str(place) for place in places)
            problems.append(Problem(mask.stem, str(mask), "", f"no image {mask.stem}.* in {where}"))
        elif escape:
            problems.append(Problem(mask.stem, str(mask), "", f"the mask or its image {escape}"))
        else:
            rows.append((mask.stem, str(image), str(mask), ""))
    return rows
