"""Snakemake adapter: predict masks and panels for the test split (streetseg.predict)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)
from streetseg.io import log_to

log_to(snakemake.log[0])

from streetseg.predict import predict_split

predict_split(
    snakemake.input.model,
    list(snakemake.input.shards),
    snakemake.params.out_dir,
    classes=snakemake.params.classes,
    batch_size=snakemake.params.batch_size,
)
