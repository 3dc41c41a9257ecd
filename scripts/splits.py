"""Snakemake adapter: write the train/val/test split lists (streetseg.data.splits)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.common.problems import bad_samples, check_problems, read_problems
from streetseg.data.splits import assign_splits, spanning_groups, write_splits

problems = read_problems(snakemake.input.problems)
check_problems(problems, snakemake.params.on_bad_sample)

split = snakemake.params.split
assignment = assign_splits(
    snakemake.params.samples,
    test_fraction=split["test_fraction"],
    val_fraction=split["val_fraction"],
    seed=split["seed"],
    explicit=snakemake.params.explicit,
    groups=snakemake.params.groups,
)
# Bad samples (on_bad_sample: skip) leave their split without moving any other sample.
skipped = bad_samples(problems)
assignment = {name: [s for s in ids if s not in skipped] for name, ids in assignment.items()}
write_splits(assignment, dict(snakemake.output.items()))
print({name: len(ids) for name, ids in assignment.items()}, f"{len(skipped)} skipped")
print(f"{len(set(snakemake.params.groups.values()))} groups (split.group: {split['group']!r})")
# Only explicit splits (the sheet's split column, a folders entry's split) can do this.
spanning = spanning_groups(assignment, snakemake.params.groups)
for group, splits in list(spanning.items())[:20]:
    print(f"group {group!r} spans {splits} because of explicit splits")
if len(spanning) > 20:
    print(f"... and {len(spanning) - 20} more groups that span two splits")
