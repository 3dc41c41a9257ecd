"""The train stage: fit the U-Net on the train shards, select on val, save model and history."""

from __future__ import annotations

import math
import os
import shutil
import statistics
from pathlib import Path

import keras
import pandas as pd
import tensorflow as tf

from streetseg.common.files import atomic_path
from streetseg.data.pipeline import class_pixel_counts, load_dataset
from streetseg.data.shards import count_records
from streetseg.labels.classes import IGNORE_LABEL
from streetseg.model.callbacks import EpochProgress, TimeBudget, early_stopping
from streetseg.model.checkpoints import (
    TrainingInterrupted,
    TrainingState,
    fingerprint,
    stop_on_sigterm,
)
from streetseg.model.losses import SegmentationLoss
from streetseg.model.unet import build_model

HISTORY_COLUMNS = ["epoch", "loss", "miou", "val_loss", "val_miou"]


def class_weights(counts: list[int], method: str, max_weight: float = 50.0) -> list[float] | None:
    """Per-class loss weights from pixel counts, or None for unweighted training.

    ``median_frequency`` is SegNet's median-frequency balancing, median(f) / f_c;
    ``inverse_sqrt`` is 1 / sqrt(f_c), milder. Both are normalised so that the average pixel
    weighs 1, classes with no pixels get weight 0, and weights are capped at ``max_weight``.
    """
    if method == "none":
        return None
    total = sum(counts)
    frequency = [count / total if total else 0.0 for count in counts]
    present = sorted(f for f in frequency if f > 0)
    if not present:
        return None
    if method == "median_frequency":
        median = statistics.median(present)
        raw = [median / f if f > 0 else 0.0 for f in frequency]
    elif method == "inverse_sqrt":
        raw = [1 / math.sqrt(f) if f > 0 else 0.0 for f in frequency]
    else:
        raise ValueError(
            f"unknown class weighting {method!r}; use none, median_frequency or inverse_sqrt"
        )
    mean = sum(f * w for f, w in zip(frequency, raw))
    return [min(w / mean, max_weight) for w in raw]


def distribution_strategy(log=print):
    """The tf.distribute strategy for the devices this job has.

    Several visible GPUs train with MirroredStrategy; otherwise the default strategy runs on
    the one GPU or the CPU. A job spread over several SLURM tasks is refused with a clear
    message: multi-node training needs MultiWorkerMirroredStrategy, which Keras 3's fit() does
    not support (keras-team/keras#20585; it fails converting PerReplica values).
    """
    tasks = int(os.environ.get("SLURM_NTASKS", "1") or 1)
    if tasks > 1:
        raise RuntimeError(
            f"this job has {tasks} SLURM tasks, but multi-node training is not supported: "
            "Keras 3 cannot fit() under MultiWorkerMirroredStrategy (keras-team/keras#20585). "
            "Request all GPUs on one node (one task) instead; MirroredStrategy then uses them all."
        )
    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        strategy = tf.distribute.MirroredStrategy([gpu.name for gpu in gpus])
        log(f"mirrored training on {len(gpus)} GPUs")
        return strategy
    return tf.distribute.get_strategy()


def configure_tensorflow(threads: int | None, seed: int) -> None:
    """Seed every generator and size TensorFlow's thread pools to the job's threads."""
    if threads:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(int(threads))
            tf.config.threading.set_inter_op_parallelism_threads(max(1, min(2, int(threads))))
        except RuntimeError:
            pass  # TensorFlow already started (a caller built a strategy): keep its pools.
    keras.utils.set_random_seed(seed)


def mean_iou_metric(num_classes: int):
    """Keras' dataset-level mean IoU: a confusion matrix accumulated over the whole epoch.

    Classes absent from both truth and prediction are left out of the mean, and pixels
    labelled 255 are ignored.
    """
    return keras.metrics.MeanIoU(
        num_classes=num_classes, name="miou", ignore_class=IGNORE_LABEL, sparse_y_pred=False
    )


def learning_rate_schedule(
    learning_rate: float, schedule: str, total_steps: int, warmup_steps: int
):
    """A constant rate, or Keras' cosine decay to zero after a linear warm-up to the peak."""
    if schedule == "constant":
        return learning_rate
    warmup_steps = min(warmup_steps, max(total_steps - 1, 0))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup_steps else learning_rate,
        decay_steps=max(total_steps - warmup_steps, 1),
        warmup_target=learning_rate if warmup_steps else None,
        warmup_steps=warmup_steps,
    )


def compile_model(
    model, num_classes: int, learning_rate, loss: dict | None = None, class_weights=None
):
    """Adam, the segmentation loss (cross-entropy skipping ignored pixels, class weights, and
    the optional focal and Dice terms of ``loss``) and mean IoU."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=SegmentationLoss(num_classes, class_weights, **(loss or {})),
        metrics=[mean_iou_metric(num_classes)],
    )
    return model


def train_model(
    train_shards: list[str],
    val_shards: list[str],
    model_path: str,
    history_path: str,
    num_classes: int,
    image_size: tuple[int, int],
    epochs: int,
    batch_size: int,
    learning_rate: float,
    model_options: dict,
    augment: dict | None,
    schedule: str = "cosine",
    warmup_epochs: int = 1,
    class_weighting: str = "none",
    loss: dict | None = None,
    early_stop: dict | None = None,
    time_limit_minutes: float | None = None,
    seed: int = 0,
    threads: int | None = None,
    tensorboard_dir: str | None = None,
    strategy=None,
    log=print,
) -> pd.DataFrame:
    """Train a U-Net and write ``model_path`` (best epoch by val mIoU) and ``history_path``.

    Without validation data the last epoch's model is kept. The test split never enters this
    function: only train and val shards are passed in. ``batch_size`` is per replica: with
    several GPUs or workers the global batch is ``batch_size`` times the replica count, so
    each device keeps the batch it was tuned for. ``loss`` holds ``focal_gamma`` and
    ``dice_weight``; ``early_stop`` holds ``patience`` (0 = off) and ``min_delta`` for early
    stopping on val mIoU; ``time_limit_minutes`` stops before an epoch that would pass it.
    """
    configure_tensorflow(threads, seed)
    strategy = strategy or distribution_strategy(log)
    replicas = strategy.num_replicas_in_sync
    log(
        f"TensorFlow {tf.__version__}, devices: {[d.name for d in tf.config.list_logical_devices()]}"
    )
    n_train, n_val = count_records(train_shards), count_records(val_shards) if val_shards else 0
    if n_train == 0:
        raise ValueError("the train split is empty: no records in " + ", ".join(train_shards))
    log(f"training on {n_train} images, validating on {n_val}, {epochs} epochs")
    # The train set repeats with a known number of steps per epoch, so every epoch sees each
    # image once and Keras never runs out of data mid-epoch.
    global_batch = batch_size * replicas
    weights = class_weights(class_pixel_counts(train_shards, num_classes), class_weighting)
    if weights is not None:
        log(f"class weights ({class_weighting}): " + ", ".join(f"{w:.2f}" for w in weights))
    train_data = load_dataset(
        train_shards,
        image_size,
        global_batch,
        augment,
        shuffle=True,
        seed=seed,
        repeat=True,
    )
    steps_per_epoch = math.ceil(n_train / global_batch)
    # A replica handed an empty final batch breaks MirroredStrategy, so with several replicas
    # the val set repeats: the last batch is topped up with the first few val images again.
    val_data = (
        load_dataset(val_shards, image_size, global_batch, repeat=replicas > 1) if n_val else None
    )
    with strategy.scope():
        model = build_model(image_size, num_classes, **model_options)
        rate = learning_rate_schedule(
            learning_rate, schedule, epochs * steps_per_epoch, warmup_epochs * steps_per_epoch
        )
        compile_model(model, num_classes, rate, loss, weights)
    log(
        f"model: {model.count_params():,} parameters; {replicas} replica(s), global batch {global_batch}"
    )

    settings = {
        "image_size": list(image_size), "epochs": epochs, "batch_size": batch_size,
        "learning_rate": learning_rate, "model": model_options, "augment": augment,
        "schedule": schedule, "warmup_epochs": warmup_epochs, "seed": seed,
        "class_weighting": class_weighting, "loss": loss,
    }  # fmt: skip
    state = TrainingState(
        Path(model_path).parent / "train_state",
        fingerprint(settings, list(train_shards) + list(val_shards)),
        log,
    )
    if resumed_after := state.completed_epochs():
        log(f"resuming after epoch {resumed_after} from {state.directory}")
    callbacks = [
        *state.callbacks(validate=val_data is not None),
        EpochProgress(epochs, n_train, log),
    ]
    if early_stop and early_stop.get("patience") and val_data is not None:
        callbacks.insert(
            0, early_stopping(early_stop["patience"], early_stop.get("min_delta", 0.0))
        )
    if time_limit_minutes:
        callbacks.insert(0, TimeBudget(time_limit_minutes, log))
    # TensorBoard logs live with the resumable state while training runs (watch them with
    # `tensorboard --logdir results/model/train_state/tensorboard`) and move to the output
    # folder at the end, so an interrupted run keeps the curves of its finished epochs.
    live_tensorboard = state.directory / "tensorboard"
    if tensorboard_dir:
        callbacks.append(keras.callbacks.TensorBoard(str(live_tensorboard), write_graph=False))
    try:
        with stop_on_sigterm() as stopper:
            model.fit(
                train_data,
                validation_data=val_data,
                epochs=epochs,
                steps_per_epoch=steps_per_epoch,
                validation_steps=math.ceil(n_val / global_batch) if n_val else None,
                callbacks=[*callbacks, stopper],
                shuffle=False,
                verbose=0,
            )
    except TrainingInterrupted as error:
        log(
            f"training interrupted ({error}) after {state.completed_epochs()} finished epochs; "
            f"the state is kept in {state.directory} and a rerun resumes from there"
        )
        raise SystemExit(143) from None
    if stopper.received is not None:
        log(f"received signal {stopper.received} as training ended; writing the outputs")
    if not state.best_path.exists():
        partial = state.best_path.with_name(
            f".partial-{state.best_path.name}"
        )  # Keras wants .keras
        model.save(partial)
        os.replace(partial, state.best_path)
    with atomic_path(model_path) as temporary:
        shutil.copyfile(state.best_path, temporary)
    table = history_table(state.history())
    with atomic_path(history_path) as temporary:
        table.to_csv(temporary, sep="\t", index=False, float_format="%.6f")
    if tensorboard_dir:
        shutil.rmtree(tensorboard_dir, ignore_errors=True)
        shutil.copytree(live_tensorboard, tensorboard_dir)
    state.finish()
    return table


def history_table(log: pd.DataFrame) -> pd.DataFrame:
    """One row per epoch with loss, mIoU and their val_* twins (NaN without validation)."""
    table = log.drop(columns=["epoch"], errors="ignore").reset_index(drop=True)
    for column in HISTORY_COLUMNS[1:]:
        if column not in table:
            table[column] = math.nan
    table.insert(0, "epoch", range(1, len(table) + 1))
    extra = [c for c in table.columns if c not in HISTORY_COLUMNS]
    return table[HISTORY_COLUMNS + extra]
