"""Snakemake adapter: summarise the labels per class and per image (streetseg.dataset)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)
from streetseg.io import log_to, warn

log_to(snakemake.log[0])

from streetseg.dataset import write_dataset_summary
from streetseg.splits import read_split

split_of = {
    sample: split
    for split in ("train", "val", "test")
    for sample in read_split(snakemake.input[f"{split}_list"])
}
rows = [
    (sample, split_of[sample], mask, stats)
    for sample, mask, stats in zip(
        snakemake.params.samples, snakemake.input.masks, snakemake.input.stats
    )
]
write_dataset_summary(
    rows, snakemake.params.classes, snakemake.output.summary, snakemake.output.images, warn=warn
)
