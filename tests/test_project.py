"""Project hygiene: pinned envs agree with requirements, config keys are documented."""

import re
from pathlib import Path

import yaml
from snakemake.utils import validate

from streetseg.labels.masks import MaskChunk
from tests.helpers import REPO, mask_settings


def _requirements() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.split("[")[0].lower()] = version
    return pins


def _env_pins(path: Path) -> dict[str, str]:
    pins = {}
    env = yaml.safe_load(path.read_text())
    for dependency in env["dependencies"]:
        entries = dependency["pip"] if isinstance(dependency, dict) else [dependency]
        for entry in entries:
            match = re.match(r"^([A-Za-z0-9_.\-\[\]]+?)(?:\[.*\])?\s*==?\s*([\w.]+)$", entry)
            if match:
                pins[match.group(1).lower()] = match.group(2)
    return pins


def test_every_conda_env_pins_the_same_versions_as_requirements():
    required = _requirements()
    # The CPU wheel in requirements and the GPU-capable one in the env share one version.
    required["tensorflow"] = required.pop("tensorflow-cpu")
    envs = sorted((REPO / "envs").glob("*.yaml"))
    assert envs, "no conda environments"
    for env in envs:
        pins = _env_pins(env)
        assert pins, f"{env.name} pins nothing"
        for name, version in pins.items():
            if name == "python":
                assert version == "3.11", f"{env.name}: python {version}"
                continue
            assert name in required, f"{env.name}: {name} is not in requirements.txt"
            assert version == required[name], (
                f"{env.name}: {name}={version}, requirements say {required[name]}"
            )


def test_every_rule_names_a_conda_env_that_exists():
    for rule_file in (REPO / "rules").glob("*.smk"):
        for env in re.findall(r'"\.\./(envs/[\w.]+\.yaml)"', rule_file.read_text()):
            assert (REPO / env).is_file(), f"{rule_file.name} names missing {env}"


def test_every_config_key_has_a_comment_above_it():
    lines = (REPO / "config" / "config.yaml").read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^\s*[A-Za-z_]+:", line):
            previous = lines[number - 1].strip() if number else ""
            assert previous.startswith("#"), (
                f"config.yaml line {number + 1}: {line.strip()!r} has no comment above it"
            )


def test_default_config_is_valid_against_the_schema():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    validate(config, str(REPO / "schemas" / "config.schema.yaml"))


def test_no_source_file_is_over_about_300_lines():
    for path in (
        list(REPO.glob("streetseg/**/*.py"))
        + list(REPO.glob("rules/*.smk"))
        + list(REPO.glob("scripts/*.py"))
        + list(REPO.glob("tests/**/*.py"))
        + list(REPO.glob("bench/*.py"))
        + list(REPO.glob("tools/*.py"))
    ):
        assert len(path.read_text().splitlines()) <= 320, f"{path} is too long"


def test_bench_formats_writes_files_that_every_reader_reads_alike(tmp_path, monkeypatch):
    """bench/formats.py's files of two scenes: each format gives the VOC masks, no problems."""
    import importlib.util

    from streetseg.labels.masks import make_masks
    from tests.helpers.format_writers import write_scene_photo
    from tests.helpers.writers_labelstudio import inside

    monkeypatch.syspath_prepend(str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location("bench_formats", REPO / "bench" / "formats.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    scenes = {}
    for index in range(2):
        name, width, height, objects = write_scene_photo(tmp_path, f"s{index}", 3, index, 48, 32)
        scenes[f"s{index}"] = (name, width, height, inside(objects, width, height))
    classes = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["classes"]
    bench.write_every_format(tmp_path, scenes, [entry["name"] for entry in classes])
    pixels = {}
    for fmt, file in bench.FILES.items():
        stats, problems = make_masks(
            MaskChunk(
                list(scenes),
                [str(tmp_path / file.format(sample)) for sample in scenes],
                [str(tmp_path / f"{sample}.png") for sample in scenes],
                [str(tmp_path / fmt / f"{sample}.png") for sample in scenes],
                tmp_path / fmt / "stats.tsv",
            ),
            mask_settings(classes),
            log=lambda *_: None,
        )
        assert not problems and list(stats["format"]) == [fmt, fmt], fmt
        pixels[fmt] = stats.filter(like="pixels_").to_numpy().tolist()
    assert all(counts == pixels["labelbox_voc"] for counts in pixels.values()), pixels


def test_the_format_lists_of_the_schema_and_config_name_every_reader():
    import re

    from streetseg.labels.formats.registry import names

    FORMATS = names()

    schema = yaml.safe_load((REPO / "schemas" / "config.schema.yaml").read_text())
    enum = schema["properties"]["annotations"]["properties"]["format"]["enum"]
    assert enum == ["auto", *FORMATS]
    text = (REPO / "config" / "config.yaml").read_text()
    comment = text[text.index("annotations:\n") : text.index("  format: auto")]
    assert set(re.findall(r"\b[a-z]+_[a-z_]+\b", comment)) == set(FORMATS)
