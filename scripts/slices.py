"""Snakemake adapter: read one multi-image export into one slice per mask chunk
(streetseg.labels.slicing)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to, say

log_to(snakemake.log[0])

from streetseg.labels.slicing import by_chunk, read_members, slice_export

slice_export(
    snakemake.params.export,
    read_members(snakemake.input.members, snakemake.params.export),
    by_chunk(snakemake.output.slices),
    by_chunk(snakemake.output.digests),
    snakemake.params.format,
    progress=say,
)
