"""The devices a training job runs on: the distribution strategy, thread pools, seeds and
the float precision."""

from __future__ import annotations

import os

import keras
import tensorflow as tf


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


def precision_policy(mixed: bool, log=print) -> str:
    """Set Keras' global dtype policy and return its name: ``mixed_float16`` (float16
    compute, float32 weights; Keras scales the loss, and the model's softmax stays float32)
    when ``mixed`` is asked for and a GPU is visible, else ``float32``. On a CPU float16 is
    slower, not faster, so it is refused there with a message."""
    gpus = tf.config.list_logical_devices("GPU")
    policy = "mixed_float16" if mixed and gpus else "float32"
    if mixed and not gpus:
        log("train.mixed_precision: no GPU visible, so training runs in float32")
    keras.mixed_precision.set_global_policy(policy)
    return policy
