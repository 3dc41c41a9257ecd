"""A multi-image export is read once, by its slice job; an edit reruns its image's chunk only."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.helpers.format_writers import write_cvat_xml, write_scene_photo
from tests.helpers.snakefile import folder_config, snakemake

pytestmark = pytest.mark.workflow

TARGET = "results/dataset/images.tsv"


@pytest.fixture
def cvat_folder(tmp_path):
    """Six photos in one CVAT export; mask chunks of two, so three mask jobs share it."""
    data = tmp_path / "export"
    data.mkdir()
    scenes = [write_scene_photo(data, f"street{i}", 9, i, 64, 48) for i in range(6)]
    write_cvat_xml(data / "cvat_export.xml", scenes)
    return tmp_path


def ran_jobs(output: str) -> set[str]:
    """The rules of the jobs a run's log names ("rule masks_00001:", "checkpoint slices_...")."""
    return set(re.findall(r"^\s*(?:local)?(?:rule|checkpoint) (\w+):", output, re.MULTILINE))


def test_an_edit_to_one_image_reruns_its_chunk_only(cvat_folder):
    config = folder_config(cvat_folder, masks={"chunk_size": 2})
    masks = cvat_folder / "results" / "masks"

    dry = snakemake(cvat_folder, "-n", "--cores", "1", TARGET, "--configfile", config)
    planned = ran_jobs(dry.stdout)
    assert {"masks_00000", "masks_00001", "masks_00002", "slices_members"} <= planned
    assert sum(name.startswith("slices_cvat_export_") for name in planned) == 1

    snakemake(cvat_folder, "--cores", "1", TARGET, "--configfile", config)
    slices = sorted((cvat_folder / "results" / "slices").glob("*/*.slice.json"))
    assert [path.name for path in slices] == [f"0000{i}.slice.json" for i in range(3)]
    before = {
        path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in masks.glob("*.png")
    }
    images = pd.read_csv(cvat_folder / TARGET, sep="\t")
    assert set(images["format"]) == {"cvat_xml"} and len(images) == 6

    # street3 (chunk 00001): its first polygon becomes another class.
    export = cvat_folder / "export" / "cvat_export.xml"
    text = export.read_text()
    start = text.index('name="street3.png"')
    label = re.compile(r'label="([^"]+)"').search(text, start)
    other = "road" if label.group(1) != "road" else "sky"
    export.write_text(text[: label.start(1)] + other + text[label.end(1) :])

    # A dry run cannot know which slices will change: it lists every mask job of the export
    # (the first chunk's too, which stands on the checkpoint's first output), inputs <TBD>.
    dry = snakemake(cvat_folder, "-n", "--cores", "1", TARGET, "--configfile", config)
    assert {"masks_00000", "masks_00001", "masks_00002"} <= ran_jobs(dry.stdout), dry.stdout

    second = snakemake(cvat_folder, "--cores", "1", TARGET, "--configfile", config)
    ran = ran_jobs(second.stdout + second.stderr)
    assert "masks_00001" in ran and not {"masks_00000", "masks_00002"} & ran, ran
    after = {
        path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in masks.glob("*.png")
    }
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"street2.png", "street3.png"}  # chunk 00001 was rewritten
    assert before["street3.png"][0] != after["street3.png"][0]
    assert before["street2.png"][0] == after["street2.png"][0]

    # Nothing changed since: nothing runs.
    third = snakemake(cvat_folder, "-n", "--cores", "1", TARGET, "--configfile", config)
    assert "Nothing to be done" in third.stdout + third.stderr


def test_a_bad_image_in_an_export_is_named_by_the_export(cvat_folder):
    export = cvat_folder / "export" / "cvat_export.xml"
    text = export.read_text()
    start = text.index('name="street4.png"')
    points = re.compile(r'points="([^"]+)"').search(text, start)
    export.write_text(text[: points.start(1)] + "1,2;x,y" + text[points.end(1) :])
    config = folder_config(cvat_folder, masks={"chunk_size": 2})
    snakemake(cvat_folder, "--cores", "1", "results/masks/stats/00002.tsv", "--configfile", config)
    problems = pd.read_csv(
        cvat_folder / "results" / "masks" / "problems" / "00002.tsv",
        sep="\t",
        keep_default_na=False,
    )
    assert list(problems["sample"]) == ["street4"]
    assert problems["file"][0] == str(export)
    assert "slice" not in problems["problem"][0]
    stats = pd.read_csv(cvat_folder / "results" / "masks" / "stats" / "00002.tsv", sep="\t")
    assert list(stats["sample"]) == ["street5"]
