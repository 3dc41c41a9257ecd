"""Snakemake adapter: the report's first page and its headline (streetseg.report.headline)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.report.headline import write_report_text

write_report_text(
    snakemake.input.template,
    snakemake.input.summary,
    snakemake.input.per_class,
    snakemake.output.text,
)
