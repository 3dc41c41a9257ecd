"""A trained model for inference, loaded from a ``.keras`` file or an exported SavedModel.

Both kinds answer the same questions (input size, number of classes, class probabilities for
a batch) and carry a model id: a short hash of the model's files, which names the folder of
per-image results so that results of one model are never mistaken for another's.

Test-time augmentation (``predict.tta``, for predict and infer alike; streetseg.inference.tta)
is applied here, so both stages share it.
"""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from streetseg.common.defaults import default
from streetseg.common.images import resize_labels
from streetseg.inference import tta as augmentation

TTA = default("predict.tta")


def results_id(path: str | Path, tta: str = TTA, classes: list[dict] | None = None) -> str:
    """The id of results made by the model at ``path`` with test-time augmentation ``tta``
    and the class table ``classes``: the model id, then a short hash of the table's ids,
    names and colours (when given), then the mode's suffix (``-flip``, ``-ms``, ...); so that
    infer keeps the results of each apart and one folder never mixes two labelings."""
    suffix = ""
    if classes:
        table = [[c["id"], c["name"], list(c["color"])] for c in classes]
        text = json.dumps(sorted(table), separators=(",", ":"))
        suffix = "-c" + hashlib.sha256(text.encode()).hexdigest()[:6]
    return model_id(path) + suffix + augmentation.mode(tta).suffix


def _labels_graph(probabilities, image_size):
    """A function from a float32 batch to uint8 class ids, with the argmax inside the graph
    (so only the ids leave it) and one graph for every batch size: Keras' predict_on_batch
    traces again for a short last batch, which cost as much as several full batches."""
    import tensorflow as tf

    graph = tf.function(
        lambda inputs: tf.cast(tf.argmax(probabilities(inputs), axis=-1), tf.uint8),
        input_signature=[tf.TensorSpec((None, *image_size, 3), tf.float32)],
    )
    return lambda batch: graph(tf.convert_to_tensor(batch, tf.float32)).numpy()


class ModelError(ValueError):
    """A model cannot be used for inference; the message names the file."""


# Files of a SavedModel folder that say when it was made, not what it computes.
NOT_HASHED = {".snakemake_timestamp"}


def model_id(path: str | Path) -> str:
    """The first 12 hex digits of the SHA-256 of the model file; for a SavedModel folder, of
    its files' relative names and contents in sorted order (each name, a zero byte, then the
    contents), leaving out Snakemake's timestamp file, so that the id changes with the model
    only."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        files = sorted(
            item for item in path.rglob("*") if item.is_file() and item.name not in NOT_HASHED
        )
        members = [(item.relative_to(path).as_posix().encode() + b"\0", item) for item in files]
    elif path.is_file():
        members = [(b"", path)]
    else:
        raise ModelError(f"{path}: model not found (a .keras file or a SavedModel folder)")
    for name, item in members:
        digest.update(name)
        with open(item, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


class Segmenter:
    """Class ids for batches of float32 RGB images in [0, 255] at the model's input size,
    with the test-time augmentation ``tta`` (a name in streetseg.inference.tta.MODES)."""

    def __init__(self, path: str | Path, tta: str = TTA):
        self.path = Path(path)
        self.tta = tta
        self._scaled = augmentation.mode(tta).scaled
        self.model_id = model_id(self.path)
        if self.path.is_dir():
            self._load_saved_model()
        elif self.path.suffix == ".keras":
            self._load_keras()
        else:
            raise ModelError(f"{self.path}: expected a .keras file or a SavedModel folder")

    def _load_keras(self) -> None:
        import keras

        try:
            model = keras.models.load_model(self.path, compile=False)
        except Exception as problem:  # Keras raises many kinds for a damaged archive.
            raise ModelError(f"{self.path}: cannot load the Keras model: {problem}") from None
        self._check_shapes(model.input_shape, model.output_shape)
        self._model = model
        free_size, stride = None, 1
        if self._scaled:
            stride = augmentation.input_stride(model)
            sizes = augmentation.scaled_sizes(self.image_size, self.tta, stride)
            others = [size for size in sizes if size != self.image_size]
            try:
                free_size = augmentation.free_size_model(model, self.path, others)
            except ValueError as problem:
                raise ModelError(str(problem)) from None
        self._use(lambda inputs: model(inputs, training=False), free_size, stride)

    def _load_saved_model(self) -> None:
        import tensorflow as tf

        if not (self.path / "saved_model.pb").is_file():
            raise ModelError(
                f"{self.path}: folder holds no saved_model.pb, so it is not a SavedModel"
            )
        try:
            augmentation.check_model(self.path, self.tta)
        except ValueError as problem:
            raise ModelError(str(problem)) from None
        loaded = tf.saved_model.load(str(self.path))
        if not hasattr(loaded, "serve"):
            raise ModelError(
                f"{self.path}: SavedModel has no 'serve' endpoint (export it with streetseg)"
            )
        (spec,) = loaded.serve.input_signature
        output = loaded.serve.get_concrete_function().structured_outputs
        self._check_shapes(tuple(spec.shape), tuple(output.shape))
        self._model = loaded
        self._use(loaded.serve)

    def _use(self, probabilities, free_size=None, stride: int = 1) -> None:
        self._probabilities = augmentation.with_tta(
            probabilities, self.tta, self.image_size, free_size, stride
        )
        self._labels = _labels_graph(self._probabilities, self.image_size)

    def _check_shapes(self, input_shape, output_shape) -> None:
        if len(input_shape) != 4 or None in input_shape[1:] or input_shape[3] != 3:
            raise ModelError(
                f"{self.path}: input shape {input_shape} is not (batch, height, width, 3)"
            )
        self.image_size = (int(input_shape[1]), int(input_shape[2]))
        self.num_classes = int(output_shape[-1])

    def probabilities(self, batch) -> np.ndarray:
        """Class probabilities (batch, height, width, classes) for a float32 batch, after the
        test-time augmentation."""
        import tensorflow as tf

        return self._probabilities(tf.convert_to_tensor(batch, tf.float32)).numpy()

    def labels(self, batch) -> np.ndarray:
        """Class ids (batch, height, width) as uint8 for a float32 batch (array or tensor):
        the most probable class per pixel (the lowest id on a tie)."""
        return self._labels(batch)

    def segment(self, batches, handle, total: int, log=print, verb: str = "segmented") -> None:
        """Predict every batch of (input, index, height, width, error), as made by
        ``streetseg.inference.infer.decode_batches``, and call ``handle(index, labels, error)``
        for each image: its class ids at the image's own size, or None and the reason it was
        not read.

        The handling of one batch (resizing, encoding and writing what it makes) runs in a
        background thread while the next batch is predicted; the model's work releases the GIL.
        An exception raised by ``handle`` stops the run and is raised here. After each batch,
        ``log`` gets a progress line: "{verb} {done}/{total} images ({rate} img/s)".
        """
        started, done = time.perf_counter(), 0

        def finish(labels, indices, heights, widths, errors):
            nonlocal done
            for position, index in enumerate(indices):
                error = errors[position].decode()
                if error:
                    handle(int(index), None, error)
                else:
                    size = int(heights[position]), int(widths[position])
                    handle(int(index), resize_labels(labels[position], *size), "")
            done += len(indices)
            log(
                f"{verb} {done}/{total} images ({done / (time.perf_counter() - started):.1f} img/s)"
            )

        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = None
            for inputs, indices, heights, widths, errors in batches:
                labels = self.labels(inputs)
                if pending is not None:
                    pending.result()
                pending = pool.submit(
                    finish, labels, indices.numpy(), heights.numpy(), widths.numpy(), errors.numpy()
                )
            if pending is not None:
                pending.result()
