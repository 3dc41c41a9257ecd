"""The shard stage: pack a split's images and masks into TFRecord shards.

Each record is a ``tf.train.Example`` holding the encoded image bytes, the mask PNG bytes,
height, width, sample id and image format; the mask is
stored as a greyscale PNG of class ids. Samples are dealt to shards round-robin in sorted
id order, so the same inputs always give byte-identical shards.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from streetseg.common.files import atomic_path
from streetseg.common.images import DEFAULT_MAX_PIXELS, encoded_image
from streetseg.data.splits import read_split
from streetseg.labels.masks import read_mask


def shard_names(split: str, count: int) -> list[str]:
    """File names of a split's shards: ``{split}-{index:05d}-of-{count:05d}.tfrecord``."""
    return [f"{split}-{index:05d}-of-{count:05d}.tfrecord" for index in range(count)]


def deal_to_shards(sample_ids: list[str], count: int) -> list[list[str]]:
    """Deal sorted sample ids to ``count`` shards round-robin, balancing their sizes."""
    ordered = sorted(sample_ids)
    return [ordered[index::count] for index in range(count)]


def encode_ids(mask: np.ndarray) -> bytes:
    """Class ids as an 8-bit greyscale PNG.

    TensorFlow's PNG decoder turns palette PNGs into colours, so records hold the ids without
    the palette; decoding them gives the ids back exactly.
    """
    buffer = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8), mode="L").save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


# A record's features and their kinds: the one statement of the shard format, which
# streetseg.data.pipeline parses.
IMAGE, IMAGE_FORMAT, HEIGHT, WIDTH = "image/encoded", "image/format", "image/height", "image/width"
MASK, SAMPLE_ID = "mask/encoded", "sample_id"
FEATURES = {
    IMAGE: "bytes",
    IMAGE_FORMAT: "bytes",
    HEIGHT: "int",
    WIDTH: "int",
    MASK: "bytes",
    SAMPLE_ID: "bytes",
}
# The order they are serialised in (sorted keys).
FEATURE_KEYS = tuple(sorted(FEATURES))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunks(data: bytes):
    """(type, body) of every chunk of a PNG, CRCs checked; ValueError when malformed."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks, offset = [], len(PNG_SIGNATURE)
    while offset < len(data):
        if offset + 12 > len(data):
            raise ValueError("truncated chunk")
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length] or b"\0" * 4)
        if len(body) != length or zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad {kind!r} chunk")
        chunks.append((kind, body))
        offset += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise ValueError("missing IHDR or IEND")
    return chunks


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def mask_ids_png(mask_path) -> tuple[bytes, int, int]:
    """The mask as an 8-bit greyscale PNG of class ids, with its (height, width).

    The mask stage writes 8-bit palette PNGs whose indices are the class ids. Their
    compressed pixel data is already what a greyscale PNG of the ids holds, so the palette
    is dropped and the header relabelled instead of decoding and re-encoding the pixels (which
    dominated the time per record). The pixel data is still inflated and its row filters
    checked, so a damaged mask is refused as before. Any other PNG is decoded and re-encoded.
    """
    data = Path(mask_path).read_bytes()
    try:
        chunks = _png_chunks(data)
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
        if depth != 8 or colour not in (0, 3) or interlace != 0:
            raise ValueError("not an 8-bit, non-interlaced palette or grey PNG")
        pixels = b"".join(body for kind, body in chunks if kind == b"IDAT")
        rows = np.frombuffer(zlib.decompress(pixels), dtype=np.uint8)
        if (
            rows.size != height * (width + 1)
            or rows.reshape(height, width + 1)[:, 0].max(initial=0) > 4
        ):
            raise ValueError("pixel data does not match the header")
    except (ValueError, struct.error, zlib.error):
        mask = read_mask(mask_path)
        return encode_ids(mask), mask.shape[0], mask.shape[1]
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b""),
        height,
        width,
    )


def _bytes_feature(tf, value: bytes):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _int_feature(tf, value: int):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[value]))


def serialize_sample(sample_id: str, image_path, mask_path, max_pixels=DEFAULT_MAX_PIXELS) -> bytes:
    """One serialised ``tf.train.Example``; the mask must have the image's upright size."""
    import tensorflow as tf

    image_bytes, image_format, height, width = encoded_image(image_path, max_pixels)
    mask_bytes, mask_height, mask_width = mask_ids_png(mask_path)
    if (mask_height, mask_width) != (height, width):
        raise ValueError(
            f"{mask_path}: mask is {mask_width}x{mask_height} but image {image_path} "
            f"is {width}x{height}"
        )
    features = {
        IMAGE: _bytes_feature(tf, image_bytes),
        IMAGE_FORMAT: _bytes_feature(tf, image_format.encode()),
        HEIGHT: _int_feature(tf, height),
        WIDTH: _int_feature(tf, width),
        MASK: _bytes_feature(tf, mask_bytes),
        SAMPLE_ID: _bytes_feature(tf, sample_id.encode()),
    }
    example = tf.train.Example(features=tf.train.Features(feature=features))
    # Map fields serialise in a per-process random order unless asked to sort their keys.
    return example.SerializeToString(deterministic=True)


def write_shards(
    samples: dict[str, tuple[str, str]],
    shard_paths: list[str],
    max_pixels: int = DEFAULT_MAX_PIXELS,
    log=print,
) -> dict[str, int]:
    """Write {sample: (image_path, mask_path)} into the given shard files.

    Returns the number of records per shard. Each shard is written atomically.
    """
    import tensorflow as tf

    groups = deal_to_shards(list(samples), len(shard_paths))
    counts = {}
    done = 0
    for shard_path, group in zip(shard_paths, groups):
        with atomic_path(shard_path) as temporary, tf.io.TFRecordWriter(temporary) as writer:
            for sample in group:
                image_path, mask_path = samples[sample]
                writer.write(serialize_sample(sample, image_path, mask_path, max_pixels))
        counts[str(shard_path)] = len(group)
        done += len(group)
        log(f"wrote {shard_path}: {len(group)} records ({done}/{len(samples)} samples)")
    return counts


def count_records(shard_paths: list[str]) -> int:
    """Number of records in a list of shards."""
    import tensorflow as tf

    return int(sum(1 for _ in tf.data.TFRecordDataset(list(shard_paths))))


def read_records(shard_paths: list[str]) -> list[dict]:
    """Decode every record of the shards into plain Python values (for tests and tools)."""
    import tensorflow as tf

    records = []
    for raw in tf.data.TFRecordDataset(list(shard_paths)):
        example = tf.train.Example.FromString(raw.numpy())
        feature = example.features.feature
        records.append(
            {
                "sample_id": feature[SAMPLE_ID].bytes_list.value[0].decode(),
                "image": feature[IMAGE].bytes_list.value[0],
                "format": feature[IMAGE_FORMAT].bytes_list.value[0].decode(),
                "height": int(feature[HEIGHT].int64_list.value[0]),
                "width": int(feature[WIDTH].int64_list.value[0]),
                "mask": feature[MASK].bytes_list.value[0],
            }
        )
    return records


def write_split_shards(split_list, images, masks, shards, max_pixels: int) -> None:
    """The tfrecords stage: the samples of ``split_list`` (those that passed the dataset
    check) packed into ``shards``, from the split's ``images`` and ``masks`` (parallel lists,
    the masks named by sample). A listed sample without a mask is an error naming it."""
    given = {Path(mask).name[: -len(".png")]: (image, mask) for image, mask in zip(images, masks)}
    sample_ids = read_split(split_list)
    unknown = [sample for sample in sample_ids if sample not in given]
    if unknown:
        raise ValueError(
            f"{split_list} lists {len(unknown)} sample(s) the workflow passed no mask for "
            f"(e.g. {unknown[0]}); rerun the splits rule"
        )
    write_shards({s: given[s] for s in sample_ids}, list(shards), max_pixels=max_pixels)
