"""The U-Net: small builder functions composing a functional Keras model."""

from __future__ import annotations

import keras
from keras import layers

from streetseg.common.defaults import defaults
from streetseg.model.blocks import conv_block
from streetseg.model.encoders import build_encoder_unet
from streetseg.model.preflight import check_image_size

# train.model's defaults (schemas/config.schema.yaml), for callers outside the workflow.
MODEL = defaults("train.model")


def build_unet(
    image_size: tuple[int, int],
    num_classes: int,
    depth: int = MODEL["depth"],
    base_filters: int = MODEL["base_filters"],
    dropout_rate: float = MODEL["dropout_rate"],
    batch_norm: bool = MODEL["batch_norm"],
    block: str = MODEL["block"],
    decoder_convs: int = MODEL["decoder_convs"],
    stem_stride: int = MODEL["stem_stride"],
) -> keras.Model:
    """A U-Net taking float RGB in [0, 255] and returning per-pixel class probabilities.

    ``depth`` counts the down-sampling steps, so both sides of ``image_size`` must be
    divisible by ``stem_stride * 2 ** depth``. Filters double at each level from
    ``base_filters``. ``block`` makes the 3x3 convolutions full or depthwise-separable
    (streetseg.model.blocks), and each decoder level has ``decoder_convs`` of them (the
    encoder levels always have two). With ``stem_stride=2`` a stride-2 3x3 convolution comes
    first, so the whole U-Net runs at half resolution (ENet's early down-sampling), and its
    last features are upsampled bilinearly to full size before the classifier.
    """
    check_image_size(image_size, {"encoder": "unet", "depth": depth, "stem_stride": stem_stride})
    height, width = (int(side) for side in image_size)
    inputs = keras.Input(shape=(height, width, 3), name="image")
    x = layers.Rescaling(1.0 / 255.0, name="rescale")(inputs)
    if stem_stride > 1:
        x = layers.Conv2D(
            base_filters,
            3,
            strides=stem_stride,
            padding="same",
            use_bias=not batch_norm,
            name="stem_conv",
        )(x)
        if batch_norm:
            x = layers.BatchNormalization(name="stem_bn")(x)
        x = layers.Activation("relu", name="stem_relu")(x)
    skips = []
    for level in range(depth):
        x = conv_block(x, base_filters * 2**level, batch_norm, name=f"down{level}", block=block)
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"down{level}_pool")(x)
    x = conv_block(
        x, base_filters * 2**depth, batch_norm, dropout_rate, name="bottleneck", block=block
    )
    for level in reversed(range(depth)):
        filters = base_filters * 2**level
        x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same", name=f"up{level}_tconv")(
            x
        )
        x = layers.Concatenate(name=f"up{level}_concat")([x, skips[level]])
        x = conv_block(x, filters, batch_norm, name=f"up{level}", block=block, convs=decoder_convs)
    if stem_stride > 1:
        x = layers.UpSampling2D(stem_stride, interpolation="bilinear", name="stem_upsample")(x)
    # The softmax is kept in float32 so that mixed precision cannot underflow probabilities.
    outputs = layers.Conv2D(
        num_classes, 1, activation="softmax", dtype="float32", name="probabilities"
    )(x)
    return keras.Model(inputs, outputs, name="unet")


def build_model(
    image_size: tuple[int, int],
    num_classes: int,
    encoder: str = MODEL["encoder"],
    encoder_weights: str | None = None,
    depth: int = MODEL["depth"],
    stem_stride: int = MODEL["stem_stride"],
    **options,
) -> keras.Model:
    """The configured model: the plain U-Net, or a U-Net on a pretrained keras.applications
    encoder (``encoder`` names it; ``encoder_weights`` is "imagenet", a file path or None).
    ``depth`` and ``stem_stride`` shape the plain U-Net only."""
    if encoder == "unet":
        return build_unet(image_size, num_classes, depth=depth, stem_stride=stem_stride, **options)
    return build_encoder_unet(image_size, num_classes, encoder, encoder_weights, **options)
