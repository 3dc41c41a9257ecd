"""Helpers shared by the tests: the repository root, writers of annotation files, bad inputs."""

from pathlib import Path

# The repository root: tests run the Snakefile, scripts and tools from here.
REPO = Path(__file__).resolve().parents[2]


def config_with_defaults(**sections) -> dict:
    """A config holding ``sections``, every key left out filled in with the schema's default
    (schemas/config.schema.yaml), as the workflow sees it after validation."""
    import copy

    from snakemake.utils import validate

    config = copy.deepcopy(sections)
    validate(config, str(REPO / "schemas" / "config.schema.yaml"))
    return config
