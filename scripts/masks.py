"""Snakemake adapter: rasterise one chunk of annotation files into masks (streetseg.masks)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)
from streetseg.io import log_to

log_to(snakemake.log[0])

from streetseg.masks import make_masks

make_masks(
    list(snakemake.params.samples),
    list(snakemake.input.annotations),
    list(snakemake.input.images),
    list(snakemake.output.masks),
    snakemake.output.stats,
    classes=snakemake.params.classes,
    labels=snakemake.params.labels,
    fmt=snakemake.params.annotations["format"],
    size_mismatch=snakemake.params.annotations["size_mismatch"],
    max_pixels=snakemake.params.max_pixels,
)
