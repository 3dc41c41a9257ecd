"""tf.data input pipelines over the TFRecord shards: parse, decode, augment, batch.

Images enter the model as float32 RGB in [0, 255] (the model rescales them itself); masks are
int32 class ids with 255 for ignored pixels. Masks are only ever resized by nearest neighbour,
so no blended class ids appear.
"""

from __future__ import annotations

import tensorflow as tf

from streetseg.data.shards import FEATURES as RECORD_FEATURES
from streetseg.data.shards import IMAGE, MASK
from streetseg.labels.classes import IGNORE_LABEL as IGNORE

FEATURES = {
    key: tf.io.FixedLenFeature([], tf.string if kind == "bytes" else tf.int64)
    for key, kind in RECORD_FEATURES.items()
}


def parse_record(serialized):
    """Parse one serialised example into its feature dict."""
    return tf.io.parse_single_example(serialized, FEATURES)


def decode_pair(features):
    """Decode the image (float32 HxWx3, 0..255) and the mask (int32 HxWx1) at full size."""
    image = tf.io.decode_image(features[IMAGE], channels=3, expand_animations=False)
    mask = tf.io.decode_png(features[MASK], channels=1)
    return tf.cast(image, tf.float32), tf.cast(mask, tf.int32)


def resize_pair(image, mask, image_size):
    """Resize to the model's input: bilinear for the image, nearest neighbour for the mask."""
    image = tf.image.resize(image, image_size, method="bilinear")
    mask = tf.image.resize(mask, image_size, method="nearest")
    return image, mask


def crop_pair(image, mask, crop_size):
    """The same random window of ``crop_size`` (height, width) from image and mask, unresized."""
    height, width = (int(side) for side in crop_size)
    shape = tf.shape(image)
    top = tf.random.uniform([], 0, shape[0] - height + 1, dtype=tf.int32)
    left = tf.random.uniform([], 0, shape[1] - width + 1, dtype=tf.int32)
    image = tf.ensure_shape(image[top : top + height, left : left + width], [height, width, 3])
    mask = tf.ensure_shape(mask[top : top + height, left : left + width], [height, width, 1])
    return image, mask


def zoom_out_pair(image, mask, scale):
    """Image and mask placed at a random position on a canvas ``scale`` (> 1) times their
    size: black around the image, ignored (255) around the mask."""
    shape = tf.shape(image)
    canvas_h = tf.maximum(shape[0], tf.cast(tf.cast(shape[0], tf.float32) * scale, tf.int32))
    canvas_w = tf.maximum(shape[1], tf.cast(tf.cast(shape[1], tf.float32) * scale, tf.int32))
    top = tf.random.uniform([], 0, canvas_h - shape[0] + 1, dtype=tf.int32)
    left = tf.random.uniform([], 0, canvas_w - shape[1] + 1, dtype=tf.int32)
    image = tf.image.pad_to_bounding_box(image, top, left, canvas_h, canvas_w)
    # Padding adds zeros: shift the mask so that they become 255 once shifted back.
    mask = tf.image.pad_to_bounding_box(mask - IGNORE, top, left, canvas_h, canvas_w) + IGNORE
    return image, mask


def augment_pair(image, mask, image_size, augment: dict):
    """Random scale/crop and flip applied jointly to image and mask; colour jitter on the image.

    The scale step draws a side fraction uniformly from ``min_scale``..``max_scale`` (1 by
    default). Below 1 it crops a random window of that fraction of each side of the full
    image, which zooms in by up to ``1 / min_scale``; above 1 it places the image on a canvas
    that much larger (black, its mask ignored: :func:`zoom_out_pair`), which zooms out by up
    to ``max_scale``. The window or canvas is then resized to the input size. With a
    ``crop_size``, a random window of that size is then cut from the input-size image,
    unresized (before the flip and jitter, which then work on the smaller crop), so the model
    trains on crops at the input's scale.
    """
    low, high = augment.get("min_scale", 1.0), augment.get("max_scale", 1.0)
    scale = tf.random.uniform([], low, high)
    if high > 1.0:
        image, mask = tf.cond(
            scale > 1.0,
            lambda: zoom_out_pair(image, mask, scale),
            lambda: (image, mask),
        )
        scale = tf.minimum(scale, 1.0)
    shape = tf.shape(image)
    height, width = tf.cast(shape[0], tf.float32), tf.cast(shape[1], tf.float32)
    crop_h = tf.maximum(1, tf.cast(height * scale, tf.int32))
    crop_w = tf.maximum(1, tf.cast(width * scale, tf.int32))
    top = tf.random.uniform([], 0, shape[0] - crop_h + 1, dtype=tf.int32)
    left = tf.random.uniform([], 0, shape[1] - crop_w + 1, dtype=tf.int32)
    image = image[top : top + crop_h, left : left + crop_w]
    mask = mask[top : top + crop_h, left : left + crop_w]
    image, mask = resize_pair(image, mask, image_size)
    if augment.get("crop_size"):
        image, mask = crop_pair(image, mask, augment["crop_size"])
    if augment.get("flip", True):
        flip = tf.random.uniform([]) < 0.5
        image = tf.cond(flip, lambda: tf.image.flip_left_right(image), lambda: image)
        mask = tf.cond(flip, lambda: tf.image.flip_left_right(mask), lambda: mask)
    jitter = augment.get("color_jitter", 0.0)
    if jitter > 0:
        image = image / 255.0
        image = tf.image.random_brightness(image, 0.4 * jitter)
        image = tf.image.random_contrast(image, 1.0 - jitter, 1.0 + jitter)
        image = tf.image.random_saturation(image, 1.0 - jitter, 1.0 + jitter)
        image = tf.image.random_hue(image, 0.1 * jitter)
        image = tf.clip_by_value(image, 0.0, 1.0) * 255.0
    return image, mask


def load_dataset(
    shard_paths: list[str],
    image_size: tuple[int, int],
    batch_size: int,
    augment: dict | None = None,
    shuffle: bool = False,
    seed: int = 0,
    repeat: bool = False,
) -> tf.data.Dataset:
    """(image, mask) batches from shards; training sets shuffle, augment and interleave.

    Class weights are applied by the loss (streetseg.model.losses), not as sample weights here.
    """
    image_size = tuple(int(side) for side in image_size)
    files = tf.data.Dataset.from_tensor_slices(list(shard_paths))
    if shuffle:
        files = files.shuffle(len(shard_paths), seed=seed)
    records = files.interleave(
        tf.data.TFRecordDataset,
        cycle_length=max(1, min(len(shard_paths), 8)),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=not shuffle,
    )
    if shuffle:
        records = records.shuffle(2048, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        records = records.repeat()
    pairs = records.map(
        lambda raw: decode_pair(parse_record(raw)), num_parallel_calls=tf.data.AUTOTUNE
    )
    if augment:
        pairs = pairs.map(
            lambda image, mask: augment_pair(image, mask, image_size, augment),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    else:
        pairs = pairs.map(
            lambda image, mask: resize_pair(image, mask, image_size),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    pairs = pairs.map(lambda image, mask: (image, mask[..., 0]))
    return pairs.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def class_pixel_counts(shard_paths: list[str], num_classes: int) -> list[int]:
    """Pixels of each class in the shards' masks, at their stored size (ignored pixels left out)."""

    def histogram(raw):
        mask = tf.io.decode_png(parse_record(raw)[MASK], channels=1)
        return tf.math.bincount(
            tf.cast(mask, tf.int32), minlength=256, maxlength=256, dtype=tf.int64
        )

    records = tf.data.TFRecordDataset(list(shard_paths))
    counts = records.map(histogram, num_parallel_calls=tf.data.AUTOTUNE).reduce(
        tf.zeros(256, tf.int64), lambda total, counts: total + counts
    )
    return [int(value) for value in counts.numpy()[:num_classes]]
