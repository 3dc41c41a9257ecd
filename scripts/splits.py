"""Snakemake adapter: write the train/val/test split lists (streetseg.splits)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)
from streetseg.io import log_to

log_to(snakemake.log[0])

from streetseg.splits import assign_splits, write_splits

split = snakemake.params.split
assignment = assign_splits(
    snakemake.params.samples,
    test_fraction=split["test_fraction"],
    val_fraction=split["val_fraction"],
    seed=split["seed"],
    explicit=snakemake.params.explicit,
)
write_splits(assignment, dict(snakemake.output.items()))
print({name: len(ids) for name, ids in assignment.items()})
