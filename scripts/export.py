"""Snakemake adapter: export the trained model and write its model card
(streetseg.inference.export)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.inference.export import export_model, write_model_card

tflite = snakemake.output.tflite[0] if snakemake.output.tflite else None
export_model(snakemake.input.model, snakemake.output.saved_model, snakemake.params.classes, tflite)
write_model_card(
    snakemake.input.model,
    snakemake.output.card,
    snakemake.params.classes,
    dataset_summary=snakemake.input.dataset,
    metrics_summary=snakemake.input.metrics,
    per_class=snakemake.input.per_class,
    config=snakemake.params.config,
    exports=[snakemake.output.saved_model, *snakemake.output.tflite],
)
