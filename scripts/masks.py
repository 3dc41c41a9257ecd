"""Snakemake adapter: rasterise one annotation file into a mask (streetseg.masks)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)
from streetseg.io import log_to

log_to(snakemake.log[0])

from streetseg.masks import make_mask

make_mask(
    snakemake.input.annotation,
    snakemake.input.image,
    snakemake.output.mask,
    classes=snakemake.params.classes,
    labels=snakemake.params.labels,
    fmt=snakemake.params.annotations["format"],
    size_mismatch=snakemake.params.annotations["size_mismatch"],
    max_pixels=snakemake.params.max_pixels,
    stats_path=snakemake.output.stats,
)
