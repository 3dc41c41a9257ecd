"""The problem table: every bad sample found while listing or making masks, in one place.

A problem is one row of (sample, file, object, problem): the sample it takes out (empty when
the file gives no sample at all), the file at fault, the object in it (an object, shape,
annotation or image entry; empty for a whole-file problem) and the reason. Listing problems
are found while the DAG is built; mask problems inside the mask jobs. Both end up in
``results/dataset/problems.tsv`` and, shortened, on the console.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from streetseg.common.errors import FileError
from streetseg.common.files import atomic_path

COLUMNS = ["sample", "file", "object", "problem"]
# How many rows the console shows; the file always holds them all.
CONSOLE_ROWS = 20


@dataclass(frozen=True)
class Problem:
    """One bad sample or file: see the module docstring."""

    sample: str
    file: str
    object: str
    problem: str


def from_error(error: Exception, file: str, sample: str = "") -> Problem:
    """A problem from an exception, its columns from the error's fields: a
    :class:`~streetseg.common.errors.FileError` names ``file``, ``where`` and ``problem``; an
    OSError its ``filename``. ``file`` is the file at fault where the error names none."""
    if isinstance(error, FileError):
        return Problem(sample, error.file or str(file), error.where or "", error.problem)
    named = getattr(error, "filename", None)
    reason = getattr(error, "strerror", None) if named else None
    return Problem(sample, str(named or file), "", str(reason or error))


def describe(problem: Problem) -> str:
    """One problem as an error message: "file: object: problem" (or "file: problem")."""
    parts = [problem.file, problem.object, problem.problem]
    return ": ".join(part for part in parts if part)


def problems_frame(problems) -> pd.DataFrame:
    """The problems as a table with :data:`COLUMNS`, sorted by file, object and sample."""
    frame = pd.DataFrame([asdict(p) for p in problems], columns=COLUMNS).fillna("")
    return frame.sort_values(["file", "object", "sample"], kind="stable").reset_index(drop=True)


def write_problems(problems, path: str | Path) -> pd.DataFrame:
    """Write the problem table (a header only when there are none) atomically."""
    frame = problems_frame(problems)
    with atomic_path(path) as temporary:
        frame.to_csv(temporary, sep="\t", index=False)
    return frame


def read_problems(path: str | Path) -> list[Problem]:
    """Read a table written by :func:`write_problems`."""
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    return [Problem(*(row[column] for column in COLUMNS)) for _, row in frame.iterrows()]


def _clip(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 3] + "..."


def format_problems(
    problems, where: str = "results/dataset/problems.tsv", rows: int = CONSOLE_ROWS
) -> str:
    """A short console table: a count, the first ``rows`` problems (file, object, problem),
    and where the full table is."""
    frame = problems_frame(problems)
    count = len(frame)
    noun = "problem" if count == 1 else "problems"
    shown = frame.head(rows)
    head = f"{count} {noun} in the data" + (
        f" (the first {rows} below" if count > rows else " (below"
    )
    lines = [head + (f"; all in {where}):" if where else "):")]
    files = [_clip(value, 60) for value in shown["file"]]
    objects = [_clip(value, 30) for value in shown["object"]]
    file_width = max([len("file"), *map(len, files)])
    object_width = max([len("object"), *map(len, objects)])
    lines.append(f"  {'file':<{file_width}}  {'object':<{object_width}}  problem")
    for file, obj, reason in zip(files, objects, shown["problem"]):
        lines.append(f"  {file:<{file_width}}  {obj:<{object_width}}  {_clip(reason, 160)}")
    if count > rows:
        lines.append(f"  ... and {count - rows} more")
    return "\n".join(lines)


def bad_samples(problems) -> set[str]:
    """The sample ids the problems take out."""
    return {problem.sample for problem in problems if problem.sample}


class BadSamplesError(ValueError):
    """The data has problems and data.on_bad_sample is "stop"; the message is the table."""


def collect_problems(
    listing: list[dict],
    chunk_tables: list[str],
    out_path: str | Path,
    show_table: bool = True,
    log=print,
) -> list[Problem]:
    """The problems stage: the listing's problems (dicts of :data:`COLUMNS`, found while the
    DAG was built) and every mask job's problem table, written as one table to ``out_path``.
    ``log`` gets the short table (``show_table``) or only the count."""
    problems = [
        Problem(**{column: str(row.get(column, "")) for column in COLUMNS}) for row in listing
    ]
    for path in chunk_tables:
        problems += read_problems(path)
    write_problems(problems, out_path)
    if not problems:
        log("no problems in the data")
    else:
        log(
            format_problems(problems, str(out_path))
            if show_table
            else f"{len(problems)} problem(s) in the data: {out_path}"
        )
    return problems


def check_problems(
    problems, on_bad_sample: str, where: str = "results/dataset/problems.tsv"
) -> None:
    """The gate before training: with problems and ``on_bad_sample`` "stop", raise the table."""
    if problems and on_bad_sample == "stop":
        raise BadSamplesError(
            format_problems(problems, where) + "\ndata.on_bad_sample is stop, so the run stops "
            "before training; every good mask is kept. Fix the files and run again (only what "
            "changed is redone), or set data.on_bad_sample: skip to train without them."
        )


def listing_report(problems, on_bad_sample: str) -> str:
    """What the console shows of the problems found while listing (before any job), and what
    happens next under ``data.on_bad_sample`` ("stop" or "skip")."""
    what_next = (
        "data.on_bad_sample is stop: every good mask is made, then the run stops before "
        "training; fix the files or set data.on_bad_sample: skip to leave them out"
        if on_bad_sample == "stop"
        else "data.on_bad_sample is skip: these files are left out"
    )
    table = format_problems(problems, "results/dataset/problems.tsv, after the mask stage")
    return f"{table}\n{what_next}"
