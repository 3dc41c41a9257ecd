"""Snakemake adapter: rasterise one chunk of annotation files into masks
(streetseg.labels.masks)."""

import os

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to, say

log_to(snakemake.log[0])

from streetseg.labels.masks import MaskChunk, make_masks
from streetseg.labels.settings import MaskSettings

settings = MaskSettings.from_sections(
    snakemake.params.classes,
    snakemake.params.labels,
    snakemake.params.annotations,
    snakemake.params.max_pixels,
)
chunk = MaskChunk(
    # The sample ids are the mask file names (a params list would be copied into Snakemake's
    # metadata record of every output file).
    [os.path.basename(path)[: -len(".png")] for path in snakemake.output.masks],
    list(snakemake.input.annotations),
    list(snakemake.input.images),
    list(snakemake.output.masks),
    snakemake.output.stats,
    snakemake.output.problems,
)
make_masks(chunk, settings, progress=say)
