"""Callbacks that stop training (early stopping on val mIoU, the time budget) and the one that
switches the loss's Lovász term on."""

import re

import keras
import numpy as np

from streetseg.model import callbacks
from streetseg.model.callbacks import early_stopping
from streetseg.model.losses import SegmentationLoss


class _Counter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1


def _fit(callbacks, val_miou=None, epochs=10):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    counter = _Counter()
    scores = iter(val_miou or [])

    class FakeScore(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_miou"] = next(scores)

    extra = [FakeScore()] if val_miou else []
    data = np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32)
    model.fit(*data, epochs=epochs, verbose=0, callbacks=[*extra, *callbacks, counter])
    return counter.epochs


def test_early_stopping_stops_after_patience_epochs_without_a_better_val_miou():
    scores = [0.1, 0.3, 0.5, 0.49, 0.5, 0.45, 0.6, 0.7, 0.8, 0.9]
    assert _fit([early_stopping(patience=3)], scores) == 6
    assert _fit([early_stopping(patience=5)], scores) == 10


def test_time_budget_stops_before_an_epoch_would_pass_it(monkeypatch):
    clock = iter(range(0, 1000, 60))  # every call advances one minute
    monkeypatch.setattr(callbacks.time, "perf_counter", lambda: float(next(clock)))
    messages = []
    # Train begins at minute 0; each epoch begins and ends a minute later: epoch 1 ends at
    # minute 2 (1.5 min left, an epoch takes 1), epoch 2 at minute 4, past 3.5 - 1.
    budget = callbacks.TimeBudget(3.5, messages.append)
    assert _fit([budget]) == 2
    assert "time budget of 3.5 min" in messages[0]
    # After epoch 2 (minute 4) no further epoch fits: 2 epochs in all.
    assert budget.planned_epochs == 2


def _phase(start, epochs, budget=None):
    model = keras.Sequential([keras.Input((3, 2)), keras.layers.Softmax()])
    model.compile(loss=SegmentationLoss(2, lovasz_weight=1.0, lovasz_from=start))
    messages = []
    phase = callbacks.LossPhase(start, epochs, messages.append, budget)
    phase.set_model(model)
    return phase, model.loss.lovasz_active, messages


def test_loss_phase_switches_the_lovasz_term_on_at_its_share_of_the_planned_epochs():
    # 0.5 of 10 epochs: the first five (epochs 0-4 as Keras counts) go without the term.
    phase, active, messages = _phase(0.5, 10)
    assert float(active.numpy()) == 0.0
    phase.on_epoch_begin(4)
    assert float(active.numpy()) == 0.0 and not messages
    phase.on_epoch_begin(5)
    assert float(active.numpy()) == 1.0
    assert messages == [
        "epoch 6: the Lovász-softmax term is on from here "
        "(train.loss.lovasz_from 0.5 of 10 planned epochs)"
    ]
    # Once on it stays on, and says so once.
    phase.on_epoch_begin(6)
    assert float(active.numpy()) == 1.0 and len(messages) == 1


def test_loss_phase_follows_the_epochs_a_time_budget_leaves_room_for():
    budget = callbacks.TimeBudget(10.0)
    phase, active, _ = _phase(0.75, 40, budget)
    # Before the budget has judged (first epoch): 0.75 of 40 = 30.
    phase.on_epoch_begin(0)
    assert float(active.numpy()) == 0.0
    # The budget leaves room for 8 epochs in all: on from epoch 6 (0.75 * 8).
    budget.planned_epochs = 8
    phase.on_epoch_begin(5)
    assert float(active.numpy()) == 0.0
    phase.on_epoch_begin(6)
    assert float(active.numpy()) == 1.0


def test_epoch_progress_puts_the_epoch_time_and_rate_into_the_logs():
    lines, seen = [], []

    class Recorder(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(dict(logs))

    progress = callbacks.EpochProgress(epochs=2, n_train=4, log=lines.append)
    _fit([progress, Recorder()], epochs=2)
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2 ")
    for logs in seen:
        assert logs["seconds"] > 0
        assert abs(logs["images_per_second"] - 4 / logs["seconds"]) < 1e-6
    # With a time budget, each line says how much of it is left.
    budgeted = []
    _fit(
        [callbacks.EpochProgress(epochs=1, n_train=4, log=budgeted.append, budget_minutes=60)],
        epochs=1,
    )
    assert re.search(r"img/s, total \d+s, (59\.\d|60\.0) of 60 min left\) ", budgeted[0])


class _Snapshot(keras.callbacks.Callback):
    """The model's weights and the optimizer's averages at this point of each epoch's end."""

    def on_epoch_end(self, epoch, logs=None):
        self.weights = [np.array(w) for w in self.model.get_weights()]
        averages = self.model.optimizer._model_variables_moving_average
        self.averages = [np.array(a.numpy()) for a in averages]


def test_weight_averaging_checkpoints_the_average_and_backs_up_the_raw_weights(tmp_path):
    from streetseg.model.callbacks import install_weight_averaging
    from streetseg.model.compiling import make_optimizer

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=make_optimizer(0.05, ema=0.9), loss="mse")
    best = tmp_path / "best.keras"
    after_checkpoint, after_backup = _Snapshot(), _Snapshot()
    stack = [
        keras.callbacks.ModelCheckpoint(best),
        after_checkpoint,
        keras.callbacks.BackupAndRestore(str(tmp_path / "backup")),
    ]
    install_weight_averaging(stack)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 2)).astype("float32")
    y = x @ np.array([[2.0], [-1.0]], "float32") + 3.0
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[*stack, after_backup])
    # The checkpoint (and anything before the backup) saw the averages; the backup and later
    # callbacks see the raw weights in the model and the averages back in the optimizer.
    saved = keras.models.load_model(best, compile=False).get_weights()
    for seen, average, stored in zip(after_checkpoint.weights, after_backup.averages, saved):
        np.testing.assert_allclose(seen, average)
        np.testing.assert_allclose(stored, average)
    raw_differs = [
        not np.allclose(raw, average)
        for raw, average in zip(after_backup.weights, after_backup.averages)
    ]
    assert any(raw_differs)
