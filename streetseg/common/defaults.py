"""The config defaults, read from the one place that holds them: schemas/config.schema.yaml.

Library functions called outside the workflow (tests, benches, notebooks) keep optional
arguments for convenience; where such an argument is a config key, its default comes from
here, so the schema stays the only place a default is written (tests/test_defaults.py fails
on a literal default of a parameter named like a schema key).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "config.schema.yaml"


@lru_cache(maxsize=1)
def _schema() -> dict:
    with open(SCHEMA, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _node(key: str) -> dict:
    node = _schema()
    for part in key.split("."):
        try:
            node = node["properties"][part]
        except KeyError:
            raise KeyError(f"{key}: not a key of {SCHEMA}") from None
    return node


def default(key: str):
    """The schema's default of the dotted config ``key`` (e.g. ``images.max_pixels``)."""
    node = _node(key)
    if "default" not in node:
        raise KeyError(f"{key}: {SCHEMA} gives it no default")
    return node["default"]


def defaults(section: str) -> dict:
    """The schema's default of every key directly under the dotted ``section`` that has one
    (e.g. ``train.model``: depth, base_filters, ...)."""
    properties = _node(section).get("properties", {})
    return {name: node["default"] for name, node in properties.items() if "default" in node}
