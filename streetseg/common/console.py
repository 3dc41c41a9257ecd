"""Where a job's messages go: its log file, and the console of the person running the workflow."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path


def log_to(path: str | Path) -> None:
    """Send this process's stdout and stderr, including native libraries' output, to a log.

    Snakemake scripts call this first so that TensorFlow's C++ messages, Python tracebacks and
    progress lines all end up in the rule's ``log:`` file.
    """
    global _console
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    log_file = open(path, "w", buffering=1)  # noqa: SIM115  (open for the process's life)
    # Keep a handle on the terminal so that warnings can still reach the person running it.
    _console = os.fdopen(os.dup(2), "w", buffering=1)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log_file.fileno(), 1)
    os.dup2(log_file.fileno(), 2)
    sys.stdout = log_file
    sys.stderr = log_file
    # A failed job's log starts its error with the message (shown on the console through
    # show-failed-logs), not with a stack.
    sys.excepthook = _report_error


_console = None


def say(message: str) -> None:
    """Print a message to the job's log and, when :func:`log_to` redirected it, the console:
    progress, summaries and warnings that the person running the workflow should see."""
    print(message, flush=True)
    if _console is not None:
        print(message, file=_console, flush=True)


def _report_error(kind, error, trace) -> None:
    """Print an uncaught error to the log: an expected streetseg error (a ValueError subclass
    whose message names the file and the object) as its message alone, anything else as its
    message first and then the traceback, which is then a bug worth reporting."""
    print(f"Error: {error}", file=sys.stderr, flush=True)
    if not (issubclass(kind, ValueError) and kind.__module__.startswith("streetseg")):
        traceback.print_exception(kind, error, trace, file=sys.stderr)
    sys.stderr.flush()
