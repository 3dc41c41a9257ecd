"""Snakemake adapter: write which images each slice of an export holds
(streetseg.labels.slicing)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.labels.slicing import write_members

write_members(snakemake.params.rows, snakemake.output[0])
