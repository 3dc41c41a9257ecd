"""streetseg: semantic segmentation of street-level images.

The package holds the workflow's logic as plain functions with plain arguments, in folders
that follow the pipeline, each importing only from the ones before it: ``common`` (files,
console, images, problems, chunks, S3), ``labels`` (annotation formats, class table, masks),
``demo`` (synthetic scenes), ``data`` (samples, statistics, splits, shards, tf.data),
``model`` (U-Net, loss, training), ``inference`` (predict, infer, export), ``evaluation``
(metrics) and ``report`` (charts and plots). The Snakemake scripts under ``scripts/`` are thin
adapters around these functions; docs/architecture.md maps every stage to its rule, script
and function.
"""

__version__ = "0.1.0"
