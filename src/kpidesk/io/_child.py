"""The reader process: ``python -m kpidesk.io._child`` (see :mod:`kpidesk.io._process`).

It reads one task from stdin, caps its own memory, and writes its messages to what was its
stdout; anything a library prints goes to stderr instead, so it cannot corrupt the messages.
A frozen app (PyInstaller) starts itself with ``READER_FLAG`` and must call :func:`main`
for it before anything else, e.g. ``if sys.argv[1:2] == [READER_FLAG]: sys.exit(main())``.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main() -> int:
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints go to stderr
    from kpidesk.io._process import (
        error_report,
        limit_cpu,
        limit_memory,
        read_frame,
        write_frame,
    )

    try:
        task, payload, memory_limit, time_limit = read_frame(sys.stdin.buffer)
    except Exception:
        return 2
    limit_memory(memory_limit)
    limit_cpu(time_limit)
    # Readers make millions of short-lived lists and no cycles to speak of: a rare cyclic
    # collection saves a fifth of the extraction time.
    gc.freeze()
    gc.set_threshold(500_000, 50, 100)
    file_name = Path(str(payload.get("path", ""))).name
    try:
        tasks = _tasks()
        result = tasks[task](payload, lambda message: write_frame(channel, message))
        write_frame(channel, ("done", result))
    except BaseException as error:  # everything becomes a message; nothing escapes
        try:
            write_frame(channel, ("error", error_report(error, file_name)))
        except BaseException:
            return 3
    finally:
        with contextlib.suppress(OSError):
            channel.close()
    return 0


def _tasks() -> dict[str, Callable[[dict[str, Any], Callable[[Any], None]], Any]]:
    from kpidesk.io.extract import extract_task
    from kpidesk.io.sie.reader import piece_task
    from kpidesk.io.workbook import build_preview

    return {"preview": build_preview, "read": extract_task, "sie": piece_task}


if __name__ == "__main__":
    sys.exit(main())
