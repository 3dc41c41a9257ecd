"""Snakemake adapter: score the test predictions (streetseg.evaluation.evaluate)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to, say

log_to(snakemake.log[0])

from streetseg.common.problems import bad_samples, read_problems
from streetseg.evaluation.evaluate import test_report, write_evaluation

# Test samples with problems (on_bad_sample: skip) are predicted but not scored.
skipped = bad_samples(read_problems(snakemake.input.problems))
scored = [
    (sample, truth, prediction)
    for sample, truth, prediction in zip(
        snakemake.params.samples, snakemake.input.truth, snakemake.input.predictions
    )
    if sample not in skipped
]
summary = write_evaluation(
    [(truth, prediction) for _, truth, prediction in scored],
    snakemake.params.classes,
    snakemake.output.per_class,
    snakemake.output.summary,
    snakemake.output.confusion,
    snakemake.output.per_image,
    sample_ids=[sample for sample, _, _ in scored],
)
say(test_report(snakemake.output.per_class, summary))
