"""Experiments as overrides of the config: merging them and checking the result.

An experiment names keys under ``train`` and ``predict`` (the model's keys are under
``train.model``); every other key is shared with the base config, so all experiments train
on the same masks, splits and shards.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

import yaml

from streetseg.common.config_errors import schema_error_lines

# The config sections an experiment may override; the rest is the data, shared by all.
OVERRIDABLE = ("train", "predict")


def merge_overrides(base: dict, overrides: dict) -> dict:
    """``overrides`` merged into a copy of ``base``, nested mappings key by key, as Snakemake
    merges --configfile layers; a list or a scalar replaces the base value whole."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_overrides(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def describe_overrides(overrides: dict, prefix: str = "") -> str:
    """The overrides as ``key.path=value`` pairs joined by "; " ("" for none), in the order
    given: ``{"train": {"model": {"depth": 3}}}`` gives ``train.model.depth=3``."""
    pairs = []
    for key, value in overrides.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            pairs.append(describe_overrides(value, f"{path}."))
        else:
            # YAML's flow style, as the value would be written in the config.
            text = yaml.safe_dump(value, default_flow_style=True, width=1000)
            pairs.append(f"{path}={text.removesuffix(chr(10)).removesuffix('...').strip()}")
    return "; ".join(pair for pair in pairs if pair)


def experiment_configs(
    config: dict, validate: Callable[[dict], None], safe_name: re.Pattern
) -> dict[str, dict]:
    """Each experiment's whole config: the base ``config`` (validated, with its defaults) with
    the experiment's overrides merged in and the experiments section left out.

    Names must match ``safe_name``, since they become folder names. ``validate`` checks a
    merged config (the workflow passes the config schema's check) and raises with the
    reason. Raises ValueError naming every experiment at fault, all in one message.
    """
    base = {key: value for key, value in config.items() if key != "experiments"}
    merged, problems = {}, []
    for name, overrides in (config.get("experiments") or {}).items():
        overrides = overrides or {}
        if not safe_name.match(str(name)):
            problems.append(
                f"experiments.{name}: not a safe folder name (letters, digits, '.', '_', '-'; "
                "starting with a letter or digit)"
            )
            continue
        outside = [key for key in overrides if key not in OVERRIDABLE]
        if outside:
            problems.append(
                f"experiments.{name}: {', '.join(outside)} cannot differ between experiments "
                f"(they share masks, splits and shards); override keys under "
                f"{' and '.join(OVERRIDABLE)} only"
            )
            continue
        variant = merge_overrides(base, overrides)
        try:
            validate(variant)
        except Exception as error:  # noqa: BLE001  (the validator's own error kinds vary)
            problems.append(f"experiments.{name}: {_reason(error)}")
            continue
        merged[name] = variant
    if problems:
        raise ValueError("config: bad experiments:\n  " + "\n  ".join(problems))
    return merged


def _reason(error: Exception) -> str:
    """A schema error as "key.path: message"; Snakemake's validate wraps jsonschema's error,
    whose path and message it keeps as the exception's context."""
    for candidate in (error, error.__cause__, error.__context__):
        if candidate is not None and hasattr(candidate, "absolute_path"):
            return "; ".join(schema_error_lines(candidate))
    return str(error).strip()


def training_sources(experiments: dict[str, dict]) -> dict[str, str]:
    """Experiment name -> the experiment whose model it scores: the first (in config order)
    with the same merged ``train`` section. Variants that differ only under ``predict`` (e.g.
    ``predict.tta``) so share one training job instead of each training the same model."""
    sources: dict[str, str] = {}
    for name, variant in experiments.items():
        sources[name] = next(
            (other for other in sources if experiments[other]["train"] == variant["train"]),
            name,
        )
    return sources
