"""P7: TFRecord shard writing in MB/s of input, against a plain copy of the same bytes.

Usage: .venv/bin/python bench/shards.py [N_SCENES] [REPEATS] [--against REV]
       (default: 200 5; e.g. --against 847278e to time that commit's writer in the same run)

The demo's N_SCENES photos and masks (320x240, made once in the bench cache) are packed
into 2 shards by ``streetseg.data.shards.write_shards``, REPEATS times, interleaved with the
"disk speed" reference: the same input files copied, file by file, into 2 concatenated
files (``shutil.copyfileobj``). MB/s is the summed size of the input files over the median
time. ``--against REV`` also times ``streetseg/data/shards.py`` as it was at git revision REV
(loaded from ``git show``; the rest of the package is the current one) and checks that both
shards decode to the same records. The SHA-256 of the shards shows they are reproducible.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

from _common import (
    demo_masks,
    interleaved_medians,
    module_at,
    parse_against,
    print_table,
    quiet_tensorflow,
)


def copy_files(groups: list[list[Path]], outputs: list[Path]) -> None:
    for files, output in zip(groups, outputs):
        with open(output, "wb") as target:
            for path in files:
                with open(path, "rb") as source:
                    shutil.copyfileobj(source, target)


def digest(paths) -> str:
    hasher = hashlib.sha256()
    for path in paths:
        hasher.update(Path(path).read_bytes())
    return hasher.hexdigest()[:16]


def main(n_scenes: int = 200, repeats: int = 5, against: str | None = None) -> None:
    quiet_tensorflow()
    from streetseg.data import shards as tfrecords
    from streetseg.data.shards import deal_to_shards, read_records, shard_names

    pairs = {s: (str(image), str(mask)) for s, (image, mask) in demo_masks(n_scenes).items()}
    megabytes = sum(Path(p).stat().st_size for pair in pairs.values() for p in pair) / 1e6
    groups = [
        [Path(p) for s in group for p in pairs[s]] for group in deal_to_shards(list(pairs), 2)
    ]
    quiet = {"log": lambda *_: None}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        names = shard_names("train", 2)
        ours = [str(folder / "ours" / n) for n in names]
        copies = [folder / f"copy-{i}" for i in range(2)]
        candidates = {
            "ours": lambda: tfrecords.write_shards(pairs, ours, **quiet),
            "copy": lambda: copy_files(groups, copies),
        }
        if against:
            old_module = module_at(against, "streetseg/data/shards.py")
            old = [str(folder / "old" / n) for n in names]
            candidates["old"] = lambda: old_module.write_shards(pairs, old, **quiet)
        times = interleaved_medians(candidates, repeats=repeats)
        shard_mb = sum(Path(p).stat().st_size for p in ours) / 1e6
        rows = [
            (
                "data",
                (
                    f"{n_scenes} demo photos + masks (320x240), {megabytes:.2f} MB in, "
                    f"2 shards ({shard_mb:.2f} MB out); median of {repeats}"
                ),
            ),
            ("write_shards", _speed(times["ours"], n_scenes, megabytes, bold=True)),
            (
                "plain copy of the same bytes (disk speed)",
                f"{times['copy']:.3f} s = {megabytes / times['copy']:.0f} MB/s",
            ),
            ("ratio copy speed / write_shards speed", f"{times['ours'] / times['copy']:.1f}x"),
            ("shards SHA-256 (first 16 hex)", digest(ours)),
        ]
        if against:
            same = read_records(old) == read_records(ours)
            decoded = _decoded(read_records(old)) == _decoded(read_records(ours))
            rows[2:2] = [
                (f"write_shards at {against}", _speed(times["old"], n_scenes, megabytes)),
                (f"speed-up over {against}", f"**{times['old'] / times['ours']:.2f}x**"),
                (f"records equal to {against}'s", f"bytes: {same}; decoded pixels: {decoded}"),
            ]
        rows.append(("goal", "disk speed: no per-record Python overhead dominating"))
        print_table("P7: TFRecord shard writing", rows)


def _speed(seconds: float, records: int, megabytes: float, bold: bool = False) -> str:
    rate = f"{megabytes / seconds:.1f} MB/s"
    rate = f"**{rate}**" if bold else rate
    return f"{seconds:.3f} s = {1000 * seconds / records:.2f} ms/record = {rate}"


def _decoded(records: list[dict]) -> list:
    """Records with their image and mask decoded to pixels, for comparing content."""
    import io

    import numpy as np
    from PIL import Image

    def pixels(data):
        return np.asarray(Image.open(io.BytesIO(data))).tobytes()

    return [{**r, "image": pixels(r["image"]), "mask": pixels(r["mask"])} for r in records]


if __name__ == "__main__":
    arguments, revision = parse_against(sys.argv[1:])
    main(*(int(arg) for arg in arguments[:2]), against=revision)
