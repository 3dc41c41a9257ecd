"""LabelMe XML and labelme JSON: deleted objects, float points, missing sizes, shape types."""

import json

import numpy as np

from streetseg.labels.annotations import detect_format


def test_labelme_xml_skips_deleted_objects_and_reads_float_points(image, mask_of, tmp_path):
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
    np.testing.assert_array_equal(mask_of(path, image), expected)


def test_labelme_xml_without_imagesize_takes_the_image_size(image, mask_of, tmp_path):
    path = tmp_path / "a.xml"
    path.write_text(
        "<annotation><filename>photo.png</filename><object><name>sky</name><deleted>0</deleted>"
        "<polygon><pt><x>0</x><y>0</y></pt><pt><x>2</x><y>0</y></pt><pt><x>2</x><y>2</y></pt>"
        "<pt><x>0</x><y>2</y></pt></polygon></object></annotation>"
    )
    assert mask_of(path, image).sum() == 4 * 6


def test_labelme_json_rectangle_circle_and_arealess_shapes(image, mask_of, tmp_path):
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
    mask = mask_of(path, image)
    # The circle of radius 1 at (1, 1) covers the four pixels whose centres are 0.71 away.
    expected = np.array([[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [3] * 6, [3] * 6])
    np.testing.assert_array_equal(mask, expected)
