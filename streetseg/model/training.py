"""The train stage: fit the U-Net on the train shards, select on val, save model and history."""

from __future__ import annotations

import math
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import pandas as pd
import tensorflow as tf

from streetseg.common.files import atomic_path
from streetseg.data.pipeline import class_pixel_counts, load_dataset
from streetseg.data.shards import count_records
from streetseg.model.callbacks import (
    EpochProgress,
    LossPhase,
    TimeBudget,
    early_stopping,
    install_weight_averaging,
)
from streetseg.model.checkpoints import (
    TrainingInterrupted,
    TrainingState,
    fingerprint,
    stop_on_sigterm,
)
from streetseg.model.compiling import class_weights, compile_model
from streetseg.model.crops import build_models
from streetseg.model.devices import (
    configure_tensorflow,
    distribution_strategy,
    precision_policy,
    use_xla,
)
from streetseg.model.preflight import stamp_classes
from streetseg.model.runs import history_table, run_record, write_run_record
from streetseg.model.schedules import BudgetedCosine, learning_rate_schedule
from streetseg.model.settings import TrainSettings
from streetseg.model.unet import build_model


@dataclass(frozen=True)
class TrainOutputs:
    """What a training run writes: the model, the history table, and optionally the
    TensorBoard logs and the run record (machine and throughput, streetseg.model.runs)."""

    model: str
    history: str
    tensorboard: str | None = None
    run: str | None = None


@dataclass(frozen=True)
class TrainingData:
    """The train and val datasets of one run, with what fit() and the loss need to know."""

    train: tf.data.Dataset
    val: tf.data.Dataset | None
    n_train: int
    n_val: int
    global_batch: int
    class_weights: list[float] | None

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.n_train / self.global_batch)

    @property
    def validation_steps(self) -> int | None:
        return math.ceil(self.n_val / self.global_batch) if self.n_val else None


def load_training_data(
    settings: TrainSettings, train_shards: list[str], val_shards: list[str], replicas: int, log
) -> TrainingData:
    """The repeating, shuffled and augmented train set, the val set and the class weights.

    ``settings.batch_size`` is per replica: the global batch is that times ``replicas``.
    """
    n_train, n_val = count_records(train_shards), count_records(val_shards) if val_shards else 0
    if n_train == 0:
        raise ValueError("the train split is empty: no records in " + ", ".join(train_shards))
    log(f"training on {n_train} images, validating on {n_val}, {settings.epochs} epochs")
    global_batch = settings.batch_size * replicas
    pixels = class_pixel_counts(train_shards, settings.num_classes)
    weights = class_weights(pixels, settings.class_weighting)
    if weights is not None:
        log(
            f"class weights ({settings.class_weighting}): " + ", ".join(f"{w:.2f}" for w in weights)
        )
    # The train set repeats with a known number of steps per epoch, so every epoch sees each
    # image once and Keras never runs out of data mid-epoch.
    train = load_dataset(
        train_shards,
        settings.image_size,
        global_batch,
        settings.augment_options(),
        shuffle=True,
        seed=settings.seed,
        repeat=True,
    )
    # A replica handed an empty final batch breaks MirroredStrategy, so with several replicas
    # the val set repeats: the last batch is topped up with the first few val images again.
    val = (
        load_dataset(val_shards, settings.image_size, global_batch, repeat=replicas > 1)
        if n_val
        else None
    )
    return TrainingData(train, val, n_train, n_val, global_batch, weights)


def build_compiled_model(settings: TrainSettings, data: TrainingData, strategy, log, size):
    """The configured model for input ``size``, built and compiled under the strategy."""
    steps = data.steps_per_epoch
    with strategy.scope():
        model = build_model(size, settings.num_classes, **settings.model_options())
        rate = learning_rate_schedule(
            settings.learning_rate,
            settings.schedule,
            settings.epochs * steps,
            settings.warmup_epochs * steps,
            budgeted=bool(settings.time_limit_minutes),
        )
        compile_model(
            model,
            settings.num_classes,
            rate,
            settings.loss_options(),
            data.class_weights,
            optimizer={"weight_decay": settings.weight_decay, "ema": settings.ema},
            jit_compile=use_xla(settings.jit_compile),
        )
    log(
        f"model: {model.count_params():,} parameters; {strategy.num_replicas_in_sync} "
        f"replica(s), global batch {data.global_batch}"
    )
    return model


def training_callbacks(
    settings: TrainSettings,
    state: TrainingState,
    data: TrainingData,
    tensorboard: bool,
    log,
    schedule=None,
) -> list:
    """Time budget, early stopping, progress lines, the resumable state's callbacks, the
    Lovász fine-tune switch and TensorBoard, in that order (the SIGTERM stopper is added
    last by :func:`fit_resumably`)."""
    callbacks = [
        EpochProgress(settings.epochs, data.n_train, log, settings.time_limit_minutes),
        *state.callbacks(validate=data.val is not None),
    ]
    stopping = settings.early_stopping
    if stopping.patience and data.val is not None:
        callbacks.insert(0, early_stopping(stopping.patience, stopping.min_delta))
    budget = None
    if settings.time_limit_minutes:
        budget = TimeBudget(settings.time_limit_minutes, log)
        if isinstance(schedule, BudgetedCosine):
            budget.follow(schedule, settings.epochs, data.steps_per_epoch)
        callbacks.insert(0, budget)
    if settings.loss.lovasz_weight and settings.loss.lovasz_from:
        callbacks.append(LossPhase(settings.loss.lovasz_from, settings.epochs, log, budget))
    # TensorBoard logs live with the resumable state while training runs (watch them with
    # `tensorboard --logdir results/model/train_state/tensorboard`) and move to the output
    # folder at the end, so an interrupted run keeps the curves of its finished epochs.
    if tensorboard:
        live = str(state.directory / "tensorboard")
        callbacks.append(keras.callbacks.TensorBoard(live, write_graph=False))
    return callbacks


def fit_resumably(model, data: TrainingData, epochs: int, callbacks: list, state, log) -> None:
    """fit() with SIGTERM handled: an interrupted run keeps its state and exits with 143."""
    try:
        with stop_on_sigterm() as stopper:
            model.fit(
                data.train,
                validation_data=data.val,
                epochs=epochs,
                steps_per_epoch=data.steps_per_epoch,
                validation_steps=data.validation_steps,
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


def write_outputs(
    model,
    state: TrainingState,
    outputs: TrainOutputs,
    classes: list[dict] | None = None,
) -> pd.DataFrame:
    """Write the best model (the last one without validation) with the class table
    ``classes`` in it (streetseg.model.preflight.stamp_classes), the history table and the
    TensorBoard logs, then remove the resumable state; return the history table."""
    if not state.best_path.exists():
        # Keras wants a .keras suffix on the temporary file too.
        partial = state.best_path.with_name(f".partial-{state.best_path.name}")
        model.save(partial)
        os.replace(partial, state.best_path)
    with atomic_path(outputs.model) as temporary:
        shutil.copyfile(state.best_path, temporary)
        if classes:
            stamp_classes(temporary, classes)
    table = history_table(state.history())
    with atomic_path(outputs.history) as temporary:
        table.to_csv(temporary, sep="\t", index=False, float_format="%.6f")
    if outputs.tensorboard:
        shutil.rmtree(outputs.tensorboard, ignore_errors=True)
        shutil.copytree(state.directory / "tensorboard", outputs.tensorboard)
    state.finish()
    return table


def float32_copy(model, settings: TrainSettings, best_path: Path):
    """The model rebuilt in float32 with the best checkpoint's weights (the last ones without
    a checkpoint), also written over that checkpoint: a model trained in mixed_bfloat16 then
    predicts in float32 on any CPU, where bfloat16 without the instructions is slow."""
    keras.mixed_precision.set_global_policy("float32")
    copy = build_model(settings.image_size, settings.num_classes, **settings.model_options())
    if not best_path.exists():
        copy.set_weights(model.get_weights())
        return copy
    copy.set_weights(keras.models.load_model(best_path, compile=False).get_weights())
    partial = best_path.with_name(f".partial-{best_path.name}")
    copy.save(partial)
    os.replace(partial, best_path)
    return copy


def train_model(
    settings: TrainSettings,
    train_shards: list[str],
    val_shards: list[str],
    outputs: TrainOutputs,
    threads: int | None = None,
    strategy=None,
    log=print,
    classes: list[dict] | None = None,
) -> pd.DataFrame:
    """Train a U-Net and write ``outputs``: the model (best epoch by val mIoU; holding the
    class table ``classes``, when given), the history, and the TensorBoard logs and run
    record where given.

    Without validation data the last epoch's model is kept. The test split never enters this
    function: only train and val shards are passed in. With several GPUs the global batch is
    ``settings.batch_size`` times the replica count, so each device keeps the batch it was
    tuned for. A run interrupted by SIGTERM resumes on the next call with the same settings
    and shards (streetseg.model.checkpoints).
    """
    started = time.perf_counter()
    configure_tensorflow(threads, settings.seed)
    policy = precision_policy(settings.mixed_precision, log)
    strategy = strategy or distribution_strategy(log)
    devices = [device.name for device in tf.config.list_logical_devices()]
    log(f"TensorFlow {tf.__version__}, devices: {devices}")
    replicas = strategy.num_replicas_in_sync
    data = load_training_data(settings, train_shards, val_shards, replicas, log)
    model, twin = build_models(build_compiled_model, settings, data, strategy, log)
    state = TrainingState(
        Path(outputs.model).parent / "train_state",
        fingerprint(settings, list(train_shards) + list(val_shards)),
        log,
    )
    if resumed_after := state.completed_epochs():
        log(f"resuming after epoch {resumed_after} from {state.directory}")
    schedule = getattr(model.optimizer, "_learning_rate", None)
    callbacks = training_callbacks(settings, state, data, bool(outputs.tensorboard), log, schedule)
    data = twin.install(callbacks, data) if twin else data
    if settings.ema:
        install_weight_averaging(callbacks)
    fit_resumably(model, data, settings.epochs, callbacks, state, log)
    model = twin.whole_model(state.best_path) if twin else model
    if policy == "mixed_bfloat16":
        model = float32_copy(model, settings, state.best_path)
    table = write_outputs(model, state, outputs, classes)
    if outputs.run:
        gpus = [gpu.name for gpu in tf.config.list_logical_devices("GPU")]
        record = run_record(table, data.n_train, data.n_val, gpus, time.perf_counter() - started)
        write_run_record(outputs.run, record)
        log(f"trained on {record['machine']}: {record['images_per_second']} images/s")
    return table
