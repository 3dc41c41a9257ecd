"""Every file a mask or slice job reads is one of its declared inputs: the jobs of a folder
that mixes the formats run under strace, and each data file they open must be an input of a
mask or slice job (so that editing it reruns the job that reads it)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.format_writers import write_scene_photo
from tests.helpers.snakefile import SNAKEMAKE, folder_config
from tests.helpers.writers_cvat_mask import LABELS, write_cvat_mask_export
from tests.helpers.writers_labelbox import ndjson_row, write_object_masks
from tests.workflow.conftest import HEIGHT, WIDTH

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace"),
]
OPEN = re.compile(r'^(\d+) +openat\(AT_FDCWD, "([^"]+)", ([A-Z_|]+)')
TARGET = "results/dataset/problems.tsv"
EXEC = re.compile(r'^(\d+) +execve\(".*\.(?:masks|slices)\.py')


def _add_labelbox_and_cvat_masks(data: Path) -> None:
    """A Labelbox NDJSON export whose first row has a mask PNG, and a CVAT mask export."""
    import numpy as np
    from PIL import Image

    scenes = [write_scene_photo(data, f"lb{index}", 3, index, WIDTH, HEIGHT) for index in range(2)]
    masks = {0: "comp0.png"}
    rows = [ndjson_row(*scenes[0], masks=masks), ndjson_row(*scenes[1])]
    write_object_masks(data / "masks", scenes[0], masks)
    (data / "labels.ndjson").write_text("".join(json.dumps(row) + "\n" for row in rows))
    cvat = data / "cvat"
    (cvat / "JPEGImages").mkdir(parents=True)
    Image.new("RGB", (WIDTH, HEIGHT)).save(cvat / "JPEGImages" / "cm0.png")
    write_cvat_mask_export(cvat, {"cm0": np.zeros((HEIGHT, WIDTH), np.uint8)}, LABELS)


def _declared(workdir: Path, config: str) -> set[Path]:
    """The inputs of every mask and slice job of the run, from its records (a dry run shows
    a mask job's inputs only once the slice jobs it waits for have run)."""
    summary = subprocess.run(
        [SNAKEMAKE, TARGET, "--detailed-summary", "--directory", str(workdir)]
        + ["--configfile", config],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    declared = set()
    for line in summary.stdout.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) > 4 and fields[2].startswith(("masks_", "slices_")):
            declared |= {Path(workdir / p).resolve() for p in fields[4].split(",") if p}
    assert declared, summary.stdout + summary.stderr
    return declared


def test_every_file_a_mask_or_slice_job_opens_is_declared(mixed_folder):
    data = mixed_folder / "export"
    _add_labelbox_and_cvat_masks(data)
    config = folder_config(mixed_folder, labels={"unannotated": "background"})
    trace = mixed_folder / "trace.txt"
    command = [SNAKEMAKE, TARGET, "--cores", "1", "--directory", str(mixed_folder)]
    subprocess.run(
        ["strace", "-f", "-qq", "-s", "4096", "-o", str(trace), "-e", "trace=openat,execve"]
        + ["-e", "status=successful", *command, "--configfile", config],
        check=True,
        capture_output=True,
        cwd=Path(__file__).parents[2],
    )
    jobs, opened = set(), set()
    for line in trace.read_text().splitlines():
        if EXEC.match(line):
            jobs.add(EXEC.match(line).group(1))
        found = OPEN.match(line)
        if found and found.group(1) in jobs and "O_DIRECTORY" not in found.group(3):
            path = (mixed_folder / found.group(2)).resolve()
            if path.is_relative_to(data.resolve()):
                opened.add(path)
    assert len(jobs) >= 3 and len(opened) >= 16  # photos, annotations, mask PNGs, labelmap
    assert sorted(map(str, opened - _declared(mixed_folder, config))) == []
