"""The HTML report of a tiny run: every item is in it, and it renders in a real browser."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.workflow.helpers import snakemake

pytestmark = pytest.mark.workflow
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def report(finished_run) -> Path:
    snakemake(finished_run, "--report", "report.html")
    return finished_run / "report.html"


def test_report_holds_every_item_with_its_caption(report, finished_run):
    html = report.read_text()
    assert report.stat().st_size > 100_000  # one self-contained file, pictures embedded
    for category in ("Dataset", "Run", "Training", "Per class", "Predictions", "Metrics"):
        assert category in html, category
    for subcategory in ("All test images", "Best images", "Worst images"):
        assert subcategory in html, subcategory
    for name in ("summary.tsv", "config.yaml", "training_curves.png", "per_class_iou.png",
                 "confusion.png", "class_shares.png", "per_image_miou.png", "per_class.tsv"):  # fmt: skip
        assert name in html, name
    test_ids = (finished_run / "results" / "splits" / "test.txt").read_text().split()
    for sample in test_ids:
        assert sample in html
    assert "per-image mean IoU" in html  # a caption, from report/*.rst


def test_overlays_have_the_photo_size_and_a_legend(finished_run):
    for sample in (finished_run / "results" / "splits" / "test.txt").read_text().split():
        with Image.open(finished_run / "results" / "predictions" / f"{sample}_overlay.png") as overlay:
            assert overlay.width >= 96 and overlay.height > 64  # the legend sits under the photo


def test_tensorboard_logs_are_written(finished_run):
    events = list((finished_run / "results" / "model" / "tensorboard").rglob("events.out.tfevents.*"))
    assert events


def test_report_renders_in_headless_chromium(report, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    dom = subprocess.run(
        [browser, *BROWSER_FLAGS, *profile, "--virtual-time-budget=15000", "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=180,
    ).stdout  # fmt: skip
    # The report is a script-built page: its menu only exists once the scripts ran.
    assert "Predictions" in dom and "All test images" in dom
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [browser, *BROWSER_FLAGS, *profile, "--virtual-time-budget=15000", "--window-size=1400,1000",
         f"--screenshot={screenshot}", report.as_uri()],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    pixels = np.asarray(Image.open(screenshot).convert("L"))
    assert pixels.shape == (1000, 1400) and pixels.std() > 10  # a rendered page, not a blank one
    shutil.copyfile(screenshot, Path(report).with_suffix(".png"))
