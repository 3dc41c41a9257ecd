"""Snakemake adapter: generate the synthetic demo scenes (streetseg.demo.scenes)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.demo.scenes import write_demo

write_demo(
    snakemake.params.directory,
    n_scenes=snakemake.params.n_scenes,
    seed=snakemake.params.seed,
    width=snakemake.params.width,
    height=snakemake.params.height,
)
