"""How a model segments photos: the settings predict, infer and the experiments share, read
once from the validated config.

``batch_size`` is ``predict.batch_size`` or ``infer.batch_size``; ``tta`` is
``predict.tta`` for both (test scores describe what infer does); ``pictures`` means panels
and overlays for predict (always, bar the experiments, which write masks only) and
``infer.overlays`` for infer. schemas/config.schema.yaml holds every default; nothing here
restates one. ``chunk_size`` keys are the rules' (how many photos a job takes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SegmentSettings:
    """``classes``, a batch size, ``predict.tta``, whether to draw pictures, and
    ``images.max_pixels``."""

    classes: list = field(hash=False)
    batch_size: int
    tta: str
    pictures: bool
    max_pixels: int

    @classmethod
    def for_predict(cls, config: dict, pictures: bool = True) -> SegmentSettings:
        """The predict stage's settings (``pictures``: panels and overlays)."""
        return cls(**segment_fields(config, "predict", pictures))

    @classmethod
    def for_infer(cls, config: dict) -> SegmentSettings:
        """The infer stage's settings."""
        return cls(**segment_fields(config, "infer"))


def segment_fields(config: dict, stage: str, pictures: bool = True) -> dict:
    """The :class:`SegmentSettings` fields of a validated config for ``stage`` ("predict" or
    "infer"): plain values, as the rules pass them to their jobs as one param (a changed one
    reruns the jobs). infer draws ``infer.overlays``; predict ``pictures``."""
    section = config[stage]
    return {
        "classes": config["classes"],
        "batch_size": section["batch_size"],
        "tta": config["predict"]["tta"],
        "pictures": section["overlays"] if stage == "infer" else pictures,
        "max_pixels": config["images"]["max_pixels"],
    }


@dataclass(frozen=True)
class PredictChunk:
    """The files of one predict job: parallel lists of sample ids, photos and truth masks
    (for the panels), and the folder the predictions go to."""

    samples: list
    images: list
    truths: list
    out_dir: str | Path

    def __post_init__(self):
        if not len(self.samples) == len(self.images) == len(self.truths):
            raise ValueError("a predict chunk needs one image and one truth mask per sample")
