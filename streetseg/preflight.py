"""Checks of the config against the data and the model that need no job: they run while the
DAG is built (rules/common.smk), so a mismatch stops the run before anything is computed.

This module imports neither TensorFlow nor Keras: it runs at every ``snakemake`` start.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from streetseg.classes import normalize_name

# The name of the class that unpainted pixels of a polygon annotation become by default.
BACKGROUND = "background"
# Suffixes of annotation files that hold shapes (whose unpainted pixels need a class), as
# opposed to dense label images, which give every pixel a value.
POLYGON_SUFFIXES = (".xml", ".json")
# Backbones from keras.applications down-sample five times.
ENCODER_STRIDE = 32


class PreflightError(ValueError):
    """The config does not fit the data or the model; the message names the key or file."""


def unannotated_class(classes: list[dict], unannotated: str | None, annotation_paths) -> str:
    """What pixels no polygon covers become: a class name, or "ignore" (label 255).

    ``labels.unannotated`` decides; left empty, a class named "background" is the answer.
    Without either, a dataset with polygon annotations is refused: its unpainted pixels
    would otherwise silently become class id 0, whatever class 0 is.
    """
    names = {normalize_name(entry["name"]): entry["name"] for entry in classes}
    if unannotated:
        key = normalize_name(unannotated)
        if key != "ignore" and key not in names:
            raise PreflightError(
                f"labels.unannotated: {unannotated!r} is neither a class nor 'ignore'; "
                f"classes: {', '.join(entry['name'] for entry in classes)}"
            )
        return "ignore" if key == "ignore" else names[key]
    if BACKGROUND in names:
        return names[BACKGROUND]
    polygons = [path for path in annotation_paths if Path(path).suffix.lower() in POLYGON_SUFFIXES]
    if polygons:
        raise PreflightError(
            f"labels.unannotated is needed: {len(polygons)} polygon annotation(s) (e.g. "
            f"{polygons[0]}) leave pixels unpainted, and no class is named {BACKGROUND!r}. "
            "Set labels.unannotated to the class those pixels show, or to 'ignore' to leave "
            "them out of training and scoring"
        )
    return "ignore"


def input_stride(model: dict) -> int:
    """What both sides of the model's input must be divisible by (train.model)."""
    if model.get("encoder", "unet") != "unet":
        return ENCODER_STRIDE
    return 2 ** int(model.get("depth", 4))


def check_image_size(image_size, model: dict) -> None:
    """Refuse a train.image_size the model cannot take (its down-sampling steps)."""
    height, width = (int(side) for side in image_size)
    step = input_stride(model)
    if height % step or width % step:
        encoder = model.get("encoder", "unet")
        why = f"depth {model.get('depth', 4)}" if encoder == "unet" else f"encoder {encoder}"
        raise PreflightError(
            f"train.image_size {height}x{width} must be divisible by {step} on both sides "
            f"({why}); e.g. {height - height % step or step}x{width - width % step or step}"
        )


def model_class_count(path: str | Path) -> int | None:
    """How many classes a saved model predicts, read from its metadata without loading it:
    the output layer of a ``.keras`` file, or ``streetseg.json`` of an exported SavedModel.
    None when the file says nothing readable (the job that loads the model checks then)."""
    path = Path(path)
    try:
        if path.is_dir():
            return len(json.loads((path / "streetseg.json").read_text())["classes"])
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))["config"]
        layers = {layer["config"]["name"]: layer["config"] for layer in config["layers"]}
        # Keras 3 writes one output as ["name", 0, 0], several as [["name", 0, 0], ...].
        outputs = config["output_layers"]
        output = outputs[0] if isinstance(outputs[0], str) else outputs[0][0]
        return int(layers[output]["filters"])
    except (OSError, KeyError, IndexError, TypeError, ValueError, zipfile.BadZipFile):
        return None


def check_model_classes(path: str | Path, classes: list[dict]) -> None:
    """Refuse a model whose number of classes differs from the config's class list."""
    count = model_class_count(path)
    if count is not None and count != len(classes):
        raise PreflightError(
            f"{path}: the model predicts {count} classes but the config lists {len(classes)} "
            f"({', '.join(entry['name'] for entry in classes)}); use the config the model was "
            "trained with"
        )
