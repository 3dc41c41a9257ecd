"""The mask settings: how annotations become masks, read once from the validated config.

The fields mirror the config's ``annotations`` section, plus the class table, the ``labels``
section and ``images.max_pixels``; schemas/config.schema.yaml holds every default (the
workflow validates the config, filling them in, before this is built), so nothing here
restates one, as streetseg.model.settings.TrainSettings does for training.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from streetseg.labels.classes import ConfigError


@dataclass(frozen=True)
class MaskSettings:
    """``classes``, ``labels`` (with ``unannotated`` resolved, see
    streetseg.labels.classes.unannotated_class), ``annotations.format``,
    ``annotations.size_mismatch``, ``annotations.labelbox_legacy_origin`` and
    ``images.max_pixels``."""

    classes: list = field(hash=False)
    labels: dict = field(hash=False)
    format: str
    size_mismatch: str
    labelbox_legacy_origin: str
    max_pixels: int

    @classmethod
    def from_sections(
        cls, classes: list, labels: dict, annotations: dict, max_pixels: int
    ) -> MaskSettings:
        """The settings of validated config sections (a mask job's params)."""
        try:
            return cls(
                list(classes),
                dict(labels),
                annotations["format"],
                annotations["size_mismatch"],
                annotations["labelbox_legacy_origin"],
                int(max_pixels),
            )
        except KeyError as missing:
            raise ConfigError(
                f"annotations.{missing.args[0]} is missing: the config must be validated "
                "against schemas/config.schema.yaml, which fills in the defaults"
            ) from None

    @classmethod
    def from_config(cls, config: dict, unannotated: str | None = None) -> MaskSettings:
        """The settings of a validated config; ``unannotated`` replaces labels.unannotated
        (the workflow resolves it once for all samples)."""
        labels = dict(config["labels"])
        if unannotated is not None:
            labels["unannotated"] = unannotated
        return cls.from_sections(
            config["classes"], labels, config["annotations"], config["images"]["max_pixels"]
        )
