"""streetseg: semantic segmentation of street-level images.

The package holds the workflow's logic as plain functions with plain arguments, one module per
stage (``demo``, ``masks``, ``splits``, ``tfrecords``, ``train``, ``predict``, ``evaluate``,
``plots``) plus the shared pieces they are built from. The Snakemake scripts under
``scripts/`` are thin adapters around these functions.
"""

__version__ = "0.1.0"
