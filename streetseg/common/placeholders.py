"""Placeholders of the cluster and cloud profiles that were never filled in.

profiles/slurm, profiles/kubernetes and profiles/googlebatch hold values such as
``YOUR_PARTITION`` for the user to replace. A dry run would pass with them and the first
submission fail (or, worse, queue on a partition named after the placeholder), so the
workflow names each one before any job.
"""

from __future__ import annotations

MARK = "YOUR_"


class PlaceholderError(ValueError):
    """Profile settings still hold placeholders; one line each."""


def _raw(resource):
    """The value a resource was given, as written (Snakemake keeps it as ``raw``)."""
    return getattr(resource, "raw", resource)


def placeholder_lines(default_resources, set_resources, storage_prefix=None) -> list[str]:
    """One line per setting that still holds a ``YOUR_...`` placeholder: ``default_resources``
    (name -> resource), ``set_resources`` (rule -> name -> resource) and the default storage
    prefix."""
    lines = []
    for name, resource in (default_resources or {}).items():
        value = _raw(resource)
        if isinstance(value, str) and MARK in value:
            lines.append(f"default-resources: {name} is still {value!r}")
    for rule, resources in (set_resources or {}).items():
        for name, resource in resources.items():
            value = _raw(resource)
            if isinstance(value, str) and MARK in value:
                lines.append(f"set-resources: {rule}: {name} is still {value!r}")
    if isinstance(storage_prefix, str) and MARK in storage_prefix:
        lines.append(f"default-storage-prefix is still {storage_prefix!r}")
    return lines


def check_profile(resource_settings, storage_settings=None) -> None:
    """Raise :class:`PlaceholderError` when the profile in use left a placeholder."""
    lines = placeholder_lines(
        getattr(resource_settings, "default_resources", None),
        getattr(resource_settings, "overwrite_resources", None),
        getattr(storage_settings, "default_storage_prefix", None),
    )
    if lines:
        raise PlaceholderError(
            "the profile still holds placeholders; fill in your cluster's values "
            "(docs/cluster.md):\n  " + "\n  ".join(lines)
        )
