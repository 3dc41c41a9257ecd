"""Snakemake adapter: rasterise one annotation file into a mask (streetseg.masks)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)
from streetseg.io import log_to

log_to(snakemake.log[0])

from streetseg.masks import make_mask

labels = snakemake.params.labels
make_mask(
    snakemake.input.annotation,
    snakemake.input.image,
    snakemake.output.mask,
    classes=snakemake.params.classes,
    aliases=labels["aliases"],
    ignore=labels["ignore"],
    unknown=labels["unknown"],
    max_pixels=snakemake.params.max_pixels,
)
