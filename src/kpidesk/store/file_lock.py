"""The write lock on a workspace file: an OS lock that dies with its process.

``flock`` (``msvcrt.locking`` on Windows) on a small ``.lock`` file beside the workspace,
which names its holder (user, host, process, since when), so a second KPI Desk can say who
has the file open. Every name of one file (a symlink, a hard link) shares one lock.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kpidesk.store.errors import WorkspaceLockedError


@dataclass(frozen=True, slots=True)
class LockHolder:
    user: str
    host: str
    pid: int
    since: str

    @classmethod
    def of_this_process(cls) -> LockHolder:
        try:
            user = getpass.getuser()
        except Exception:  # no login name on some service accounts
            user = "?"
        return cls(
            user, socket.gethostname(), os.getpid(), datetime.now().isoformat("T", "seconds")
        )

    @classmethod
    def parse(cls, raw: bytes) -> LockHolder | None:
        try:
            data = json.loads(raw.decode("utf-8").strip("\x00 \n"))
            return cls(str(data["user"]), str(data["host"]), int(data["pid"]), str(data["since"]))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None


_LOCK_OFFSET = 4096  # Windows locks a byte range; the holder's details stay readable before it


def lock_path_for(path: Path) -> Path:
    """The lock file of a workspace: beside the file itself, a symlink followed, so every
    name of one workspace shares one lock."""
    real = Path(os.path.realpath(path))
    return real.with_name(real.name + ".lock")


class WorkspaceLock:
    """An exclusive lock that the operating system releases when the process dies.

    ``flock`` on POSIX, ``msvcrt.locking`` on Windows, on a small ``.lock`` file beside the
    workspace that also names the holder (user, host, process, since).
    """

    def __init__(self, workspace: Path) -> None:
        self.workspace = Path(workspace)
        self.path = lock_path_for(self.workspace)
        self._fd: int | None = None

    def acquire(self) -> None:
        for _attempt in range(5):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                holder = _read_holder(fd)
                os.close(fd)
                raise WorkspaceLockedError(self.workspace, holder)
            if _same_file(fd, self.path):
                self._fd = fd
                try:
                    _write_holder(fd, LockHolder.of_this_process())
                except OSError:  # a full disk: give the lock back rather than leak it
                    self.release()
                    raise
                return
            os.close(fd)  # the previous holder removed the file as we opened it; try again
        raise WorkspaceLockedError(self.workspace, None)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            if sys.platform != "win32":
                self.path.unlink(missing_ok=True)
        _unlock(fd)
        os.close(fd)
        if sys.platform == "win32":
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)

    @property
    def held(self) -> bool:
        return self._fd is not None


def current_holder(workspace: Path) -> LockHolder | None:
    """Who holds ``workspace`` for writing now, or None if nobody does."""
    path = lock_path_for(Path(workspace))
    if not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if _try_lock(fd):
            _unlock(fd)
            return None
        return _read_holder(fd) or LockHolder("?", "?", 0, "?")
    finally:
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _read_holder(fd: int) -> LockHolder | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return LockHolder.parse(os.read(fd, 1024))
    except OSError:
        return None


def _write_holder(fd: int, holder: LockHolder) -> None:
    payload = json.dumps(
        {"user": holder.user, "host": holder.host, "pid": holder.pid, "since": holder.since}
    )
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, payload.encode("utf-8"))
    os.fsync(fd)


if sys.platform == "win32":  # pragma: no cover - exercised by the Windows build
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
