"""Snakemake adapter: record the configuration the run used (streetseg.report.plots)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.report.plots import write_config

write_config(dict(snakemake.params.config), snakemake.output.config)
