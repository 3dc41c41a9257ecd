"""Snakemake adapter: draw the training curves (streetseg.plots)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)
from streetseg.io import log_to

log_to(snakemake.log[0])

from streetseg.plots import plot_training_curves

plot_training_curves(snakemake.input.history, snakemake.output.curves)
