"""The devices a training job runs on: the distribution strategy, thread pools, seeds and
the float precision."""

from __future__ import annotations

import os

import keras
import tensorflow as tf

from streetseg.common.machine import has_bfloat16


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
    """Set Keras' global dtype policy and return its name. With ``mixed``: ``mixed_float16``
    (float16 compute, float32 weights; Keras scales the loss, and the model's softmax stays
    float32) when a GPU is visible; ``mixed_bfloat16`` on a CPU with bfloat16 instructions
    (AVX512_BF16 or AMX-BF16: 0.98-1.65x float32's images/s in the bench, docs/benchmarks.md
    P12); else ``float32`` with a message, since float16 and emulated bfloat16 are slower,
    not faster, on other CPUs. Without ``mixed``: ``float32``."""
    gpus = tf.config.list_logical_devices("GPU")
    policy = "float32"
    if mixed and gpus:
        policy = "mixed_float16"
    elif mixed and has_bfloat16():
        policy = "mixed_bfloat16"
        log(
            "train.mixed_precision: the CPU has bfloat16 instructions, so training runs in "
            "mixed_bfloat16 (the saved model is float32)"
        )
    elif mixed:
        log(
            "train.mixed_precision: no GPU and no bfloat16 instructions (AVX512_BF16 or "
            "AMX-BF16) on this CPU, so training runs in float32"
        )
    keras.mixed_precision.set_global_policy(policy)
    return policy


def use_xla(setting):
    """``train.jit_compile`` as Keras' compile() takes it: True or False as given, and
    Keras' own choice for "auto": XLA on one GPU, off on CPUs, where it was measured 5x
    slower for the separable U-Net (docs/benchmarks.md, P12)."""
    return "auto" if setting == "auto" else bool(setting)
