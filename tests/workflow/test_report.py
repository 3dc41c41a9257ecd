"""The HTML report of a tiny run: every item is in it, and it renders in a real browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.helpers.snakefile import snakemake

pytestmark = pytest.mark.workflow
BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
    for name in (
        "summary.tsv",
        "config.yaml",
        "training_curves.png",
        "per_class_iou.png",
        "confusion.png",
        "class_shares.png",
        "per_image_miou.png",
        "per_class.tsv",
        "metrics.html",
        "dataset.html",
    ):
        assert name in html, name
    test_ids = (finished_run / "results" / "splits" / "test.txt").read_text().split()
    for sample in test_ids:
        assert sample in html
    assert "per-image mean IoU" in html  # a caption, from report/*.rst
    # The first page: the description, then the test headline (results/report/workflow.rst).
    n_test = len(test_ids)
    assert f"Test split: {n_test} held-out images" in html and "Weakest classes (IoU)" in html


def test_overlays_have_the_photo_size_and_a_legend(finished_run):
    for sample in (finished_run / "results" / "splits" / "test.txt").read_text().split():
        with Image.open(
            finished_run / "results" / "predictions" / f"{sample}_overlay.png"
        ) as overlay:
            assert overlay.width >= 96 and overlay.height > 64  # the legend sits under the photo


def test_tensorboard_logs_are_written(finished_run):
    events = list(
        (finished_run / "results" / "model" / "tensorboard").rglob("events.out.tfevents.*")
    )
    assert events


def test_report_opens_in_headless_chromium_and_shows_the_gallery(report, tmp_path):
    """Debian's Chromium, driven by Playwright: open the report, go to the gallery, open a panel."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    test_ids = (report.parent / "results" / "splits" / "test.txt").read_text().split()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser, args=BROWSER_FLAGS[1:])
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(report.as_uri())
        page.get_by_text("Predictions", exact=True).first.click()
        page.get_by_text("All test images", exact=True).first.click()
        for sample in test_ids:  # the gallery lists every test image by its sample id
            assert page.get_by_text(sample, exact=True).first.is_visible()
        row = page.get_by_text(test_ids[0], exact=True).first.locator("xpath=ancestor::tr[1]")
        row.locator('a[iconname="eye"]').click()
        page.wait_for_timeout(500)
        screenshot = tmp_path / "gallery.png"
        page.screenshot(path=str(screenshot))
        shown = [
            page.locator("img").nth(i).bounding_box() for i in range(page.locator("img").count())
        ]
        # The metrics are shown as tables inside the report, not only offered for download.
        page.locator("a").filter(has_text="Results").first.click()
        page.get_by_text("Metrics", exact=True).first.click()
        row = page.get_by_text("metrics tables", exact=True).first
        row.locator("xpath=ancestor::tr[1]").locator('a[iconname="eye"]').click()
        page.wait_for_timeout(500)
        frames_text = " ".join(frame.content() for frame in page.frames)
        chromium.close()
    assert "<table" in frames_text and "pixel_accuracy" in frames_text
    # The panel is shown large (the only other image is the 16-pixel logo).
    assert any(box and box["width"] > 400 for box in shown), shown
    pixels = np.asarray(Image.open(screenshot).convert("L"))
    assert pixels.shape == (1000, 1400) and pixels.std() > 10
    shutil.copyfile(screenshot, report.with_name("report-gallery.png"))
