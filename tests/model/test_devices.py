"""Devices: a multi-task SLURM job is refused with the reason."""

import pytest

from streetseg.model.devices import distribution_strategy


def test_a_multi_task_slurm_job_is_refused_with_the_reason(monkeypatch):
    # Two local workers under MultiWorkerMirroredStrategy were tried: Keras 3's fit() fails
    # there ("Attempt to convert a value (PerReplica...)", keras-team/keras#20585), so a
    # multi-task job stops at once with a message instead of failing inside training.
    monkeypatch.setenv("SLURM_NTASKS", "2")
    with pytest.raises(RuntimeError, match="2 SLURM tasks.*keras-team/keras#20585.*one node"):
        distribution_strategy(log=lambda *_: None)


def test_mixed_precision_is_refused_without_a_gpu_or_bfloat16_and_float32_is_restored(
    monkeypatch,
):
    import keras

    from streetseg.model import devices

    monkeypatch.setattr(devices, "has_bfloat16", lambda: False)
    messages = []
    keras.mixed_precision.set_global_policy("mixed_float16")
    assert devices.precision_policy(True, messages.append) == "float32"
    assert keras.mixed_precision.global_policy().name == "float32"
    assert messages == [
        "train.mixed_precision: no GPU and no bfloat16 instructions (AVX512_BF16 or AMX-BF16) "
        "on this CPU, so training runs in float32"
    ]
    assert devices.precision_policy(False, messages.append) == "float32"
    assert len(messages) == 1


def test_mixed_precision_is_set_when_a_gpu_is_visible(monkeypatch):
    import keras

    from streetseg.model import devices
    from streetseg.model.unet import build_unet

    monkeypatch.setattr(devices.tf.config, "list_logical_devices", lambda kind: ["/GPU:0"])
    try:
        assert devices.precision_policy(True) == "mixed_float16"
        model = build_unet((32, 32), 3, depth=2, base_filters=4)
        # float16 compute inside, float32 weights and a float32 softmax out.
        assert model.get_layer("down0_conv1").compute_dtype == "float16"
        assert model.get_layer("down0_conv1").variable_dtype == "float32"
        assert model.output.dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_mixed_precision_is_bfloat16_on_a_cpu_with_the_instructions(monkeypatch):
    import keras

    from streetseg.model import devices

    monkeypatch.setattr(devices, "has_bfloat16", lambda: True)
    messages = []
    try:
        assert devices.precision_policy(True, messages.append) == "mixed_bfloat16"
        assert "mixed_bfloat16 (the saved model is float32)" in messages[0]
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize(
    ("flags", "expected"),
    [("fpu avx2 avx512f", False), ("avx512f avx512_bf16", True), ("amx_bf16 amx_tile", True)],
)
def test_bfloat16_is_read_from_the_cpu_flags(monkeypatch, flags, expected):
    from streetseg.common import machine

    monkeypatch.setattr(machine, "_cpuinfo_field", lambda name: flags)
    assert machine.has_bfloat16() is expected


def test_xla_is_keras_own_choice_unless_forced():
    from streetseg.model.devices import use_xla

    assert use_xla("auto") == "auto"
    assert use_xla(True) is True and use_xla(False) is False
