"""The training settings: the config's ``train`` section and the class count, read once.

Every field mirrors a key of ``train`` in schemas/config.schema.yaml, which holds the
defaults: the workflow validates the config against it (filling in what is left out) before
the settings are built, so these classes restate no default. A key missing here is a config
that was not validated, and :meth:`TrainSettings.from_config` says which one.

``train.gpu`` is not a field: it is the train job's GPU request (rules/train.smk), and
TensorFlow trains on whatever devices the job sees.

This module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from streetseg.labels.classes import ClassTable, ConfigError


@dataclass(frozen=True)
class ModelSettings:
    """``train.model``: the U-Net, or a U-Net on a keras.applications encoder."""

    encoder: str
    encoder_weights: str | None
    depth: int
    base_filters: int
    dropout_rate: float
    batch_norm: bool
    block: str
    decoder_convs: int
    stem_stride: int


@dataclass(frozen=True)
class AugmentSettings:
    """``train.augment``: random crop-and-zoom, flips, colour jitter and random crops of
    ``crop_size`` (None: whole images) of the train split."""

    flip: bool
    min_scale: float
    max_scale: float
    color_jitter: float
    crop_size: tuple[int, int] | None


@dataclass(frozen=True)
class LossSettings:
    """``train.loss``: the focal, OHEM, Dice and Lovász-softmax levers of the cross-entropy."""

    focal_gamma: float
    dice_weight: float
    lovasz_weight: float
    lovasz_from: float
    ohem_fraction: float


@dataclass(frozen=True)
class EarlyStoppingSettings:
    """``train.early_stopping`` on val mIoU (``patience`` 0 turns it off)."""

    patience: int
    min_delta: float


@dataclass(frozen=True)
class TrainSettings:
    """What one training run computes, and when it stops.

    ``batch_size`` is per replica; ``num_classes`` comes from the config's ``classes``.
    """

    num_classes: int
    image_size: tuple[int, int]
    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    ema: float
    schedule: str
    warmup_epochs: int
    class_weighting: str
    loss: LossSettings
    early_stopping: EarlyStoppingSettings
    time_limit_minutes: float | None
    seed: int
    mixed_precision: bool
    jit_compile: str
    model: ModelSettings
    augment: AugmentSettings

    @classmethod
    def from_config(cls, train: dict, classes: list[dict]) -> TrainSettings:
        """The settings of the config's ``train`` section (validated against the schema, so
        that every key is there) and its ``classes`` list (checked as a class table)."""
        groups = {
            "loss": LossSettings,
            "early_stopping": EarlyStoppingSettings,
            "model": ModelSettings,
            "augment": AugmentSettings,
        }
        values = {"num_classes": ClassTable.from_config(classes).num_classes}
        for field in dataclasses.fields(cls):
            if field.name in values:
                continue
            value = _key(train, field.name, "train")
            if field.name in groups:
                group = groups[field.name]
                names = (f.name for f in dataclasses.fields(group))
                value = group(**{n: _key(value, n, f"train.{field.name}") for n in names})
            elif field.name == "image_size":
                value = tuple(int(side) for side in value)
            values[field.name] = value
        return cls(**values)

    def model_options(self) -> dict:
        """``train.model`` as keyword arguments of streetseg.model.unet.build_model."""
        return dataclasses.asdict(self.model)

    def augment_options(self) -> dict:
        """``train.augment`` as streetseg.data.pipeline.load_dataset takes it."""
        return dataclasses.asdict(self.augment)

    def loss_options(self) -> dict:
        """``train.loss`` as keyword arguments of streetseg.model.losses.SegmentationLoss."""
        return dataclasses.asdict(self.loss)


def _key(section: dict, name: str, where: str):
    """``section[name]``, or an error naming the key a config without defaults lacks."""
    try:
        return section[name]
    except (KeyError, TypeError):
        raise ConfigError(
            f"{where}.{name} is missing: the config must be validated against "
            "schemas/config.schema.yaml, which fills in the defaults, before training"
        ) from None
