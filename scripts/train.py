"""Snakemake adapter: train the U-Net (streetseg.model.training)."""

import _paths  # noqa: F401  (puts the streetseg package on sys.path)

from streetseg.common.console import log_to

log_to(snakemake.log[0])

from streetseg.model.training import train_model

options = snakemake.params.train
train_model(
    train_shards=list(snakemake.input.train),
    val_shards=list(snakemake.input.val),
    model_path=snakemake.output.model,
    history_path=snakemake.output.history,
    num_classes=snakemake.params.num_classes,
    image_size=tuple(options["image_size"]),
    epochs=options["epochs"],
    batch_size=options["batch_size"],
    learning_rate=options["learning_rate"],
    model_options=options["model"],
    augment=options["augment"],
    schedule=options["schedule"],
    warmup_epochs=options["warmup_epochs"],
    class_weighting=options["class_weighting"],
    loss=options["loss"],
    early_stop=options["early_stopping"],
    time_limit_minutes=options["time_limit_minutes"],
    seed=options["seed"],
    threads=snakemake.threads,
    tensorboard_dir=snakemake.output.tensorboard,
)
