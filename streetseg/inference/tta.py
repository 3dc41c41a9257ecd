"""Test-time augmentation (``predict.tta``, for predict and infer alike): the class
probabilities of each photo averaged over its mirror image and over other scales.

``flip`` averages the model's output on the photo and, mirrored back, on its mirror image.
``multiscale`` averages it over the photo resized to each of :data:`SCALES` of the model's
input size (rounded to the sides the model's down-sampling allows), each output resized back;
``flip_multiscale`` does both. Other scales need a model that takes other input sizes: a
``.keras`` U-Net is rebuilt with a free input size and the same weights, while an exported
SavedModel's signature fixes one size, so it takes ``none`` and ``flip`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The scales of multiscale, as fractions of each side of the model's input: the middle of
# the 0.5-1.75 range that DeepLab averages, as the larger scales cost most on a CPU.
SCALES = (0.75, 1.0, 1.25)


@dataclass(frozen=True)
class Mode:
    """A test-time augmentation: whether to add the mirror image, the scales, and the suffix
    it adds to the model id of infer's results (so that results of each mode stay apart)."""

    flip: bool
    scales: tuple
    suffix: str

    @property
    def scaled(self) -> bool:
        """Whether it needs the model at sizes other than its input's."""
        return self.scales != (1.0,)


# predict.tta's values (the schema's enum, which a test checks) in order of cost.
MODES = {
    "none": Mode(flip=False, scales=(1.0,), suffix=""),
    "flip": Mode(flip=True, scales=(1.0,), suffix="-flip"),
    "multiscale": Mode(flip=False, scales=SCALES, suffix="-ms"),
    "flip_multiscale": Mode(flip=True, scales=SCALES, suffix="-flip-ms"),
}


def mode(tta: str) -> Mode:
    """The :class:`Mode` named ``tta``; an unknown name is refused with the valid ones."""
    if tta not in MODES:
        raise ValueError(
            f"predict.tta {tta!r}: unknown test-time augmentation; use " + ", ".join(MODES)
        )
    return MODES[tta]


def check_model(path, tta: str) -> None:
    """Refuse, naming the folder, scales other than 1 for an exported SavedModel (a folder),
    whose signature fixes one input size; run before any job by infer and in the segmenter."""
    if Path(path).is_dir() and mode(tta).scaled:
        raise ValueError(
            f"{path}: an exported SavedModel takes one input size, so predict.tta {tta} "
            "cannot apply; use none or flip, or the .keras model"
        )


def scaled_size(image_size, scale: float, stride: int) -> tuple[int, int]:
    """``image_size`` times ``scale``, each side rounded to the nearest multiple of
    ``stride`` (the model's down-sampling; a half rounds to even), at least one stride."""
    return tuple(max(stride, round(side * scale / stride) * stride) for side in image_size)


def scaled_sizes(image_size, tta: str, stride: int) -> list[tuple[int, int]]:
    """The distinct input sizes that ``tta`` averages over, in the order of its scales: a
    scale that rounds to a size already there (a small input, a coarse stride) adds nothing,
    so no size counts twice."""
    sizes = []
    for scale in mode(tta).scales:
        size = tuple(image_size) if scale == 1.0 else scaled_size(image_size, scale, stride)
        if size not in sizes:
            sizes.append(size)
    return sizes


def _feature_heights(model):
    """The heights of every 4-D layer output of ``model``, nested models' layers included."""
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from _feature_heights(layer)
        try:
            outputs = layer.output
        except (AttributeError, ValueError):
            continue
        for output in outputs if isinstance(outputs, list | tuple | dict) else [outputs]:
            shape = getattr(output, "shape", None)
            if shape is not None and len(shape) == 4 and shape[1]:
                yield int(shape[1])


def input_stride(model) -> int:
    """How many input pixels make one pixel of the model's coarsest feature map: the input
    height over the smallest height among its layers' outputs (a keras.applications
    backbone's layers included)."""
    height = int(model.input_shape[1])
    return height // min([height, *_feature_heights(model)])


def _free_inputs(config: dict) -> None:
    """Free the height and width of every input layer in a functional model's config,
    nested models (a keras.applications backbone) included."""
    for layer in config.get("layers", []):
        if layer["class_name"] == "InputLayer":
            shape = layer["config"]["batch_shape"]
            layer["config"]["batch_shape"] = [None, None, None, shape[-1]]
        elif "layers" in layer.get("config", {}):
            _free_inputs(layer["config"])


def free_size_model(model, path, sizes):
    """The Keras model ``model`` rebuilt with a free input height and width and its weights,
    so that it takes the photo at other scales; a ``ValueError`` naming ``path`` where it
    cannot take one of ``sizes`` (each tried on a blank image)."""
    import keras
    import numpy as np

    config = model.get_config()
    _free_inputs(config)
    try:
        free = keras.Model.from_config(config)
        free.set_weights(model.get_weights())
        for size in sizes:
            free(np.zeros((1, *size, 3), np.float32), training=False)
    except Exception as problem:  # Keras and TensorFlow raise many kinds for a bad shape.
        first_line = (str(problem).strip().splitlines() or [type(problem).__name__])[0]
        raise ValueError(
            f"{path}: the model cannot take the sizes {sizes} of predict.tta multiscale "
            f"({first_line}); use none or flip"
        ) from None
    return lambda inputs: free(inputs, training=False)


def with_tta(probabilities, tta: str, image_size=None, free_size=None, stride: int = 1):
    """``probabilities`` (a function of a float32 batch at ``image_size``), averaged as
    ``tta`` says over :func:`scaled_sizes`. ``free_size`` is the same model taking any size
    divisible by ``stride`` (needed for sizes other than ``image_size``). Each size's output
    is resized back to ``image_size`` bilinearly; the flip is one call on the batch and its
    mirror together."""
    import tensorflow as tf

    chosen = mode(tta)
    if not (chosen.scaled or chosen.flip):
        return probabilities
    sizes = scaled_sizes(image_size, tta, stride)

    def flipped(model, inputs):
        if not chosen.flip:
            return model(inputs)
        count = tf.shape(inputs)[0]
        both = model(tf.concat([inputs, tf.reverse(inputs, axis=[2])], axis=0))
        return (both[:count] + tf.reverse(both[count:], axis=[2])) / 2.0

    # Plain Python over the sizes: nothing for AutoGraph to convert (and it warns on closures).
    @tf.autograph.experimental.do_not_convert
    def averaged(inputs):
        total = None
        for size in sizes:
            if size == tuple(image_size):
                output = flipped(probabilities, inputs)
            else:
                output = flipped(free_size, tf.image.resize(inputs, size))
                output = tf.image.resize(output, image_size)
            total = output if total is None else total + output
        return total / float(len(sizes))

    return averaged
