"""Shared helpers for the bench/ scripts: timing, the machine line, demo data and the table.

Not a script. Demo data (scenes, masks, shards) is generated once per size under a cache
folder (``$STREETSEG_BENCH_CACHE``, default ``/tmp/streetseg-bench``) and reused by later runs,
so only the first run of a script pays for it.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

CACHE = Path(os.environ.get("STREETSEG_BENCH_CACHE", "/tmp/streetseg-bench"))
SEED = 7


def without_scontrol() -> dict:
    """The environment with a failing ``scontrol`` first on PATH. A SLURM client without a
    controller makes the SLURM executor plugin wait 10 s in ``scontrol`` at every Snakemake
    start; the stub keeps that machine artefact out of the timings."""
    import tempfile

    stub = Path(tempfile.mkdtemp()) / "bin"
    stub.mkdir()
    (stub / "scontrol").write_text("#!/bin/sh\nexit 1\n")
    (stub / "scontrol").chmod(0o755)
    return {**os.environ, "PATH": f"{stub}:{os.environ['PATH']}"}


def default_config() -> dict:
    """The workflow's config/config.yaml as a dict."""
    import yaml

    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def classes() -> list[dict]:
    return default_config()["classes"]


def segment_settings(table: list[dict], infer: bool = False, **overrides):
    """The predict (or ``infer``) settings of config/config.yaml with ``table`` and
    ``overrides`` (batch_size, tta, pictures, max_pixels)."""
    import dataclasses

    from streetseg.inference.settings import SegmentSettings

    config = {**default_config(), "classes": table}
    settings = SegmentSettings.for_infer(config) if infer else SegmentSettings.for_predict(config)
    return dataclasses.replace(settings, **overrides)


def mask_settings(table: list[dict]):
    """The mask settings of config/config.yaml (which sets every mask key) with ``table``."""
    from streetseg.labels.settings import MaskSettings

    config = default_config()
    return MaskSettings.from_sections(
        table, config["labels"], config["annotations"], config["images"]["max_pixels"]
    )


def median_time(function, repeats: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``function()`` in seconds over ``repeats`` runs after ``warmup``."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def interleaved_medians(functions: dict, repeats: int = 5, warmup: int = 1) -> dict:
    """Median time of each named function, the runs interleaved so that load changes on a
    shared machine hit every candidate alike."""
    for function in functions.values():
        for _ in range(warmup):
            function()
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


# The reference model of the machine line: fixed here, so that lines from different dates
# compare machines, not versions of the workflow's config.
REFERENCE_SIZE, REFERENCE_CLASSES, REFERENCE_BATCH = (64, 64), 8, 8
REFERENCE_WARMUP_STEPS, REFERENCE_STEPS = 5, 100


def reference_training_speed() -> float:
    """Images/s of Keras ``fit`` on the reference model, in this process.

    The model is ``build_unet((64, 64), 8, depth=3, base_filters=8)`` with dropout 0.1 and
    batch norm, compiled with Adam and Keras's sparse cross-entropy, fed seeded random images
    and masks in batches of 8 by one ``fit`` call: REFERENCE_WARMUP_STEPS untimed steps (graph
    tracing), then REFERENCE_STEPS timed ones. About 15 s on 2 cores with TensorFlow's import.
    """
    quiet_tensorflow()
    import keras
    import numpy as np

    from streetseg.model.unet import build_unet

    keras.utils.set_random_seed(SEED)
    model = build_unet(
        REFERENCE_SIZE,
        REFERENCE_CLASSES,
        depth=3,
        base_filters=8,
        dropout_rate=0.1,
        batch_norm=True,
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(SEED)
    count = (REFERENCE_WARMUP_STEPS + REFERENCE_STEPS) * REFERENCE_BATCH
    images = rng.uniform(0, 255, (count, *REFERENCE_SIZE, 3)).astype("float32")
    masks = rng.integers(0, REFERENCE_CLASSES, (count, *REFERENCE_SIZE, 1), dtype="int32")
    times = {}

    class Clock(keras.callbacks.Callback):
        """The time from the first step after the warm-up to the end of the last."""

        def on_train_batch_begin(self, batch, logs=None):
            if batch == REFERENCE_WARMUP_STEPS:
                times["start"] = time.perf_counter()

        def on_train_end(self, logs=None):
            times["end"] = time.perf_counter()

    model.fit(images, masks, batch_size=REFERENCE_BATCH, verbose=0, callbacks=[Clock()])
    return REFERENCE_STEPS * REFERENCE_BATCH / (times["end"] - times["start"])


@functools.cache
def machine() -> str:
    """One line: CPU model, cores, AVX-512, and the reference model's training images/s.

    The speed is measured in a fresh process (bench/machine.py --images-per-second), so the
    calling benchmark's own TensorFlow state and memory neither help nor hinder it; it is
    measured when this is first called, under the machine's load at that moment.
    """
    from streetseg.common.machine import describe_machine, machine_facts

    command = [sys.executable, str(REPO / "bench" / "machine.py"), "--images-per-second"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    if done.returncode == 0:
        speed = f"{float(done.stdout.split()[-1]):.0f} images/s"
    else:
        speed = "not measured (" + (done.stderr.strip().splitlines() or ["failed"])[-1] + ")"
    return (
        f"{describe_machine(machine_facts())}, reference training {speed} "
        f"(bench/machine.py), Python {platform.python_version()}"
    )


def command() -> str:
    """The command line that ran this script, relative to the repository root."""
    script = Path(sys.argv[0]).resolve()
    with contextlib.suppress(ValueError):
        script = script.relative_to(REPO)
    return " ".join([".venv/bin/python", str(script), *map(shlex.quote, sys.argv[1:])])


def print_table(row: str, rows: list[tuple[str, str]]) -> None:
    """Print one small markdown table: date, machine, command, then the given (name, value)."""
    lines = [f"### {row}", "", "| | |", "|---|---|"]
    header = [
        ("date", datetime.date.today().isoformat()),
        ("machine", machine()),
        ("command", f"`{command()}`"),
    ]
    lines += [f"| {name} | {value} |" for name, value in header + rows]
    print("\n".join(lines), flush=True)


def provenance() -> str:
    """Date, machine line and command in one line, for a table a script prints by hand."""
    return f"{datetime.date.today().isoformat()}; {machine()}; `{command()}`"


def demo_scenes(n_scenes: int, width: int = 320, height: int = 240) -> Path:
    """Folder of ``n_scenes`` demo scenes (jpg + Labelbox VOC xml), generated once."""
    from streetseg.demo.scenes import write_demo

    folder = CACHE / f"demo-{n_scenes}-{width}x{height}-seed{SEED}"
    done = folder / ".done"
    if not done.exists():
        write_demo(folder, n_scenes, SEED, width, height, log=lambda *_: None)
        done.touch()
    return folder


def demo_masks(n_scenes: int, width: int = 320, height: int = 240) -> dict[str, tuple[Path, Path]]:
    """{sample: (image, mask)} for the demo scenes, masks made once with make_mask."""
    from streetseg.demo.scenes import demo_sample_ids
    from streetseg.labels.masks import make_mask

    scenes = demo_scenes(n_scenes, width, height)
    masks = scenes / "masks"
    done = masks / ".done"
    pairs = {s: (scenes / f"{s}.jpg", masks / f"{s}.png") for s in demo_sample_ids(n_scenes)}
    if not done.exists():
        table = classes()
        for sample, (image, mask) in pairs.items():
            make_mask(scenes / f"{sample}.xml", image, mask, mask_settings(table))
        done.touch()
    return pairs


def demo_shards(
    n_scenes: int, num_shards: int = 2, width: int = 320, height: int = 240
) -> list[str]:
    """Shard paths holding every demo scene (as one 'train' split), written once."""
    from streetseg.data.shards import shard_names, write_shards

    pairs = demo_masks(n_scenes, width, height)
    folder = demo_scenes(n_scenes, width, height) / f"shards-{num_shards}"
    paths = [str(folder / name) for name in shard_names("train", num_shards)]
    done = folder / ".done"
    if not done.exists():
        write_shards({s: tuple(map(str, p)) for s, p in pairs.items()}, paths, log=lambda *_: None)
        done.touch()
    return paths


def quiet_tensorflow() -> None:
    """Silence TensorFlow's start-up chatter (must run before it is imported)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def module_at(revision: str, relative_path: str) -> types.ModuleType:
    """A source file of this repository as it was at git ``revision``, as a module of its
    own (its imports resolve to the current package), for before/after timings in one run."""
    source = subprocess.run(
        ["git", "show", f"{revision}:{relative_path}"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType(f"{Path(relative_path).stem}_at_{revision}")
    code = compile(source, f"{revision}:{relative_path}", "exec")
    # exec of this repository's own file at a revision, nothing from outside.
    exec(code, module.__dict__)
    return module


def parse_against(arguments: list[str]) -> tuple[list[str], str | None]:
    """Split ``--against REV`` off the command-line arguments."""
    if "--against" not in arguments:
        return arguments, None
    at = arguments.index("--against")
    return arguments[:at] + arguments[at + 2 :], arguments[at + 1]
