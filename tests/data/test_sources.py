"""Listing a folder of new photos: image files only, sorted, sub-folders included, hidden files
left out; a missing folder and two photos that would share a mask refused."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

from streetseg.data.sources import InferError, list_images


def test_listing_keeps_image_files_only_sorted_with_subfolders(photo_folder):
    assert list_images(photo_folder) == [
        "avenue.jpg",
        "broken.jpg",
        "drive2/rgba.png",
        "grey.png",
        "wide.jpg",
    ]


def test_listing_refuses_a_missing_folder_and_clashing_mask_names(tmp_path, photo_folder):
    with pytest.raises(InferError, match="nowhere: infer_images is not a folder"):
        list_images(tmp_path / "nowhere")
    photos = shutil.copytree(photo_folder, tmp_path / "photos")
    Image.new("RGB", (4, 4)).save(photos / "wide.png")
    with pytest.raises(InferError, match="wide.jpg and wide.png would share the mask wide.png"):
        list_images(photos)
