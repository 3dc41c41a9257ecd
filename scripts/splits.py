"""Snakemake adapter: write the train/val/test split lists (streetseg.splits)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)
from streetseg.io import log_to

log_to(snakemake.log[0])

from streetseg.problems import bad_samples, check_problems, read_problems
from streetseg.splits import assign_splits, write_splits

problems = read_problems(snakemake.input.problems)
check_problems(problems, snakemake.params.on_bad_sample)

split = snakemake.params.split
assignment = assign_splits(
    snakemake.params.samples,
    test_fraction=split["test_fraction"],
    val_fraction=split["val_fraction"],
    seed=split["seed"],
    explicit=snakemake.params.explicit,
)
# Bad samples (on_bad_sample: skip) leave their split without moving any other sample.
skipped = bad_samples(problems)
assignment = {name: [s for s in ids if s not in skipped] for name, ids in assignment.items()}
write_splits(assignment, dict(snakemake.output.items()))
print({name: len(ids) for name, ids in assignment.items()}, f"{len(skipped)} skipped")
