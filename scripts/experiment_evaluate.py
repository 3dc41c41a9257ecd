"""Snakemake adapter: predict and score the test split with one experiment's model
(streetseg.evaluation.experiments)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.common.problems import describe, read_problems
from streetseg.evaluation.experiments import score_experiment
from streetseg.inference.settings import PredictChunk, SegmentSettings

settings = SegmentSettings(**snakemake.params.segment)
chunk = PredictChunk(
    snakemake.params.samples,
    snakemake.params.images,
    snakemake.params.truth,
    snakemake.output.predictions,
)
summary = score_experiment(
    snakemake.input.model,
    chunk,
    {name: snakemake.output[name] for name in ("per_class", "summary", "confusion", "per_image")},
    settings,
    # Samples with problems (on_bad_sample: skip) are not scored.
    known_bad={
        problem.sample: describe(problem) for problem in read_problems(snakemake.input.problems)
    },
)
print(summary.to_string(index=False))
