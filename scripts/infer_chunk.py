"""Snakemake adapter: segment one chunk of new photos (streetseg.inference.infer)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.inference.infer import segment_images

segment_images(
    snakemake.input.model,
    snakemake.params.folder,
    list(snakemake.params.names),
    snakemake.params.out_dir,
    snakemake.output.table,
    classes=snakemake.params.classes,
    batch_size=snakemake.params.batch_size,
    overlays=snakemake.params.overlays,
    max_pixels=snakemake.params.max_pixels,
    fingerprints=snakemake.params.fingerprints,
    tta=snakemake.params.tta,
)
