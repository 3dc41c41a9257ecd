"""Small file helpers shared by every stage: atomic writes and log redirection."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds.

    Writers never leave a half-written output behind: an error or an interruption removes the
    temporary file and leaves ``path`` untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        yield temporary
        # mkstemp creates files readable by their owner only; give outputs the usual mode.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_folder(path: str | Path):
    """Yield a temporary folder beside ``path``; it replaces ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        yield temporary
        os.chmod(temporary, 0o777 & ~_umask())
        if path.exists():
            shutil.rmtree(path)
        os.replace(temporary, path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        Path(temporary).write_bytes(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def log_to(path: str | Path) -> None:
    """Send this process's stdout and stderr, including native libraries' output, to a log.

    Snakemake scripts call this first so that TensorFlow's C++ messages, Python tracebacks and
    progress lines all end up in the rule's ``log:`` file.
    """
    global _console
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    log_file = open(path, "w", buffering=1)
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
