"""Snakemake adapter: pack one split into TFRecord shards (streetseg.data.shards)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.data.shards import write_split_shards

write_split_shards(
    snakemake.input.split_list,
    snakemake.input.images,
    snakemake.input.masks,
    snakemake.output.shards,
    snakemake.params.max_pixels,
)
