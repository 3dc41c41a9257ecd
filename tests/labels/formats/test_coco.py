"""COCO JSON: polygon parts, compressed and uncompressed RLE, boxes, other images' entries."""

import json

import numpy as np

from streetseg.labels.annotations import detect_format


def test_coco_parts_rle_and_bbox(image, mask_of, tmp_path):
    from pycocotools import mask as coco_mask

    bitmap = np.zeros((4, 6), dtype=np.uint8, order="F")
    bitmap[3, 4:] = 1
    compressed = coco_mask.encode(bitmap)
    compressed["counts"] = compressed["counts"].decode()
    data = {
        "images": [{"id": 7, "file_name": "dir/photo.png", "width": 6, "height": 4}],
        "categories": [
            {"id": 1, "name": "sky"},
            {"id": 2, "name": "road"},
            {"id": 3, "name": "tree"},
        ],
        "annotations": [
            {
                "id": 1,
                "image_id": 7,
                "category_id": 1,
                "segmentation": [[0, 0, 1, 0, 1, 1, 0, 1], [5, 0, 6, 0, 6, 1, 5, 1]],
            },
            # Uncompressed RLE is column-major: 8 zeros (columns 0-1), then 1 one at (0, 2).
            {
                "id": 2,
                "image_id": 7,
                "category_id": 2,
                "iscrowd": 1,
                "segmentation": {"size": [4, 6], "counts": [8, 1, 15]},
            },
            {"id": 3, "image_id": 7, "category_id": 3, "segmentation": compressed},
            {"id": 4, "image_id": 7, "category_id": 2, "bbox": [0, 2, 2, 1]},
            {"id": 5, "image_id": 8, "category_id": 2, "bbox": [0, 0, 6, 4]},
        ],
    }
    path = tmp_path / "coco.json"
    path.write_text(json.dumps(data))
    assert detect_format(path) == "coco_json"
    expected = np.array([[6, 0, 3, 0, 0, 6], [0] * 6, [3, 3, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1]])
    np.testing.assert_array_equal(mask_of(path, image), expected)
