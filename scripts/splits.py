"""Snakemake adapter: write the train/val/test split lists (streetseg.data.splits)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.data.splits import make_split_lists

for line in make_split_lists(
    snakemake.input.problems,
    snakemake.params.on_bad_sample,
    snakemake.params.samples,
    snakemake.params.split,
    snakemake.params.explicit,
    snakemake.params.groups,
    dict(snakemake.output.items()),
):
    print(line)
