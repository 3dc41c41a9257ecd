"""The export stage: the trained model as a TensorFlow SavedModel (for TF Serving), optionally
as TFLite (for devices in vehicles), and a model card that says what the model is."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from streetseg.common.files import atomic_folder, write_bytes_atomic, write_text_atomic
from streetseg.inference.segmenter import model_id
from streetseg.labels.classes import ClassTable
from streetseg.model.preflight import CLASSES_FILE, check_model_classes


def export_model(
    model_path: str,
    saved_model_dir: str,
    classes: list[dict],
    tflite_path: str | None = None,
    log=print,
) -> None:
    """Write ``saved_model_dir`` (endpoint ``serve``: float32 RGB 0..255 batches in, class
    probabilities out) and, when ``tflite_path`` is given, a TFLite flatbuffer of the same model.

    The folder also holds ``streetseg.json``: the classes, input size and the source model's id.
    """
    import keras
    import tensorflow as tf

    table = ClassTable.from_config(classes)
    check_model_classes(model_path, classes)
    model = keras.models.load_model(model_path, compile=False)
    if model.output_shape[-1] != table.num_classes:
        raise ValueError(
            f"{model_path}: the model predicts {model.output_shape[-1]} classes, "
            f"the config lists {table.num_classes}"
        )
    with atomic_folder(saved_model_dir) as temporary:
        model.export(str(temporary), format="tf_saved_model", verbose=False)
        metadata = {
            "source": str(model_path),
            "source_model_id": model_id(model_path),
            "image_size": list(model.input_shape[1:3]),
            "classes": [
                {"id": i, "name": n, "color": list(c)}
                for i, n, c in zip(table.ids, table.names, table.colors)
            ],
        }
        (Path(temporary) / CLASSES_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
        log(f"exported {model_path} as a SavedModel to {saved_model_dir}")
        if tflite_path:
            flatbuffer = tf.lite.TFLiteConverter.from_saved_model(str(temporary)).convert()
            write_bytes_atomic(tflite_path, flatbuffer)
            log(f"converted it to TFLite: {tflite_path} ({len(flatbuffer)} bytes)")


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A GitHub-flavoured Markdown table; floats rounded to ``digits``."""

    def cell(value) -> str:
        return f"{value:.{digits}f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(str(column) for column in frame.columns) + " |"]
    lines.append("|" + "---|" * len(frame.columns))
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(value) for value in row) + " |")
    return "\n".join(lines)


def write_model_card(
    model_path: str,
    card_path: str,
    classes: list[dict],
    dataset_summary: str,
    metrics_summary: str,
    per_class: str,
    config: dict,
    exports: list[str] = (),
) -> str:
    """Write ``model_card.md``: classes and colours, input size, training data, test metrics,
    the exported files and the config the model was trained with. Returns the text."""
    import keras

    table = ClassTable.from_config(classes)
    check_model_classes(model_path, classes)
    model = keras.models.load_model(model_path, compile=False)
    height, width = model.input_shape[1:3]
    class_rows = pd.DataFrame(
        {
            "id": table.ids,
            "name": table.names,
            "colour (RGB)": [", ".join(str(c) for c in color) for color in table.colors],
            "colour (hex)": ["#{:02x}{:02x}{:02x}".format(*color) for color in table.colors],
        }
    )
    read = lambda path: pd.read_csv(path, sep="\t")  # noqa: E731
    sections = [
        "# Model card: streetseg U-Net",
        f"Model file `{model_path}`, model id `{model_id(model_path)}` "
        "(first 12 hex digits of its SHA-256). "
        f"{model.count_params():,} parameters.",
        "## Input and output",
        f"Input: float32 RGB batches of {height}x{width} (height x width) with values 0..255; the "
        "model rescales them itself. Output: per-pixel probabilities of the classes below; "
        "the mask "
        "is their argmax. `snakemake infer` resizes photos of any size to the input and maps the "
        "mask back to the photo's size by nearest neighbour.",
        "## Classes",
        markdown_table(class_rows),
        "## Training data",
        f"From `{dataset_summary}`:",
        markdown_table(read(dataset_summary)),
        "## Test metrics",
        "On the held-out test split, never seen in training or checkpoint selection "
        f"(`{metrics_summary}`):",
        markdown_table(read(metrics_summary)),
        f"Per class (`{per_class}`):",
        markdown_table(read(per_class)),
        "## Exported files",
        "\n".join(f"- `{path}`" for path in exports) or "- none",
        "## Config",
        "```yaml\n" + yaml.safe_dump(config, sort_keys=False).rstrip() + "\n```",
    ]
    text = "\n\n".join(sections) + "\n"
    write_text_atomic(card_path, text)
    return text
