"""Snakemake adapter: pack one split into TFRecord shards (streetseg.tfrecords)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)
from streetseg.io import log_to

log_to(snakemake.log[0])

from streetseg.splits import read_split
from streetseg.tfrecords import write_shards

sample_ids = read_split(snakemake.input.split_list)
if len(sample_ids) != len(snakemake.input.masks):
    raise ValueError(
        f"{snakemake.input.split_list} lists {len(sample_ids)} samples but the workflow passed "
        f"{len(snakemake.input.masks)} masks; rerun the splits rule"
    )
pairs = dict(zip(sample_ids, zip(snakemake.input.images, snakemake.input.masks)))
write_shards(pairs, list(snakemake.output.shards), max_pixels=snakemake.params.max_pixels)
