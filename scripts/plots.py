"""Snakemake adapter: draw the training curves and the result charts (streetseg.report.plots)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.report.charts import (
    plot_class_shares,
    plot_confusion,
    plot_per_class_iou,
)
from streetseg.report.per_image import plot_per_image_scores
from streetseg.report.plots import plot_training_curves, write_tables_html

classes = snakemake.params.classes
plot_training_curves(snakemake.input.history, snakemake.output.curves)
plot_per_class_iou(
    snakemake.input.per_class, snakemake.input.summary, classes, snakemake.output.per_class
)
plot_confusion(snakemake.input.confusion, classes, snakemake.output.confusion)
plot_class_shares(snakemake.input.dataset, classes, snakemake.output.class_shares)
plot_per_image_scores(snakemake.input.per_image, snakemake.output.per_image)
write_tables_html(
    {
        "Summary": snakemake.input.summary,
        "Per class": snakemake.input.per_class,
        "Per image": snakemake.input.per_image,
        "Confusion (pixels; rows truth, columns prediction)": snakemake.input.confusion,
    },
    snakemake.output.metrics_tables,
    "Test metrics",
)
write_tables_html(
    {"Class shares per split": snakemake.input.dataset}, snakemake.output.dataset_table, "Dataset"
)
