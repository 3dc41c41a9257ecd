"""TFRecord shards: round trip of every field, byte-identical reruns, balanced dealing."""

import io

import numpy as np
import pytest
from PIL import Image

from streetseg.data.shards import (
    deal_to_shards,
    encode_ids,
    mask_ids_png,
    read_records,
    shard_names,
    write_shards,
)
from streetseg.labels.masks import make_mask, read_mask
from tests.helpers import mask_settings


def _samples(make_sample, tmp_path, classes, count=5):
    samples = {}
    for index in range(count):
        image, xml = make_sample(name=f"s{index}", seed=index, width=12 + index, height=8)
        mask = tmp_path / f"s{index}_mask.png"
        make_mask(xml, image, mask, mask_settings(classes))
        samples[f"s{index}"] = (str(image), str(mask))
    return samples


def test_shard_names_follow_the_contract():
    assert shard_names("train", 2) == [
        "train-00000-of-00002.tfrecord",
        "train-00001-of-00002.tfrecord",
    ]


def test_dealing_is_round_robin_over_sorted_ids():
    assert deal_to_shards(["c", "a", "b", "d", "e"], 2) == [["a", "c", "e"], ["b", "d"]]


def test_round_trip_keeps_image_mask_size_and_id(make_sample, tmp_path, classes):
    samples = _samples(make_sample, tmp_path, classes)
    paths = [str(tmp_path / name) for name in shard_names("train", 2)]
    write_shards(samples, paths, log=lambda *_: None)
    records = read_records(paths)
    assert sorted(r["sample_id"] for r in records) == sorted(samples)
    for record in records:
        image_path, mask_path = samples[record["sample_id"]]
        decoded = np.asarray(Image.open(io.BytesIO(record["image"])))
        np.testing.assert_array_equal(decoded, np.asarray(Image.open(image_path)))
        np.testing.assert_array_equal(
            np.asarray(Image.open(io.BytesIO(record["mask"]))), read_mask(mask_path)
        )
        assert (record["height"], record["width"]) == decoded.shape[:2]
        assert record["format"] == "png"


def test_same_inputs_give_byte_identical_shards(make_sample, tmp_path, classes):
    samples = _samples(make_sample, tmp_path, classes)
    first = [tmp_path / "a" / name for name in shard_names("test", 3)]
    second = [tmp_path / "b" / name for name in shard_names("test", 3)]
    write_shards(samples, first, log=lambda *_: None)
    write_shards(dict(reversed(list(samples.items()))), second, log=lambda *_: None)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_empty_split_gives_empty_but_valid_shards(tmp_path):
    paths = [str(tmp_path / name) for name in shard_names("val", 2)]
    write_shards({}, paths, log=lambda *_: None)
    assert read_records(paths) == []


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "I;16", "exif"])
def test_unusual_images_are_stored_as_upright_rgb(tmp_path, classes, mode):
    from streetseg.labels.annotations import write_voc_xml
    from tests.helpers.format_writers import write_png16

    if mode == "I;16":
        write_png16(tmp_path / "img.png", np.full((4, 6), 40000, dtype=np.uint16))
        image = tmp_path / "img.png"
    elif mode == "exif":
        exif = Image.Exif()
        exif[0x0112] = 8
        image = tmp_path / "img.jpg"
        Image.new("RGB", (4, 6), (200, 10, 10)).save(image, exif=exif.tobytes())
    else:
        image = tmp_path / "img.png"
        Image.new("RGB", (6, 4), (200, 10, 10)).convert(mode).save(image)
    write_voc_xml(
        tmp_path / "a.xml", image.name, 6, 4, [("sky", np.array([[0, 0], [6, 0], [6, 4]]))]
    )
    make_mask(tmp_path / "a.xml", image, tmp_path / "m.png", mask_settings(classes))
    paths = [str(tmp_path / "x-00000-of-00001.tfrecord")]
    write_shards({"s": (str(image), str(tmp_path / "m.png"))}, paths, log=lambda *_: None)
    record = read_records(paths)[0]
    decoded = Image.open(io.BytesIO(record["image"]))
    assert decoded.mode == "RGB" and decoded.size == (6, 4)
    assert (record["height"], record["width"]) == (4, 6)


def test_palette_masks_are_relabelled_as_grey_without_changing_ids(make_sample, tmp_path, classes):
    samples = _samples(make_sample, tmp_path, classes, count=2)
    for _, mask_path in samples.values():
        data, height, width = mask_ids_png(mask_path)
        stored = Image.open(io.BytesIO(data))
        assert stored.mode == "L" and (height, width) == (stored.height, stored.width)
        np.testing.assert_array_equal(np.asarray(stored), read_mask(mask_path))


def test_grey_and_damaged_masks(tmp_path):
    ids = np.arange(12, dtype=np.uint8).reshape(3, 4)
    grey = tmp_path / "grey.png"
    Image.fromarray(ids, mode="L").save(grey)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(mask_ids_png(grey)[0]))), ids)
    damaged = tmp_path / "damaged.png"
    data = bytearray(encode_ids(np.zeros((30, 40), dtype=np.uint8)))
    data[-20] ^= 0xFF  # inside the compressed pixel data
    damaged.write_bytes(bytes(data))
    with pytest.raises(OSError):
        mask_ids_png(damaged)


def test_feature_keys_are_serialised_in_sorted_order(make_sample, tmp_path, classes):
    # Protobuf writes map entries in a per-process random order unless told to sort them,
    # which made shards differ between two runs of the same job.
    from streetseg.data.shards import FEATURE_KEYS, serialize_sample

    samples = _samples(make_sample, tmp_path, classes, count=1)
    raw = serialize_sample("s0", *samples["s0"])
    positions = [raw.index(key.encode()) for key in FEATURE_KEYS]
    assert positions == sorted(positions)


def test_the_tfrecords_stage_refuses_a_listed_sample_without_a_mask(tmp_path):
    from streetseg.data.shards import write_split_shards

    listed = tmp_path / "train.txt"
    listed.write_text("a\nb\n")
    with pytest.raises(ValueError, match=r"train.txt lists 1 sample\(s\) .* \(e.g. b\)"):
        write_split_shards(listed, ["a.jpg"], ["masks/a.png"], [tmp_path / "x.tfrecord"], 100)
    assert not (tmp_path / "x.tfrecord").exists()
