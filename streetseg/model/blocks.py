"""The building block shared by the plain U-Net and the encoder U-Nets' decoders."""

from __future__ import annotations

from keras import layers


def conv_block(x, filters: int, batch_norm: bool, dropout_rate: float = 0.0, name: str = ""):
    """Two 3x3 convolutions, each followed by optional batch norm and ReLU."""
    for index in (1, 2):
        x = layers.Conv2D(
            filters, 3, padding="same", use_bias=not batch_norm, name=f"{name}_conv{index}"
        )(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"{name}_bn{index}")(x)
        x = layers.Activation("relu", name=f"{name}_relu{index}")(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate, name=f"{name}_dropout")(x)
    return x
