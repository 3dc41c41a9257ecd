"""Snakemake adapter: segment one chunk of new photos (streetseg.inference.infer)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.inference.infer import segment_images
from streetseg.inference.settings import SegmentSettings

settings = SegmentSettings(**snakemake.params.segment)
segment_images(
    snakemake.input.model,
    snakemake.params.folder,
    list(snakemake.params.names),
    snakemake.params.out_dir,
    snakemake.output.table,
    settings,
    fingerprints=snakemake.params.fingerprints,
)
