"""Small Keras models for the inference tests, saved to a file, and the classes they predict."""

from __future__ import annotations

# The class table of the models below: a forced model's ``favoured`` is an id of this table.
CLASSES = [
    {"id": 0, "name": "background", "color": [0, 0, 0]},
    {"id": 1, "name": "tree", "color": [34, 139, 34]},
    {"id": 2, "name": "sky", "color": [70, 130, 180]},
]


def forced_model(path, favoured: int, num_classes: int = 3, size: int = 32):
    """A model that predicts ``favoured`` everywhere: zero kernel, bias 5 for that class."""
    import keras

    bias = [5.0 if index == favoured else 0.0 for index in range(num_classes)]
    inputs = keras.Input((size, size, 3))
    outputs = keras.layers.Conv2D(
        num_classes,
        1,
        activation="softmax",
        kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(bias),
    )(inputs)
    keras.Model(inputs, outputs).save(path)
    return str(path)


def unet_model(path):
    """A tiny U-Net with random but seeded weights, whose masks vary from pixel to pixel."""
    import keras

    from streetseg.model.unet import build_unet

    keras.utils.set_random_seed(0)
    build_unet((64, 64), num_classes=3, depth=2, base_filters=4).save(path)
    return str(path)
