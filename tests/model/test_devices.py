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
