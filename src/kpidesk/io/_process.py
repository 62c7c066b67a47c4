"""Running the reader in a separate process, with a memory and a time limit.

A spreadsheet can make a reader allocate without bound (one 1 KB ``.xls`` makes calamine ask
for 4 GB), loop or crash. So files are read in a child process: on POSIX its address space
is capped with ``RLIMIT_AS``, and the parent stops it when it overruns its time, when the
caller cancels, or when it dies; each case becomes a clear :class:`SpreadsheetError`.

The child is a fresh interpreter (``python -m kpidesk.io._child``), never a fork of the app
(a Qt process must not be forked), and unlike multiprocessing it never re-imports the
caller's main script. In a frozen app ``sys.executable`` is the app itself: it must hand
``READER_FLAG`` to :func:`kpidesk.io._child.main` (see that module).

The task goes to the child's stdin as one pickle; the child answers on its stdout with
length-prefixed pickles: ``("progress", done, total)``, ``("chunk", chunk)``, then
``("done", result)`` or ``("error", SpreadsheetError)``. A thread reads them into a small
queue, so a slow consumer slows the child down instead of piling up memory.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from kpidesk.io.errors import (
    MSG_CRASHED,
    MSG_DAMAGED,
    MSG_MEMORY,
    MSG_TIMEOUT,
    ReadCancelled,
    SpreadsheetError,
    SpreadsheetErrorKind,
    one_line,
)

DEFAULT_MEMORY_LIMIT = 1536 * 1024 * 1024  # 1.5 GiB of address space for the reader
READ_TIME_LIMIT = 600.0  # seconds for reading a whole sheet
POLL_SECONDS = 0.05
READER_FLAG = "--kpidesk-reader"
_HEADER = struct.Struct("<Q")
_MAX_FRAME = 1024**3


def reader_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, READER_FLAG]
    return [sys.executable, "-P", "-m", "kpidesk.io._child"]


def _child_environment() -> dict[str, str]:
    """The app's environment, with this very ``kpidesk`` first on the child's path (the app
    may run from a source tree that the child would not find on its own)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    paths = [root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def limit_cpu(seconds: float | None) -> None:
    """End this process (SIGXCPU) once it has used ``seconds`` of CPU: a reader whose parent
    died does not go on for ever (POSIX)."""
    if not seconds:
        return
    try:
        import resource
    except ImportError:
        return
    try:
        limit = int(seconds) + 10
        _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
    except (ValueError, OSError):
        pass


def limit_memory(limit: int | None) -> None:
    """Cap this process's address space (POSIX); silently nothing where that is unsupported."""
    if not limit:
        return
    try:
        import resource
    except ImportError:  # Windows
        return
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


# Frames ------------------------------------------------------------------------------------


def write_frame(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next message; EOFError when the stream ends."""
    header = _read_exactly(stream, _HEADER.size)
    (size,) = _HEADER.unpack(header)
    if size > _MAX_FRAME:
        raise EOFError("frame too large")
    return pickle.loads(_read_exactly(stream, size))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    parts = []
    remaining = size
    while remaining:
        part = stream.read(remaining)
        if not part:
            raise EOFError
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


# The parent's side -------------------------------------------------------------------------

_END = object()


def run_in_child(
    task: str,
    payload: dict[str, Any],
    *,
    file_name: str,
    on_message: Callable[[tuple[Any, ...]], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    time_limit: float = 30.0,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
) -> Any:
    """Run ``task`` of :mod:`kpidesk.io._child` in a reader process; its result.

    Raises :class:`SpreadsheetError` (the child's own, or for a child that ran out of memory,
    overran ``time_limit`` seconds or died) and :class:`ReadCancelled`.
    """
    child = ChildRun(task, payload, time_limit=time_limit, memory_limit=memory_limit)
    return child.result(file_name=file_name, on_message=on_message, cancelled=cancelled)


class ChildRun:
    """A reader process at work on one task, started at once; :meth:`result` takes what it
    sends. Started early, it reads while its caller gets ready (the command line's import
    starts it before loading the import's modules and opening the workspace)."""

    def __init__(
        self,
        task: str,
        payload: dict[str, Any],
        *,
        time_limit: float = 30.0,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    ) -> None:
        self.task = task
        self.payload = payload
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        self._process = subprocess.Popen(
            reader_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            close_fds=True,
            creationflags=flags,
            env=_child_environment(),
        )
        self._messages: queue.Queue[Any] = queue.Queue(maxsize=4)
        self._stop = threading.Event()
        self._reader = threading.Thread(
            target=_pump,
            args=(self._process.stdout, self._messages, self._stop),
            daemon=True,
            name="kpidesk-reader-pipe",
        )
        self._reader.start()
        self._deadline = time.monotonic() + time_limit
        self._closed = False
        assert self._process.stdin is not None
        try:
            write_frame(self._process.stdin, (task, payload, memory_limit, time_limit))
            self._process.stdin.close()
        except OSError:
            pass  # the child died at once: its exit says why

    def result(
        self,
        *,
        file_name: str,
        on_message: Callable[[tuple[Any, ...]], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Any:
        """Wait for the task's result, handing every other message to ``on_message``; the
        process is gone when this returns or raises (see :func:`run_in_child`)."""
        process, messages = self._process, self._messages
        try:
            while True:
                if cancelled is not None and cancelled():
                    raise ReadCancelled()
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    raise SpreadsheetError(
                        SpreadsheetErrorKind.TIMEOUT, MSG_TIMEOUT, file=file_name
                    )
                try:
                    message = messages.get(timeout=min(POLL_SECONDS, remaining))
                except queue.Empty:
                    continue
                if message is _END:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(timeout=5.0)
                    raise _death(process.returncode, _tail(self._stderr), file_name)
                kind = message[0]
                if kind == "done":
                    return message[1]
                if kind == "error":
                    raise message[1]
                if on_message is not None:
                    on_message(message)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the process (if still at work) and let go of its pipes."""
        if self._closed:
            return
        self._closed = True
        _stop(self._process)
        self._stop.set()
        _drain(self._messages)
        self._reader.join(5.0)
        for stream in (self._process.stdin, self._process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self._stderr.close()


def start_reading(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    layout_kind: str | None = None,
    default_year: int | None = None,
    time_limit: float = READ_TIME_LIMIT,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
) -> ChildRun:
    """Begin :func:`kpidesk.io.extract.read_records` of ``path`` now and hand the running
    reader to it later (``started=``). Cheap to import: the command line calls it before it
    loads the rest."""
    payload = read_payload(path, sheet=sheet, force=layout_kind, default_year=default_year)
    return ChildRun("read", payload, time_limit=time_limit, memory_limit=memory_limit)


def read_payload(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    layout: Any = None,
    force: str | None = None,
    default_year: int | None = None,
) -> dict[str, Any]:
    """The ``read`` task's payload (see :func:`kpidesk.io.extract.read_records`): the sheet,
    a layout found before (or None), a layout kind to force, the year for bare months."""
    return {
        "path": str(path),
        "sheet": sheet,
        "layout": layout,
        "force": force,
        "default_year": default_year,
    }


def _pump(stream: IO[bytes], messages: queue.Queue[Any], stop: threading.Event) -> None:
    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                messages.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    try:
        while put(read_frame(stream)):
            pass
    except Exception:  # EOFError, a broken pickle, a closed pipe
        pass
    finally:
        put(_END)


def _drain(messages: queue.Queue[Any]) -> None:
    while True:
        try:
            messages.get_nowait()
        except queue.Empty:
            return


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5.0)


def _tail(stderr: IO[bytes]) -> str:
    try:
        stderr.seek(0, os.SEEK_END)
        size = stderr.tell()
        stderr.seek(max(0, size - 4096))
        return stderr.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _death(exitcode: int | None, stderr: str, file_name: str) -> SpreadsheetError:
    """Why a child died: a failed allocation (Python's MemoryError, Rust's abort), the
    kernel's OOM killer, or a crash."""
    text = stderr.lower()
    memory_signals = {getattr(signal, "SIGABRT", 6), getattr(signal, "SIGKILL", 9)}
    if (
        "memory allocation" in text
        or "memoryerror" in text
        or "cannot allocate memory" in text
        or (exitcode is not None and exitcode < 0 and -exitcode in memory_signals)
        or (sys.platform == "win32" and exitcode in (3, 0xC0000017, 0xC0000409))
    ):
        return SpreadsheetError(SpreadsheetErrorKind.MEMORY, MSG_MEMORY, file=file_name)
    last = [line for line in stderr.strip().splitlines() if line.strip()][-1:] or [
        f"exit code {exitcode}"
    ]
    return SpreadsheetError(
        SpreadsheetErrorKind.CRASHED, MSG_CRASHED, file=file_name, detail=one_line(last[0])
    )


# The child's side --------------------------------------------------------------------------


def error_report(error: BaseException, file_name: str) -> SpreadsheetError:
    """An exception in the child as a :class:`SpreadsheetError` for the parent."""
    if isinstance(error, SpreadsheetError):
        return error
    if isinstance(error, MemoryError):
        return SpreadsheetError(SpreadsheetErrorKind.MEMORY, MSG_MEMORY, file=file_name)
    if isinstance(error, RecursionError):
        return SpreadsheetError(
            SpreadsheetErrorKind.DAMAGED, MSG_DAMAGED, file=file_name, detail="nesting too deep"
        )
    return SpreadsheetError(
        SpreadsheetErrorKind.DAMAGED,
        MSG_DAMAGED,
        file=file_name,
        detail=one_line(f"{type(error).__name__}: {error}"),
    )
