"""The building block shared by the plain U-Net and the encoder U-Nets' decoders."""

from __future__ import annotations

from keras import layers

from streetseg.common.defaults import default

# train.model.block: how a 3x3 convolution of a block is made.
BLOCKS = ("conv", "separable")


def conv_block(
    x,
    filters: int,
    batch_norm: bool,
    dropout_rate: float = 0.0,
    name: str = "",
    block: str = default("train.model.block"),
    convs: int = 2,
):
    """``convs`` 3x3 convolutions, each followed by optional batch norm and ReLU.

    ``block="separable"`` makes each a depthwise 3x3 followed by a pointwise 1x1 (Keras'
    SeparableConv2D, as in MobileNet and Xception): about ``1/9 + 1/filters`` of the
    multiply-adds and weights of a full 3x3. A convolution of a 3-channel input (the RGB image)
    stays a full one, where depthwise filtering of 3 channels would learn little.
    """
    if block not in BLOCKS:
        raise ValueError(f"unknown block {block!r}; choose one of {', '.join(BLOCKS)}")
    for index in range(1, convs + 1):
        separable = block == "separable" and x.shape[-1] > 3
        convolution = layers.SeparableConv2D if separable else layers.Conv2D
        x = convolution(
            filters, 3, padding="same", use_bias=not batch_norm, name=f"{name}_conv{index}"
        )(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"{name}_bn{index}")(x)
        x = layers.Activation("relu", name=f"{name}_relu{index}")(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate, name=f"{name}_dropout")(x)
    return x
