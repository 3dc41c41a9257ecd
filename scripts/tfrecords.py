"""Snakemake adapter: pack one split into TFRecord shards (streetseg.data.shards)."""

import os

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.data.shards import write_shards
from streetseg.data.splits import read_split

# The split list holds the samples that passed the dataset check (on_bad_sample: skip leaves
# the bad ones out); the images and masks are those of the whole split, named by sample.
sample_ids = read_split(snakemake.input.split_list)
given = {
    os.path.basename(mask)[: -len(".png")]: (image, mask)
    for image, mask in zip(snakemake.input.images, snakemake.input.masks)
}
unknown = [sample for sample in sample_ids if sample not in given]
if unknown:
    raise ValueError(
        f"{snakemake.input.split_list} lists {len(unknown)} sample(s) the workflow passed no mask "
        f"for (e.g. {unknown[0]}); rerun the splits rule"
    )
pairs = {sample: given[sample] for sample in sample_ids}
write_shards(pairs, list(snakemake.output.shards), max_pixels=snakemake.params.max_pixels)
