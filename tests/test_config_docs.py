"""One source for the config's documentation: schemas/config.schema.yaml describes every key
and holds its default, docs/configuration.md is generated from it (tools/config_docs.py), and
the config files under config/ set only keys it knows, without contradicting its defaults."""

import copy
import re

import pytest
import yaml

from tests.helpers import REPO, load_tool

CONFIG_DIR = REPO / "config"
DEFAULT_CONFIG = CONFIG_DIR / "config.yaml"
CONFIG_FILES = sorted(CONFIG_DIR.rglob("*.yaml"))

# Schema keys that config/config.yaml may leave out. Prefer adding a key there, with a
# comment, to listing it here.
ALLOWED_MISSING = {
    # The keys of one data.folders entry: the demo lists no folders (`folders: []`), and an
    # example entry would switch it to them. config/examples/camvid.yaml shows them in use.
    "data.folders[].images",
    "data.folders[].annotations",
    "data.folders[].split",
}

# "(default 40)" or "(default: 40)" in a comment.
DEFAULT_NOTE = re.compile(r"\(default:?\s+([^)]+)\)")


config_docs = load_tool("config_docs")
SCHEMA = config_docs.load_schema()


def schema_keys(node, prefix: str = "", found: dict | None = None) -> dict:
    """Dotted name -> schema of every named key, found by visiting the whole schema (not
    with the tool's own walk): keys of sections, and keys of list entries as ``list[].key``."""
    found = {} if found is None else found
    if isinstance(node, list):
        for entry in node:
            schema_keys(entry, prefix, found)
    elif isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            dotted = f"{prefix}.{name}" if prefix else name
            found[dotted] = sub
            schema_keys(sub, dotted, found)
        for word, value in node.items():
            if word not in ("properties", "default", "enum"):
                schema_keys(value, f"{prefix}[]" if word == "items" else prefix, found)
    return found


SCHEMA_KEYS = schema_keys(SCHEMA)


def set_keys(data: dict, schema: dict, prefix: str = ""):
    """Dotted names of the keys a config sets; the entries of a free mapping (aliases,
    index_map) are its values, not keys."""
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        yield dotted
        sub = schema.get("properties", {}).get(key, {})
        if isinstance(value, dict) and "properties" in sub:
            yield from set_keys(value, sub, dotted)
        items = sub.get("items", {})
        if isinstance(value, list) and "properties" in items:
            for entry in value:
                if isinstance(entry, dict):
                    yield from set_keys(entry, items, f"{dotted}[]")


def key_lines(node, prefix: str = ""):
    """(dotted name, line index, whether in a flow mapping) of every key of a composed YAML
    document."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            dotted = f"{prefix}.{key.value}" if prefix else str(key.value)
            yield dotted, key.start_mark.line, bool(node.flow_style)
            yield from key_lines(value, dotted)
    elif isinstance(node, yaml.SequenceNode):
        for entry in node.value:
            yield from key_lines(entry, f"{prefix}[]")


def wrong_default_notes(text: str, known: dict) -> list[str]:
    """Every "(default X)" in the comments above a key (or after it on its line) whose X is
    not the schema's default of that key."""
    lines, wrong = text.splitlines(), []
    for dotted, line, _ in key_lines(yaml.compose(text)):
        comments = [lines[line].partition(" #")[2]]
        above = line - 1
        while above >= 0 and lines[above].strip().startswith("#"):
            comments.append(lines[above])
            above -= 1
        for match in DEFAULT_NOTE.finditer("\n".join(comments)):
            noted = match.group(1).strip()
            if dotted not in known or "default" not in known[dotted]:
                wrong.append(f"{dotted}: the comment names a default ({noted}), the schema none")
            elif yaml.safe_load(noted) != known[dotted]["default"]:
                wrong.append(
                    f"{dotted}: the comment says default {noted}, the schema "
                    f"{known[dotted]['default']!r} (line {line + 1})"
                )
    return wrong


def test_the_docs_are_generated_from_the_schema():
    committed = (REPO / "docs" / "configuration.md").read_text().splitlines()
    generated = config_docs.render().splitlines()
    if committed != generated:
        first = next(
            (n for n, (a, b) in enumerate(zip(committed, generated)) if a != b),
            min(len(committed), len(generated)),
        )
        pytest.fail(
            "docs/configuration.md is stale (it differs from the schema or the template from "
            f"line {first + 1}): run python tools/config_docs.py"
        )


def test_the_check_option_fails_on_stale_docs(tmp_path, monkeypatch, capsys):
    output = tmp_path / "configuration.md"
    monkeypatch.setattr(config_docs, "OUTPUT", output)
    assert config_docs.main(["--check"]) == 1
    output.write_text("# Configuration\n\nsomething old\n")
    assert config_docs.main(["--check"]) == 1
    assert "run python tools/config_docs.py" in capsys.readouterr().err
    assert config_docs.main([]) == 0
    assert config_docs.main(["--check"]) == 0


def test_every_schema_key_has_a_description():
    assert len(SCHEMA_KEYS) > 50
    missing = [
        dotted
        for dotted, sub in SCHEMA_KEYS.items()
        if not isinstance(sub.get("description"), str) or not sub["description"].strip()
    ]
    assert not missing, f"schemas/config.schema.yaml: keys without a description: {missing}"


def test_the_docs_have_one_row_for_every_schema_key():
    text = config_docs.render()
    # A top-level section of named keys (data, train, ...) is a heading over their rows.
    sections = {key for key in SCHEMA["properties"] if "properties" in SCHEMA_KEYS[key]}
    headings = re.findall(r"^### `([^`]+)`$", text, flags=re.MULTILINE)
    rows = re.findall(r"^\| `([^`]+)` \|", text, flags=re.MULTILINE)
    assert headings == list(SCHEMA["properties"])
    assert sorted(rows) == sorted(set(SCHEMA_KEYS) - sections), "docs rows and schema keys differ"


def test_the_default_config_sets_only_schema_keys_and_every_one_with_a_comment():
    text = DEFAULT_CONFIG.read_text()
    config = yaml.safe_load(text)
    given = set(set_keys(config, SCHEMA))
    unknown = sorted(given - set(SCHEMA_KEYS))
    assert not unknown, f"config/config.yaml sets keys the schema does not know: {unknown}"
    lines = text.splitlines()
    for dotted, line, flow in key_lines(yaml.compose(text)):
        if dotted in SCHEMA_KEYS and not flow:
            above = lines[line - 1].strip() if line else ""
            assert above.startswith("#") and above.strip("# "), (
                f"config/config.yaml line {line + 1}: {dotted} has no comment line above it"
            )


def test_the_default_config_leaves_out_only_allowed_keys():
    given = set(set_keys(yaml.safe_load(DEFAULT_CONFIG.read_text()), SCHEMA))
    missing = sorted(set(SCHEMA_KEYS) - given - ALLOWED_MISSING)
    assert not missing, (
        f"config/config.yaml leaves out {missing}: add each with a comment above it (or, "
        "with a reason, to ALLOWED_MISSING in this test)"
    )
    assert not ALLOWED_MISSING - set(SCHEMA_KEYS), "ALLOWED_MISSING names keys the schema lacks"
    assert not ALLOWED_MISSING & given, "config/config.yaml now sets keys of ALLOWED_MISSING"


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: str(p.relative_to(CONFIG_DIR)))
def test_every_config_file_sets_only_schema_keys(path):
    from snakemake.utils import validate

    config = yaml.safe_load(path.read_text()) or {}
    unknown = sorted(set(set_keys(config, SCHEMA)) - set(SCHEMA_KEYS))
    assert not unknown, f"{path.relative_to(REPO)} sets keys the schema does not know: {unknown}"
    # Alone, laid over the defaults, it is a valid config.
    validate(copy.deepcopy(config), str(REPO / "schemas" / "config.schema.yaml"))


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: str(p.relative_to(CONFIG_DIR)))
def test_no_config_comment_contradicts_a_schema_default(path):
    assert not wrong_default_notes(path.read_text(), SCHEMA_KEYS)


def test_a_comment_with_a_wrong_default_is_found():
    text = "train:\n  # Passes over the train split (default 40).\n  epochs: 60\n"
    assert wrong_default_notes(text, SCHEMA_KEYS) == [
        "train.epochs: the comment says default 40, the schema 60 (line 3)"
    ]
    right = "train:\n  # Passes over the train split (default: 60).\n  epochs: 5\n"
    assert wrong_default_notes(right, SCHEMA_KEYS) == []
    inline = "split:\n  # Seed.\n  seed: 42  # (default 7)\n"
    assert len(wrong_default_notes(inline, SCHEMA_KEYS)) == 1


def _class_rows(classes) -> list[dict]:
    return [
        {"id": int(c["id"]), "name": str(c["name"]), "color": [int(v) for v in c["color"]]}
        for c in classes
    ]


def test_the_classes_default_is_the_demo_class_table():
    from streetseg.labels.classes import DEMO_CLASSES

    assert _class_rows(SCHEMA["properties"]["classes"]["default"]) == _class_rows(DEMO_CLASSES)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    assert _class_rows(config["classes"]) == _class_rows(DEMO_CLASSES)
