"""Snakemake adapter: lay out the prediction panels for the report (streetseg.report.plots)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.report.plots import build_gallery

build_gallery(
    list(snakemake.input.panels),
    snakemake.params.samples,
    snakemake.input.per_image,
    snakemake.output.gallery,
    snakemake.output.best,
    snakemake.output.worst,
)
