"""The class table's checks, in the library and at DAG build, and what unannotated pixels
become when the table has no background class."""

from __future__ import annotations

import pytest
import yaml

from streetseg.labels.classes import ClassTable, ConfigError, unannotated_class
from tests.helpers import CARS_FIRST, NO_BACKGROUND
from tests.helpers.snakefile import snakemake


def _table(*entries):
    return [{"id": i, "name": n, "color": c} for i, n, c in entries]


@pytest.mark.parametrize(
    "classes, message",
    [
        (
            _table((0, "sky", [0, 0, 1]), (1, "road", [0, 0, 2]), (1, "car", [0, 0, 3])),
            r"classes: id 1 is given twice \('road' and 'car'\)",
        ),
        (
            _table((0, "sky", [0, 0, 1]), (2, "road", [0, 0, 2])),
            r"classes: ids must run 0\.\.1 without gaps; 1 missing \(ids given: 0, 2\)",
        ),
        (
            _table((0, "sky", [0, 0, 1]), (255, "road", [0, 0, 2])),
            r"classes: id 255 \('road'\): id 255 is reserved for ignored pixels",
        ),
        (
            _table((0, "Parking  Lot", [0, 0, 1]), (1, " parking lot", [0, 0, 2])),
            r"classes: id 0 \('Parking  Lot'\) and id 1 \('parking lot'\) have the same name",
        ),
        (
            _table((0, "sky", [0, 0, 1]), (1, "  ", [0, 0, 2])),
            r"classes: id 1 has an empty name",
        ),
        (
            _table((0, "sky", [0, 0, 1]), (1, "Ignore", [0, 0, 2])),
            r"classes: id 1 \('Ignore'\): the name 'ignore' is reserved",
        ),
        (
            _table((0, "sky", [9, 9, 9]), (1, "road", [9, 9, 9])),
            r"classes: id 0 \('sky'\) and id 1 \('road'\) have the same color \[9, 9, 9\]",
        ),
        (
            _table((0, "sky", [0, 0, 1]), (1, "road", [0, 256, 0])),
            r"classes: id 1 \('road'\): color must be \[red, green, blue\]",
        ),
    ],
)
def test_a_bad_class_table_is_refused_naming_the_entry(classes, message):
    with pytest.raises(ConfigError, match=message):
        ClassTable.from_config(classes)


def test_the_default_classes_make_a_table(classes):
    assert ClassTable.from_config(classes).num_classes == 8


def test_a_polygon_dataset_without_background_needs_the_key():
    with pytest.raises(ConfigError, match="labels.unannotated is needed: 1 polygon annotation"):
        unannotated_class(NO_BACKGROUND, "", ["data/a.xml", "data/b.png"])
    # Dense masks give every pixel a value, so they need no answer.
    assert unannotated_class(NO_BACKGROUND, "", ["data/b.png"]) == "ignore"
    assert unannotated_class(CARS_FIRST, "", ["data/a.xml"]) == "Background"
    with pytest.raises(ConfigError, match="'sky' is neither a class nor 'ignore'"):
        unannotated_class(CARS_FIRST, "sky", [])


@pytest.mark.workflow
def test_a_bad_class_table_stops_the_dry_run_without_a_stack(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "classes": _table(
                    (0, "background", [0, 0, 0]), (1, "tree", [0, 9, 0]), (1, "road", [9, 0, 0])
                )
            }
        )
    )
    process = snakemake(tmp_path, "-n", configfile=bad, check=False)
    assert process.returncode == 1, process.stdout + process.stderr
    assert "Error: classes: id 1 is given twice ('tree' and 'road')" in process.stderr
    assert "Traceback" not in process.stderr
    assert not (tmp_path / "resources").exists() and not (tmp_path / "results").exists()
