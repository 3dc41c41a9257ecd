"""Snakemake adapter: read one multi-image export into one slice per mask chunk
(streetseg.labels.slicing)."""

import os

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to, say

log_to(snakemake.log[0])

from streetseg.labels.slicing import read_members, slice_export


def chunk_of(path):
    return os.path.basename(path).split(".")[0]


slice_export(
    snakemake.params.export,
    read_members(snakemake.input.members, snakemake.params.export),
    {chunk_of(path): path for path in snakemake.output.slices},
    {chunk_of(path): path for path in snakemake.output.digests},
    snakemake.params.format,
    progress=say,
)
