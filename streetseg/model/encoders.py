"""U-Nets on a keras.applications backbone: a pretrained encoder with the U-Net's decoder.

The backbone is built on its own, exactly as keras.applications builds it, so its weights
load the way Keras documents: ``"imagenet"`` downloads them (a machine on the internet), a
file path loads a weights file saved from the same backbone (``.weights.h5``, or the ``.h5``
file Keras downloads into ``~/.keras/models``), and ``None`` starts from random weights. The
decoder taps the last feature map at each stride 2, 4, 8 and 16 as skip connections.
"""

from __future__ import annotations

from pathlib import Path

import keras
from keras import layers

from streetseg.common.defaults import defaults
from streetseg.model.blocks import conv_block
from streetseg.model.preflight import check_image_size

MODEL = defaults("train.model")

# Encoder name -> (constructor, layer that maps RGB in [0, 255] to the backbone's input range).
ENCODERS = {
    "mobilenet_v2": (
        keras.applications.MobileNetV2,
        lambda: layers.Rescaling(1.0 / 127.5, offset=-1.0, name="rescale"),
    ),
    # EfficientNetV2 normalises its [0, 255] input itself.
    "efficientnetv2_b0": (keras.applications.EfficientNetV2B0, None),
}


def build_backbone(name: str, image_size: tuple[int, int], weights: str | None) -> keras.Model:
    """The keras.applications model without its classifier, weights loaded as Keras does."""
    if name not in ENCODERS:
        raise ValueError(f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}")
    if weights not in (None, "imagenet"):
        path = Path(weights)
        if not path.is_file():
            raise FileNotFoundError(
                f"encoder weights file {weights} (train.model.encoder_weights) does not exist"
            )
        weights = str(path)
    constructor = ENCODERS[name][0]
    try:
        return constructor(input_shape=(*image_size, 3), include_top=False, weights=weights)
    except (ValueError, OSError) as error:
        raise ValueError(
            f"cannot load {name} weights from {weights}: {error}. The file must hold the "
            f"weights of keras.applications' {constructor.__name__}(include_top=False)"
        ) from error


def skip_outputs(backbone: keras.Model, image_size: tuple[int, int]) -> dict[int, object]:
    """The last layer output at each stride 2, 4, 8, 16 and 32 of ``image_size``."""
    height, width = image_size
    found = {}
    for layer in backbone.layers:
        shape = getattr(layer.output, "shape", None)
        if shape is None or len(shape) != 4 or not shape[1] or not shape[2]:
            continue
        stride = height // shape[1]
        if (
            stride in (2, 4, 8, 16, 32)
            and shape[1] * stride == height
            and shape[2] * stride == width
        ):
            found[stride] = layer.output
    missing = [s for s in (2, 4, 8, 16, 32) if s not in found]
    if missing:
        raise ValueError(f"{backbone.name} has no feature map at stride(s) {missing}")
    return found


def build_encoder_unet(
    image_size: tuple[int, int],
    num_classes: int,
    encoder: str,
    encoder_weights: str | None = None,
    base_filters: int = MODEL["base_filters"],
    dropout_rate: float = MODEL["dropout_rate"],
    batch_norm: bool = MODEL["batch_norm"],
    block: str = MODEL["block"],
    decoder_convs: int = MODEL["decoder_convs"],
) -> keras.Model:
    """A U-Net whose encoder is a keras.applications backbone (input RGB in [0, 255]).

    Both sides of ``image_size`` must be divisible by 32. The decoder doubles resolution
    four times through the backbone's skip features with ``base_filters * 2**level`` filters,
    then once more to full size; each level has ``decoder_convs`` convolutions of the kind
    ``block`` names (streetseg.model.blocks).
    """
    check_image_size(image_size, {"encoder": encoder})
    height, width = (int(side) for side in image_size)
    backbone = build_backbone(encoder, (height, width), encoder_weights)
    taps = skip_outputs(backbone, (height, width))
    features = keras.Model(
        backbone.inputs, [taps[s] for s in (2, 4, 8, 16, 32)], name=f"{encoder}_encoder"
    )
    inputs = keras.Input(shape=(height, width, 3), name="image")
    preprocess = ENCODERS[encoder][1]
    x = preprocess()(inputs) if preprocess else inputs
    *skips, x = features(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate, name="bottleneck_dropout")(x)
    for level in reversed(range(1, 5)):
        filters = base_filters * 2**level
        x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same", name=f"up{level}_tconv")(
            x
        )
        x = layers.Concatenate(name=f"up{level}_concat")([x, skips[level - 1]])
        x = conv_block(x, filters, batch_norm, name=f"up{level}", block=block, convs=decoder_convs)
    x = layers.Conv2DTranspose(base_filters, 2, strides=2, padding="same", name="up0_tconv")(x)
    x = conv_block(x, base_filters, batch_norm, name="up0", block=block, convs=decoder_convs)
    outputs = layers.Conv2D(
        num_classes, 1, activation="softmax", dtype="float32", name="probabilities"
    )(x)
    return keras.Model(inputs, outputs, name=f"unet_{encoder}")
