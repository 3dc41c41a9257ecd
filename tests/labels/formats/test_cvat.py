"""CVAT XML: boxes, masks, polylines and z_order; the image names of an export, streamed."""

import numpy as np
import pytest

from streetseg.labels.annotations import AnnotationError, detect_format
from streetseg.labels.formats.cvat import cvat_image_names


def test_cvat_box_mask_and_z_order(image, mask_of, tmp_path):
    # Box covers columns 0-2 of all rows at z 1; the mask (z 0, painted first) covers a
    # 2x2 block at left=3, top=1 with runs 0,1,1,0 -> pattern [[0,1],[1,0]] ... written
    # row-major: 1 zero, 2 ones, 1 zero.
    path = tmp_path / "cvat.xml"
    path.write_text(
        "<annotations><version>1.1</version>"
        '<image id="0" name="set/photo.png" width="6" height="4">'
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
    np.testing.assert_array_equal(mask_of(path, image), expected)


def test_listing_streams_names_in_order_and_refuses_a_dtd(scenes):
    assert cvat_image_names(scenes / "cvat.xml") == ["unused.png"] + [
        f"frames/s{i}.png" for i in range(4)
    ]
    text = (scenes / "cvat.xml").read_text()
    hostile = text.replace(
        "<annotations>", '<!DOCTYPE annotations [<!ENTITY x "y">]><annotations>', 1
    )
    (scenes / "hostile.xml").write_text(hostile)
    with pytest.raises(AnnotationError, match="a DTD or entity declaration is not allowed"):
        cvat_image_names(scenes / "hostile.xml")
