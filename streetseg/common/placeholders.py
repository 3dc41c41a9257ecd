"""Settings of the cluster and cloud profiles that would fail at the first job: placeholders
never filled in, and S3 storage without credentials.

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


def s3_credentials_line(storage_settings, provider_settings, find_credentials=None):
    """A line saying that S3 storage is in use without credentials, or None: the S3 plugin's
    own access key (--storage-s3-access-key or SNAKEMAKE_STORAGE_S3_ACCESS_KEY) or boto3's
    chain (environment, AWS profile, instance role) must give some. Without them Snakemake
    ends in a stack of several thousand lines."""
    if getattr(storage_settings, "default_storage_provider", None) != "s3":
        return None
    tagged = (provider_settings or {}).get("s3")
    settings = tagged.get_settings() if hasattr(tagged, "get_settings") else tagged
    if getattr(settings, "access_key", None) and getattr(settings, "secret_key", None):
        return None
    if find_credentials is None:
        import boto3

        def find_credentials():
            return boto3.Session().get_credentials()

    if find_credentials() is not None:
        return None
    return (
        "S3 storage (--default-storage-provider s3) has no credentials: set "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an AWS profile (AWS_PROFILE, "
        "~/.aws/credentials), or --storage-s3-access-key and --storage-s3-secret-key"
    )


def check_profile(workflow, find_credentials=None) -> None:
    """Raise :class:`PlaceholderError` when the profile in use left a placeholder or asks for
    S3 storage without credentials (``workflow``: Snakemake's, with its resource, storage and
    storage provider settings)."""
    resources = getattr(workflow, "resource_settings", None)
    storage = getattr(workflow, "storage_settings", None)
    lines = placeholder_lines(
        getattr(resources, "default_resources", None),
        getattr(resources, "overwrite_resources", None),
        getattr(storage, "default_storage_prefix", None),
    )
    if lines:
        raise PlaceholderError(
            "the profile still holds placeholders; fill in your cluster's values "
            "(docs/cluster.md):\n  " + "\n  ".join(lines)
        )
    providers = getattr(workflow, "storage_provider_settings", None)
    line = s3_credentials_line(storage, providers, find_credentials)
    if line:
        raise PlaceholderError(line)
