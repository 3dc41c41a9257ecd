"""Snakemake adapter: rasterise one chunk of annotation files into masks
(streetseg.labels.masks)."""

import os

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to, say

log_to(snakemake.log[0])

from streetseg.labels.masks import make_masks

make_masks(
    # The sample ids are the mask file names (a params list would be copied into Snakemake's
    # metadata record of every output file).
    [os.path.basename(path)[: -len(".png")] for path in snakemake.output.masks],
    list(snakemake.input.annotations),
    list(snakemake.input.images),
    list(snakemake.output.masks),
    snakemake.output.stats,
    classes=snakemake.params.classes,
    labels=snakemake.params.labels,
    fmt=snakemake.params.annotations["format"],
    size_mismatch=snakemake.params.annotations["size_mismatch"],
    max_pixels=snakemake.params.max_pixels,
    progress=say,
    problems_path=snakemake.output.problems,
    legacy_origin=snakemake.params.annotations["labelbox_legacy_origin"],
)
