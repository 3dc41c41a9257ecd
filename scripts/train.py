"""Snakemake adapter: train the U-Net (streetseg.model.training)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to, say

log_to(snakemake.log[0])

from streetseg.model.settings import TrainSettings
from streetseg.model.training import TrainOutputs, train_model

# The class list is read from the config: the rule's params hold only its count, as they
# always have, so that finished runs keep their recorded params and are not retrained.
settings = TrainSettings.from_config(snakemake.params.train, snakemake.config["classes"])
train_model(
    settings,
    train_shards=list(snakemake.input.train),
    val_shards=list(snakemake.input.val),
    outputs=TrainOutputs(
        model=snakemake.output.model,
        history=snakemake.output.history,
        tensorboard=snakemake.output.tensorboard,
        run=snakemake.output.run,
    ),
    threads=snakemake.threads,
    log=say,
    classes=snakemake.config["classes"],
)
