"""The records of a training run: the history table and the run record."""

import math

import pandas as pd

from streetseg.model.runs import history_table, read_run_record, run_record, write_run_record


def test_history_table_numbers_epochs_and_keeps_extra_columns_after_the_standard_ones():
    log = pd.DataFrame(
        {"epoch": [0, 1], "seconds": [3.0, 2.0], "loss": [1.5, 1.0], "miou": [0.1, 0.2]}
    )
    table = history_table(log)
    assert list(table.columns) == ["epoch", "loss", "miou", "val_loss", "val_miou", "seconds"]
    assert table["epoch"].tolist() == [1, 2]
    assert table["val_miou"].isna().all()


def test_run_record_gives_the_median_rate_the_epoch_seconds_and_the_machine(tmp_path):
    history = pd.DataFrame(
        {
            "epoch": [1, 2, 3, 4],
            "seconds": [10.0, 4.0, 4.5, 5.5],
            # The first epoch also traces the graph; the median is not moved by it.
            "images_per_second": [4.0, 10.0, 9.0, 8.0],
        }
    )
    record = run_record(history, n_train=40, n_val=8, gpus=[], wall_seconds=31.25)
    assert record["epochs"] == 4
    assert record["images_per_second"] == 8.5
    assert record["fit_seconds"] == 24.0
    assert record["wall_seconds"] == 31.2
    assert (record["train_images"], record["val_images"]) == (40, 8)
    assert record["machine"].startswith(f"{record['cpu']}, {record['cores']} cores, ")
    assert record["machine"].endswith("AVX-512")
    path = tmp_path / "run.json"
    write_run_record(str(path), record)
    assert read_run_record(str(path)) == record


def test_a_run_without_timed_epochs_has_no_rate():
    record = run_record(pd.DataFrame({"epoch": []}), 0, 0, ["/GPU:0"], 1.0)
    assert record["images_per_second"] is None
    assert record["fit_seconds"] is None
    assert record["machine"].endswith(", GPU: /GPU:0")
    assert not math.isnan(record["wall_seconds"])
