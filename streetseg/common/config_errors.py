"""Config mistakes as one line each, all of them at once, before any job.

A JSON-schema validator reports a misspelt key, a wrong type or a value outside an enum with
the whole schema attached (hundreds of lines, the useful one near the top). Here each error
becomes one line that starts with the key's dotted path: an unknown key with the nearest valid
one, an enum with its choices, a type with what was expected. A value that holds a URL keeps
only its scheme, host and path (no query string, no token).
"""

from __future__ import annotations

import difflib
from urllib.parse import urlsplit

import jsonschema
import yaml

TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys",
    "null": "null",
}


def _path(parts) -> str:
    return ".".join(str(part) for part in parts) or "(top level)"


def _yaml_word(value) -> str:
    """A choice as a YAML file writes it: true, false and null in lower case."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    return str(value)


def _shown(value) -> str:
    """A value for a message: short, and a URL without its query string or fragment."""
    if isinstance(value, str) and "://" in value:
        parts = urlsplit(value)
        value = f"{parts.scheme}://{parts.netloc}{parts.path}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _unknown_keys(error, where: list) -> list[str]:
    known = sorted(error.schema.get("properties", {}))
    unknown = sorted(set(error.instance) - set(known))
    lines = []
    for key in unknown:
        path = _path([*where, key])
        near = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        if near:
            lines.append(f"{path}: unknown key; did you mean {_path([*where, near[0]])}?")
        else:
            lines.append(f"{path}: unknown key; the keys here are {', '.join(known)}")
    return lines


def schema_error_lines(error) -> list[str]:
    """One jsonschema error as the lines of :func:`config_errors` (an unknown key each)."""
    return _line(error)


def _line(error) -> list[str]:
    where = list(error.absolute_path)
    path = _path(where)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        return _unknown_keys(error, where)
    if error.validator == "enum":
        choices = ", ".join(_yaml_word(choice) for choice in error.validator_value)
        return [f"{path}: got {_shown(error.instance)}, expected one of {choices}"]
    if error.validator == "type":
        kinds = error.validator_value
        kinds = [kinds] if isinstance(kinds, str) else kinds
        expected = " or ".join(TYPE_WORDS.get(kind, kind) for kind in kinds)
        return [f"{path}: got {_shown(error.instance)}, expected {expected}"]
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }
        return [
            f"{path}: got {_shown(error.instance)}, expected "
            f"{words[error.validator]} {error.validator_value}"
        ]
    if error.validator in ("minItems", "maxItems") and isinstance(error.instance, list):
        bound = "at least" if error.validator == "minItems" else "at most"
        count = len(error.instance)
        return [
            f"{path}: has {count} item{'s' if count != 1 else ''}, expected {bound} "
            f"{error.validator_value}"
        ]
    return [f"{path}: {error.message}"]


def config_errors(config: dict, schema: dict) -> list[str]:
    """Every schema error of ``config`` as one line, sorted by key path (the innermost error
    of an ``anyOf`` or ``oneOf``, where the schema has one)."""
    validator = jsonschema.validators.validator_for(schema)(schema)
    lines, paths = [], set()
    for error in validator.iter_errors(config):
        best = jsonschema.exceptions.best_match([error])
        for line in _line(best):
            # One line per key: a value can break two rules (an enum and a type) at once.
            path = line.split(": ", 1)[0]
            if path not in paths or "unknown key" in line:
                paths.add(path)
                lines.append(line)
    return sorted(set(lines))


class ConfigMistakes(ValueError):
    """The config does not fit the schema; the message lists every mistake, one per line."""

    def __init__(self, lines: list[str]):
        noun = "mistake" if len(lines) == 1 else "mistakes"
        super().__init__(
            f"the config has {len(lines)} {noun} (schemas/config.schema.yaml):\n  "
            + "\n  ".join(lines)
        )


def check_config(config: dict, schema: dict) -> None:
    """Raise :class:`ConfigMistakes` naming every schema error of ``config``, if any."""
    lines = config_errors(config, schema)
    if lines:
        raise ConfigMistakes(lines)


def checked_schema(config: dict, schema_path) -> dict:
    """The schema read from ``schema_path``, once :func:`check_config` found no mistake."""
    with open(schema_path) as handle:
        schema = yaml.safe_load(handle)
    check_config(config, schema)
    return schema
