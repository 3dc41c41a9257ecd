"""Checks of the config against the data and the model that need no job: they run while the
DAG is built (rules/common.smk), so a mismatch stops the run before anything is computed.

This module imports neither TensorFlow nor Keras: it runs at every ``snakemake`` start.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from streetseg.labels.classes import ConfigError

# Backbones from keras.applications down-sample five times.
ENCODER_STRIDE = 32


def input_stride(model: dict) -> int:
    """What both sides of the model's input must be divisible by (train.model)."""
    if model.get("encoder", "unet") != "unet":
        return ENCODER_STRIDE
    return int(model.get("stem_stride", 1)) * 2 ** int(model.get("depth", 4))


def check_image_size(image_size, model: dict) -> None:
    """Refuse a train.image_size the model cannot take (its down-sampling steps)."""
    height, width = (int(side) for side in image_size)
    step = input_stride(model)
    if height % step or width % step:
        encoder = model.get("encoder", "unet")
        why = f"depth {model.get('depth', 4)}" if encoder == "unet" else f"encoder {encoder}"
        if encoder == "unet" and int(model.get("stem_stride", 1)) > 1:
            why += f", stem_stride {model['stem_stride']}"
        raise ConfigError(
            f"train.image_size {height}x{width} must be divisible by {step} on both sides "
            f"({why}); e.g. {height - height % step or step}x{width - width % step or step}"
        )


def check_crop_size(crop_size, image_size, model: dict) -> None:
    """Refuse a train.augment.crop_size (None: no crops) the model cannot take or the image
    cannot hold: both sides divisible like train.image_size's, and neither larger."""
    if not crop_size:
        return
    (height, width), step = (int(side) for side in crop_size), input_stride(model)
    full_height, full_width = (int(side) for side in image_size)
    if height % step or width % step:
        raise ConfigError(
            f"train.augment.crop_size {height}x{width} must be divisible by {step} on both "
            f"sides, as train.image_size must; e.g. "
            f"{height - height % step or step}x{width - width % step or step}"
        )
    if height > full_height or width > full_width:
        raise ConfigError(
            f"train.augment.crop_size {height}x{width} is larger than train.image_size "
            f"{full_height}x{full_width}: crops are cut from images of image_size"
        )


# The class table a model was trained with: a member of a .keras archive, and a file of an
# exported SavedModel folder (streetseg.inference.export), both {"classes": [{id, name,
# color}, ...]}.
CLASSES_FILE = "streetseg.json"


def stamp_classes(keras_path: str | Path, classes: list[dict]) -> None:
    """Add the class table to a ``.keras`` archive (Keras reads only its own members)."""
    table = [{"id": c["id"], "name": c["name"], "color": list(c["color"])} for c in classes]
    with zipfile.ZipFile(keras_path, "a") as archive:
        archive.writestr(CLASSES_FILE, json.dumps({"classes": table}, indent=2) + "\n")


def model_class_names(path: str | Path) -> list[str] | None:
    """The class names a saved model was trained with, in id order, from its class table;
    None for a model without one (trained before models carried it)."""
    path = Path(path)
    try:
        if path.is_dir():
            text = (path / CLASSES_FILE).read_text()
        else:
            with zipfile.ZipFile(path) as archive:
                text = archive.read(CLASSES_FILE).decode()
        classes = sorted(json.loads(text)["classes"], key=lambda entry: int(entry["id"]))
        return [str(entry["name"]) for entry in classes]
    except (OSError, KeyError, TypeError, ValueError, zipfile.BadZipFile):
        return None


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


def check_model_input(train: dict) -> None:
    """Refuse a validated ``train`` section whose model cannot take its image_size or crops."""
    check_image_size(train["image_size"], train["model"])
    check_crop_size(train["augment"]["crop_size"], train["image_size"], train["model"])


def check_model_classes(path: str | Path, classes: list[dict]) -> None:
    """Refuse a model whose classes differ from the config's: by name and order where the
    model carries its class table, else by number."""
    wanted = [entry["name"] for entry in sorted(classes, key=lambda entry: int(entry["id"]))]
    names = model_class_names(path)
    if names is not None and [n.lower() for n in names] != [n.lower() for n in wanted]:
        raise ConfigError(
            f"{path}: the model was trained with the classes {', '.join(names)} (in id order) "
            f"but the config lists {', '.join(wanted)}; use the config the model was trained "
            "with, so that every id gets its name"
        )
    count = model_class_count(path)
    if count is not None and count != len(classes):
        raise ConfigError(
            f"{path}: the model predicts {count} classes but the config lists {len(classes)} "
            f"({', '.join(wanted)}); use the config the model was trained with"
        )


# The workflow's own models and the command that makes each (rules/train.smk, export.smk).
OWN_MODELS = {
    "results/model/model.keras": "snakemake train",
    "results/export/saved_model": "snakemake export",
}


def infer_model_path(named: str | None, trained: str, *, remote: bool = False) -> str:
    """The model infer segments with (``named``, else ``trained``), as an absolute path that
    no rule produces: infer never trains or exports a model itself, so a changed config
    cannot retrain behind the user's back, and a model the user names is never overwritten.
    A missing model stops the run with the command that makes it. With default remote
    storage (``remote``) the path stays as given, so that it maps to the bucket."""
    path = named or trained
    if remote:
        return path
    if not Path(path).exists():
        command = OWN_MODELS.get(os.path.normpath(path))
        if command is None:
            raise ConfigError(
                f"{path}: no such model (config `model`); name a .keras file or an exported "
                "SavedModel folder"
            )
        raise ConfigError(
            f"{path}: no such model; infer never trains or exports one itself: run "
            f"`{command}` (with the same config) first, or name a model with --config model=PATH"
        )
    return str(Path(path).resolve())
