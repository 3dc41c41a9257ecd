"""Snakemake adapter: merge the chunk tables into class shares and a summary
(streetseg.inference.infer)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.inference.infer import summarise

summarise(list(snakemake.input.tables), snakemake.params.out_dir, classes=snakemake.params.classes)
