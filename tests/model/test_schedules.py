"""The budgeted cosine schedule and the time budget that re-plans it."""

import keras
import numpy as np
import pytest

from streetseg.model import callbacks
from streetseg.model.callbacks import TimeBudget
from streetseg.model.schedules import BudgetedCosine, learning_rate_schedule


def _model():
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.stop_training = False  # fit() sets it; these tests call the callback directly
    return model


def _rates(schedule, steps):
    return np.array([float(schedule(step)) for step in steps])


def test_a_fixed_length_equals_keras_cosine_decay_with_warmup():
    steps = range(0, 130, 7)
    keras_cosine = learning_rate_schedule(0.01, "cosine", total_steps=110, warmup_steps=10)
    budgeted = learning_rate_schedule(0.01, "cosine", 110, 10, budgeted=True)
    assert isinstance(budgeted, BudgetedCosine)
    np.testing.assert_allclose(_rates(budgeted, steps), _rates(keras_cosine, steps), atol=1e-7)


def test_plan_moves_the_end_of_the_decay():
    schedule = BudgetedCosine(0.01, total_steps=100, warmup_steps=0)
    assert float(schedule(50)) == pytest.approx(0.005)
    schedule.plan(60)
    # Half way through the new length: 30 of 60 steps.
    assert float(schedule(30)) == pytest.approx(0.005)
    assert float(schedule(60)) == pytest.approx(0.0, abs=1e-9)
    assert float(schedule(80)) == pytest.approx(0.0, abs=1e-9)
    assert schedule.get_config() == {"peak": 0.01, "total_steps": 60, "warmup_steps": 0}


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_budget_replans_the_schedule_and_stops_when_no_epoch_fits(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(callbacks.time, "perf_counter", clock)
    said = []
    schedule = BudgetedCosine(0.01, total_steps=60 * 10, warmup_steps=10)
    budget = TimeBudget(1.0, said.append)  # 60 s
    budget.follow(schedule, epochs=60, steps_per_epoch=10)
    budget.set_model(_model())
    budget.on_train_begin()
    # Epoch 1 takes 14 s (graph tracing), later ones 10 s each.
    for epoch, seconds in enumerate([14, 10, 10, 10, 10]):
        budget.on_epoch_begin(epoch)
        clock.now += seconds
        budget.on_epoch_end(epoch)
        if budget.model.stop_training:
            break
    # After epoch 1: 46 s left at 14 s an epoch -> 3 more, decay ends at epoch 4.
    # After epoch 2: 36 s left at 10 s -> 3 more, epoch 5; after epoch 5: 6 s left, stop.
    assert int(schedule.total_steps.numpy()) == 50
    assert epoch == 4 and budget.model.stop_training
    assert (
        said[0] == "time budget: the learning rate decays to zero at epoch 4 (replanned each epoch)"
    )
    assert said[-1].startswith("stopping after epoch 5: 0.9 min used")


def test_without_a_schedule_the_budget_only_stops(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(callbacks.time, "perf_counter", clock)
    budget = TimeBudget(0.5, print)
    budget.set_model(_model())
    budget.on_train_begin()
    for epoch in range(5):
        budget.on_epoch_begin(epoch)
        clock.now += 10
        budget.on_epoch_end(epoch)
        if budget.model.stop_training:
            break
    # After epoch 2: 20 s used, 10 s left, an epoch of 10 s still fits; after epoch 3 none.
    assert epoch == 2
