"""Snakemake adapter: predict masks, panels and overlays for one chunk of the test split
(streetseg.inference.predict)."""

import os

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.common.problems import describe, read_problems
from streetseg.inference.predict import predict_samples
from streetseg.inference.settings import PredictChunk, SegmentSettings

# Samples with problems (on_bad_sample: skip): their unreadable photos do not fail the job.
known_bad = {
    problem.sample: describe(problem) for problem in read_problems(snakemake.input.problems)
}

settings = SegmentSettings(**snakemake.params.segment)
chunk = PredictChunk(
    # The sample ids are the mask file names (a params list would be copied into Snakemake's
    # metadata record of every output file).
    [os.path.basename(path)[: -len(".png")] for path in snakemake.output.masks],
    list(snakemake.input.images),
    list(snakemake.input.truth),
    snakemake.params.out_dir,
)
predict_samples(snakemake.input.model, chunk, settings, known_bad=known_bad)
