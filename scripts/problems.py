"""Snakemake adapter: gather every problem of the listing and the mask jobs in one table
(streetseg.common.problems)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to, say

log_to(snakemake.log[0])

from streetseg.common.problems import collect_problems

collect_problems(
    snakemake.params.listing,
    list(snakemake.input.tables),
    snakemake.output.problems,
    # Under "stop" the splits rule stops the run with the table; it is shown once, there.
    show_table=snakemake.params.on_bad_sample == "skip",
    log=say,
)
