"""Helpers shared by the tests: the repository root, a config with the schema's defaults and two
small class tables. The modules beside this one hold the rest (see DEVELOPERS.md, Tests)."""

from pathlib import Path

# The repository root: tests run the Snakefile, scripts and tools from here.
REPO = Path(__file__).resolve().parents[2]

# A class table whose background is not id 0, and the same without a background class.
CARS_FIRST = [
    {"id": 0, "name": "car", "color": [0, 0, 255]},
    {"id": 1, "name": "road", "color": [128, 64, 128]},
    {"id": 2, "name": "Background", "color": [0, 0, 0]},
]
NO_BACKGROUND = CARS_FIRST[:2]


def config_with_defaults(**sections) -> dict:
    """A config holding ``sections``, every key left out filled in with the schema's default
    (schemas/config.schema.yaml), as the workflow sees it after validation."""
    # Not to be called from a module with a global named ``workflow``: snakemake's validate
    # takes that for the running Snakemake workflow (so no helper module is named workflow).
    import copy

    from snakemake.utils import validate

    config = copy.deepcopy(sections)
    validate(config, str(REPO / "schemas" / "config.schema.yaml"))
    return config


def load_tool(name: str):
    """The script tools/{name}.py as a module (the tools are scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mask_settings(classes, labels=None, max_pixels=None, fmt=None, **annotations):
    """The MaskSettings of a config with these ``classes`` (not validated, so that tests may
    pass tables the schema refuses), ``labels`` and ``annotations`` keys (format,
    size_mismatch, labelbox_legacy_origin) and images.max_pixels; the schema's defaults for
    the rest. ``fmt`` sets the format unvalidated (to test names the schema refuses)."""
    import dataclasses

    from streetseg.labels.settings import MaskSettings

    sections = {"labels": labels or {}, "annotations": annotations}
    if max_pixels is not None:
        sections["images"] = {"max_pixels": max_pixels}
    config = config_with_defaults(**sections)
    config["classes"] = classes
    settings = MaskSettings.from_config(config)
    return settings if fmt is None else dataclasses.replace(settings, format=fmt)


def segment_settings(classes, infer: bool = False, **overrides):
    """The SegmentSettings of predict (or ``infer``) from a config with these ``classes``
    (not validated) and the schema's defaults, with ``overrides`` (batch_size, tta, pictures,
    max_pixels) applied."""
    import dataclasses

    from streetseg.inference.settings import SegmentSettings

    config = config_with_defaults()
    config["classes"] = classes
    settings = SegmentSettings.for_infer(config) if infer else SegmentSettings.for_predict(config)
    return dataclasses.replace(settings, **overrides)
