"""The workflow on a folder that mixes every polygon format (the mixed_folder fixture)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.helpers.snakefile import folder_config as _config
from tests.helpers.snakefile import snakemake

pytestmark = pytest.mark.workflow


def test_one_run_reads_every_polygon_format(mixed_folder):
    config = _config(mixed_folder)
    snakemake(mixed_folder, "--cores", "2", "results/dataset/summary.tsv", "--configfile", config)
    images = pd.read_csv(mixed_folder / "results" / "dataset" / "images.tsv", sep="\t")
    assert sorted(images["sample"]) == [f"street{i}" for i in range(8)]
    assert set(images["format"]) == {
        "labelbox_voc",
        "labelme_xml",
        "labelme_json",
        "cvat_xml",
        "coco_json",
    }
    assert (images["coverage"] > 0.5).all() and (images["unknown"] == 0).all()
    summary = pd.read_csv(mixed_folder / "results" / "dataset" / "summary.tsv", sep="\t")
    train = summary[summary["split"] == "train"]
    assert train["pixel_share"].sum() == pytest.approx(1.0)


def test_unknown_class_policy_ignore_is_counted_in_the_dataset_summary(mixed_folder):
    voc = mixed_folder / "export" / "street0.xml"
    voc.write_text(voc.read_text().replace("<name>sky</name>", "<name>Clouds </name>"))
    config = _config(mixed_folder, labels={"unknown": "ignore"})
    snakemake(mixed_folder, "--cores", "2", "results/dataset/summary.tsv", "--configfile", config)
    images = pd.read_csv(mixed_folder / "results" / "dataset" / "images.tsv", sep="\t").set_index(
        "sample"
    )
    assert (
        images.loc["street0", "unknown"] >= 1 and images.loc["street0", "unknown_names"] == "Clouds"
    )
