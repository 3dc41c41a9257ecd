"""Each annotation format's quirks, on small hand-written files."""

import json

import numpy as np
import pytest
from PIL import Image

from streetseg.labels.annotations import detect_format
from streetseg.labels.masks import make_mask, read_mask


@pytest.fixture
def image(tmp_path):
    """A 6x4 RGB photo named photo.png."""
    path = tmp_path / "photo.png"
    Image.new("RGB", (6, 4), (90, 90, 90)).save(path)
    return path


def _mask(annotation, image, classes, tmp_path, **options):
    return make_mask(annotation, image, tmp_path / "out" / "m.png", classes, **options)


def test_labelme_xml_skips_deleted_objects_and_reads_float_points(image, tmp_path, classes):
    path = tmp_path / "a.xml"
    path.write_text(
        "<annotation><filename>photo.png</filename><imagesize><nrows>4</nrows><ncols>6</ncols></imagesize>"
        "<object><name>road</name><deleted>0</deleted><polygon><pt><x>0</x><y>2</y></pt>"
        "<pt><x>6.0</x><y>2</y></pt><pt><x>6</x><y>4.0</y></pt><pt><x>0</x><y>4</y></pt></polygon></object>"
        "<object><name>sky</name><deleted>1</deleted><polygon><pt><x>0</x><y>0</y></pt>"
        "<pt><x>6</x><y>0</y></pt><pt><x>6</x><y>4</y></pt></polygon></object></annotation>"
    )
    assert detect_format(path) == "labelme_xml"
    expected = np.array([[0] * 6, [0] * 6, [3] * 6, [3] * 6])
    np.testing.assert_array_equal(_mask(path, image, classes, tmp_path), expected)


def test_labelme_xml_without_imagesize_takes_the_image_size(image, tmp_path, classes):
    path = tmp_path / "a.xml"
    path.write_text(
        "<annotation><filename>photo.png</filename><object><name>sky</name><deleted>0</deleted>"
        "<polygon><pt><x>0</x><y>0</y></pt><pt><x>2</x><y>0</y></pt><pt><x>2</x><y>2</y></pt>"
        "<pt><x>0</x><y>2</y></pt></polygon></object></annotation>"
    )
    assert _mask(path, image, classes, tmp_path).sum() == 4 * 6


def test_cvat_box_mask_and_z_order(image, tmp_path, classes):
    # Box covers columns 0-2 of all rows at z 1; the mask (z 0, painted first) covers a
    # 2x2 block at left=3, top=1 with runs 0,1,1,0 -> pattern [[0,1],[1,0]] ... written
    # row-major: 1 zero, 2 ones, 1 zero.
    path = tmp_path / "cvat.xml"
    path.write_text(
        '<annotations><version>1.1</version><image id="0" name="set/photo.png" width="6" height="4">'
        '<box label="building" xtl="0" ytl="0" xbr="3" ybr="4" z_order="1" occluded="0"/>'
        '<polyline label="road" points="0,0;5,3" z_order="0"/>'
        '<mask label="tree" rle="1, 2, 1" left="3" top="1" width="2" height="2" z_order="0"/>'
        '<polygon label="sky" points="0,0;6,0;6,1;0,1" z_order="0"/>'
        "</image></annotations>"
    )
    assert detect_format(path) == "cvat_xml"
    expected = np.array(
        [[5, 5, 5, 6, 6, 6], [5, 5, 5, 0, 1, 0], [5, 5, 5, 1, 0, 0], [5, 5, 5, 0, 0, 0]]
    )
    np.testing.assert_array_equal(_mask(path, image, classes, tmp_path), expected)


def test_labelme_json_rectangle_circle_and_arealess_shapes(image, tmp_path, classes):
    path = tmp_path / "a.json"
    shapes = [
        {"label": "Road ", "shape_type": "rectangle", "points": [[6, 4], [0, 2]]},
        {"label": "sky", "shape_type": "line", "points": [[0, 0], [6, 0]]},
        {"label": "tree", "shape_type": "circle", "points": [[1, 1], [1, 2]]},
    ]
    path.write_text(
        json.dumps({"shapes": shapes, "imageHeight": 4, "imageWidth": 6, "imagePath": "photo.png"})
    )
    assert detect_format(path) == "labelme_json"
    mask = _mask(path, image, classes, tmp_path)
    # The circle of radius 1 at (1, 1) covers the four pixels whose centres are 0.71 away.
    expected = np.array([[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [3] * 6, [3] * 6])
    np.testing.assert_array_equal(mask, expected)


def test_coco_parts_rle_and_bbox(image, tmp_path, classes):
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
    np.testing.assert_array_equal(_mask(path, image, classes, tmp_path), expected)


def test_index_png_16_bit_and_palette(image, tmp_path, classes):
    from tests.helpers.format_writers import write_png16

    values = np.array([[0, 1, 2, 3, 4, 5]] * 4, dtype=np.uint16)
    write_png16(tmp_path / "labels16.png", values)
    assert detect_format(tmp_path / "labels16.png") == "index_png"
    np.testing.assert_array_equal(
        _mask(tmp_path / "labels16.png", image, classes, tmp_path), values
    )
    palette = Image.fromarray(values.astype(np.uint8)[::-1].copy(), mode="P")
    palette.putpalette([255, 0, 0] * 256)
    palette.save(tmp_path / "pal.png")
    np.testing.assert_array_equal(
        _mask(tmp_path / "pal.png", image, classes, tmp_path), values[::-1]
    )


def test_index_map_with_void_and_unknown_values_under_ignore(image, tmp_path, classes):
    values = np.array([[0, 1, 11, 11, 9, 9]] * 4, dtype=np.uint8)
    Image.fromarray(values, mode="L").save(tmp_path / "camvid.png")
    labels = {"index_map": {0: "sky", 1: "building", 11: "ignore"}, "unknown": "ignore"}
    mask = _mask(tmp_path / "camvid.png", image, classes, tmp_path, labels=labels)
    np.testing.assert_array_equal(mask[0], [6, 5, 255, 255, 255, 255])


def test_rgba_colour_mask_treats_transparent_pixels_as_unlabelled(image, tmp_path, classes):
    pixels = np.zeros((4, 6, 4), dtype=np.uint8)
    pixels[:, :3] = (128, 64, 128, 255)  # road
    pixels[:, 3:] = (1, 2, 3, 0)  # transparent, any colour
    Image.fromarray(pixels).save(tmp_path / "rgba.png")
    mask = _mask(tmp_path / "rgba.png", image, classes, tmp_path)
    np.testing.assert_array_equal(mask[0], [3, 3, 3, 255, 255, 255])


def test_rescale_policy_scales_polygons_to_the_image(image, tmp_path, classes):
    from streetseg.labels.annotations import write_voc_xml

    write_voc_xml(
        tmp_path / "half.xml",
        "photo.png",
        3,
        2,
        [("road", np.array([[0, 1], [3, 1], [3, 2], [0, 2]]))],
    )
    mask = _mask(tmp_path / "half.xml", image, classes, tmp_path, size_mismatch="rescale")
    np.testing.assert_array_equal(mask, np.array([[0] * 6, [0] * 6, [3] * 6, [3] * 6]))


def test_exif_rotated_photo_gets_a_mask_of_the_rotated_size(tmp_path, classes):
    from streetseg.labels.annotations import write_voc_xml

    # Stored 6 wide and 4 high with orientation 6 (rotate 90 degrees clockwise): the annotator
    # saw a 4x6 image, so the annotation and the mask are 4 wide and 6 high.
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (6, 4), (10, 20, 30)).save(tmp_path / "rot.jpg", exif=exif.tobytes())
    write_voc_xml(
        tmp_path / "rot.xml", "rot.jpg", 4, 6, [("sky", np.array([[0, 0], [4, 0], [4, 1], [0, 1]]))]
    )
    mask = make_mask(tmp_path / "rot.xml", tmp_path / "rot.jpg", tmp_path / "m.png", classes)
    assert mask.shape == (6, 4) and (mask[0] == 6).all() and (mask[1:] == 0).all()
    assert read_mask(tmp_path / "m.png").shape == (6, 4)
