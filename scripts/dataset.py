"""Snakemake adapter: summarise the labels per class and per image (streetseg.data.statistics)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to, say

log_to(snakemake.log[0])

from streetseg.common.problems import read_problems
from streetseg.data.splits import SPLITS, read_split
from streetseg.data.statistics import write_dataset_summary

split_of = {
    sample: split for split in SPLITS for sample in read_split(snakemake.input[f"{split}_list"])
}
write_dataset_summary(
    split_of,
    list(snakemake.input.stats),
    snakemake.params.classes,
    snakemake.output.summary,
    snakemake.output.images,
    warn=say,
    problems=read_problems(snakemake.input.problems),
)
