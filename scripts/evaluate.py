"""Snakemake adapter: score the test predictions (streetseg.evaluate)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)
from streetseg.io import log_to

log_to(snakemake.log[0])

from streetseg.evaluate import write_evaluation

summary = write_evaluation(
    list(zip(snakemake.input.truth, snakemake.input.predictions)),
    snakemake.params.classes,
    snakemake.output.per_class,
    snakemake.output.summary,
    snakemake.output.confusion,
    snakemake.output.per_image,
    sample_ids=snakemake.params.samples,
)
print(summary.to_string(index=False))
