"""The same scene written in every format gives byte-identical masks: the demo scene as it is
in the formats that take any outline, and a plainer scene (see ``plain_scene``) in all of them,
the CVAT mask export included."""

import numpy as np
import pytest
from PIL import Image

from streetseg.labels.annotations import detect_format
from streetseg.labels.classes import DEMO_CLASSES
from streetseg.labels.masks import make_mask
from tests.helpers import mask_settings
from tests.helpers.format_writers import (
    write_coco_json,
    write_cvat_xml,
    write_labelme_json,
    write_labelme_xml,
    write_png16,
    write_scene_photo,
    write_voc_xml,
)
from tests.helpers.writers_azureml import write_azureml_jsonl
from tests.helpers.writers_cityscapes import write_cityscapes_json
from tests.helpers.writers_cvat_mask import positions_of, write_cvat_mask_export
from tests.helpers.writers_labelbox import (
    grouped,
    legacy_row,
    quarter,
    v1_row,
    write_labelbox_json,
    write_labelbox_ndjson,
)
from tests.helpers.writers_labelstudio import inside, write_label_studio_json
from tests.helpers.writers_supervisely import write_supervisely_json

WIDTH, HEIGHT = 96, 64
NAMES = [entry["name"] for entry in DEMO_CLASSES]  # the classes fixture's, as config.yaml
OTHER = ("other.png", 10, 10, [("sky", np.array([[0, 0], [10, 0], [10, 10]]))])


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """A demo scene (image plus named polygons), and its mask from the Labelbox XML."""
    folder = tmp_path_factory.mktemp("scene")
    _, _, _, objects = write_scene_photo(folder, "street", 5, 2, WIDTH, HEIGHT)
    # Trailing spaces and odd case, as real exports have them.
    objects = [
        (name.upper() + " " if i % 3 == 0 else name, v) for i, (name, v) in enumerate(objects)
    ]
    image = folder / "street.png"
    write_voc_xml(folder / "street.xml", image.name, WIDTH, HEIGHT, objects)
    return folder, image, objects


def _mask_bytes(annotation, image, classes, out, **options) -> bytes:
    make_mask(annotation, image, out, mask_settings(classes, **options))
    return out.read_bytes()


def test_every_format_gives_the_same_mask(scene, classes, tmp_path):
    folder, image, objects = scene
    reference = _mask_bytes(folder / "street.xml", image, classes, tmp_path / "voc.png")
    other_image = ("other.png", 10, 10, [("sky", np.array([[0, 0], [10, 0], [10, 10]]))])
    write_labelme_xml(tmp_path / "a.xml", image.name, WIDTH, HEIGHT, objects)
    write_cvat_xml(
        tmp_path / "cvat.xml", [other_image, (f"frames/{image.name}", WIDTH, HEIGHT, objects)]
    )
    write_labelme_json(tmp_path / "a.json", image.name, WIDTH, HEIGHT, objects)
    names = [entry["name"] for entry in classes]
    write_coco_json(
        tmp_path / "coco.json", [other_image, (image.name, WIDTH, HEIGHT, objects)], names
    )
    for annotation in ("a.xml", "cvat.xml", "a.json", "coco.json"):
        produced = _mask_bytes(
            tmp_path / annotation, image, classes, tmp_path / f"{annotation}.png"
        )
        assert produced == reference, annotation


def test_dense_masks_give_the_same_mask(scene, classes, tmp_path):
    folder, image, _ = scene
    reference_path = tmp_path / "reference.png"
    reference = _mask_bytes(folder / "street.xml", image, classes, reference_path)
    ids = np.asarray(Image.open(reference_path))
    colors = np.array([entry["color"] for entry in classes], dtype=np.uint8)[ids]
    # Index PNG whose values are class ids plus 10, mapped back in config (CamVid style).
    Image.fromarray((ids + 10).astype(np.uint8), mode="L").save(tmp_path / "index.png")
    index_map = {value + 10: entry["name"] for value, entry in enumerate(classes)}
    assert (
        _mask_bytes(
            tmp_path / "index.png",
            image,
            classes,
            tmp_path / "i.png",
            labels={"index_map": index_map},
        )
        == reference
    )
    # Colour PNGs in 8-bit RGB, 8-bit RGBA, and 16 bits per channel (128 stored as 32896).
    Image.fromarray(colors).save(tmp_path / "rgb.png")
    Image.fromarray(np.dstack([colors, np.full(ids.shape, 255, np.uint8)])).save(
        tmp_path / "rgba.png"
    )
    write_png16(tmp_path / "rgb16.png", colors.astype(np.uint16) * 257)
    for name in ("rgb.png", "rgba.png", "rgb16.png"):
        assert (
            _mask_bytes(tmp_path / name, image, classes, tmp_path / f"out-{name}") == reference
        ), name


@pytest.fixture(scope="module")
def plain_scene(tmp_path_factory, classes):
    """A scene every format can state exactly, its photo and its mask from a Labelbox XML.

    Outlines stay inside the image (Label Studio's editor and Azure ML's export clip them);
    vertices lie on quarter pixels, which binary floats hold exactly, so that 2-decimal writers
    lose nothing and the legacy Labelbox exports' flip (y measured from the bottom: height - y)
    is exact; objects are grouped by class, the only paint order a legacy Labelbox export
    (classes as keys) can give. Label Studio's percent and Azure ML's fractions are written
    with ``exact_share``: a share that the reader's ``share * size / whole`` turns back into
    the very float the other formats hold."""
    folder = tmp_path_factory.mktemp("plain")
    _, _, _, objects = write_scene_photo(folder, "street", 5, 2, WIDTH, HEIGHT)
    objects = [
        (name.upper() + " " if i % 3 == 0 else name, v) for i, (name, v) in enumerate(objects)
    ]
    objects = grouped(quarter(inside(objects, WIDTH, HEIGHT)))
    image = folder / "street.png"
    write_voc_xml(folder / "street.xml", image.name, WIDTH, HEIGHT, objects)
    reference = folder / "reference.png"
    ids = make_mask(folder / "street.xml", image, reference, mask_settings(classes))
    return image, objects, ids, reference.read_bytes()


# Format -> (file name, writer of the scene (image name, width, height, objects) to a path).
# Multi-image formats hold another image before the scene's.
WRITERS = {
    "labelme_xml": ("a.xml", lambda path, s: write_labelme_xml(path, *s)),
    "cvat_xml": ("a.xml", lambda path, s: write_cvat_xml(path, [OTHER, s])),
    "labelme_json": ("a.json", lambda path, s: write_labelme_json(path, *s)),
    "coco_json": ("a.json", lambda path, s: write_coco_json(path, [OTHER, s], NAMES)),
    "labelbox_ndjson": ("a.ndjson", lambda path, s: write_labelbox_ndjson(path, [OTHER, s])),
    "labelbox_json/v1": (
        "a.json",
        lambda path, s: write_labelbox_json(path, [v1_row(*OTHER), v1_row(*s)]),
    ),
    "labelbox_json/xy": ("a.json", lambda path, s: write_labelbox_json(path, [legacy_row(*s)])),
    "labelbox_json/wkt": (
        "a.json",
        lambda path, s: write_labelbox_json(path, [legacy_row(*s, wkt=True)]),
    ),
    "label_studio_json": ("a.json", lambda path, s: write_label_studio_json(path, [OTHER, s])),
    "azureml_jsonl": ("a.jsonl", lambda path, s: write_azureml_jsonl(path, [OTHER, s])),
    "supervisely_json": ("street.png.json", lambda path, s: write_supervisely_json(path, *s[1:])),
    "cityscapes_json": ("a.json", lambda path, s: write_cityscapes_json(path, *s[1:])),
}


@pytest.mark.parametrize("kind", WRITERS)
def test_the_plain_scene_gives_the_same_mask_in_every_format(plain_scene, classes, tmp_path, kind):
    image, objects, _, reference = plain_scene
    name, write = WRITERS[kind]
    write(tmp_path / name, (image.name, WIDTH, HEIGHT, objects))
    assert detect_format(tmp_path / name) == kind.split("/")[0]
    assert _mask_bytes(tmp_path / name, image, classes, tmp_path / "out.png") == reference


def test_the_plain_scene_as_a_cvat_mask_export_gives_the_same_mask(plain_scene, classes, tmp_path):
    # A CVAT mask holds pixels, not outlines: the export CVAT would write for this scene is
    # the reference mask in the labelmap's colours (which are not the class colours).
    image, _, ids, reference = plain_scene
    write_cvat_mask_export(tmp_path / "export", {"street": positions_of(ids, classes)})
    annotation = tmp_path / "export" / "SegmentationClass" / "street.png"
    assert detect_format(annotation) == "cvat_mask"
    assert _mask_bytes(annotation, image, classes, tmp_path / "out.png") == reference
