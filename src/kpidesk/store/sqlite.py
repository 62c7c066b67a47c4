"""Everything that is SQLite-only: the file header, pragmas, the backup API and the lock.

Kept in one module so that a later PostgreSQL store replaces this file, not the rest.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import json
import os
import socket
import sqlite3
import struct
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from kpidesk.domain.errors import Words
from kpidesk.files import check_sqlite, write_atomically
from kpidesk.i18n import N_
from kpidesk.store.errors import (
    CorruptWorkspaceError,
    CutShort,
    EmptyFileError,
    NewerWorkspaceError,
    NotAWorkspaceError,
    WorkspaceLockedError,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
APPLICATION_ID = 0x4B504944  # "KPID" in the header, so file(1) and KPI Desk can tell

WRITE_PRAGMAS = {
    "foreign_keys": 1,
    "journal_mode": "wal",
    "synchronous": "normal",
    "cache_size": -64_000,
    "busy_timeout": 5000,
    "temp_store": "memory",
}
ROLLBACK_WRITE_PRAGMAS = {**WRITE_PRAGMAS, "journal_mode": "delete", "synchronous": "full"}
"""For a writer that may commit nothing: the rollback journal writes the file only on commit."""
READ_PRAGMAS = {"foreign_keys": 1, "busy_timeout": 5000, "query_only": 1}


@dataclass(frozen=True, slots=True)
class Header:
    user_version: int
    application_id: int
    page_size: int
    page_count: int
    header_size_valid: bool


def read_header(path: Path) -> Header:
    """Read the 100-byte SQLite header without opening a connection (nothing is written)."""
    with path.open("rb") as stream:
        raw = stream.read(100)
    if not raw:
        raise EmptyFileError(path)
    if len(raw) < 100 or not raw.startswith(SQLITE_MAGIC):
        raise NotAWorkspaceError(path)
    page_size = struct.unpack(">H", raw[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", raw[24:32])
    valid_for = struct.unpack(">I", raw[92:96])[0]
    user_version = struct.unpack(">i", raw[60:64])[0]
    application_id = struct.unpack(">i", raw[68:72])[0]
    return Header(user_version, application_id, page_size, page_count, valid_for == change_counter)


def verify_file(path: Path, newest_schema: int) -> Header:
    """Refuse a file that is not a workspace, is cut short, or is newer than this version."""
    header = read_header(path)
    if header.application_id != APPLICATION_ID:
        raise NotAWorkspaceError(path)
    if header.user_version > newest_schema:
        raise NewerWorkspaceError(path, header.user_version, newest_schema)
    if header.user_version < 1:  # every workspace KPI Desk ever wrote has schema 1 or later
        raise CorruptWorkspaceError(path, f"user_version {header.user_version}")
    size = path.stat().st_size
    wal = Path(f"{path}-wal")
    expected = header.page_size * header.page_count
    if header.header_size_valid and size < expected and not (wal.exists() and wal.stat().st_size):
        raise CorruptWorkspaceError(path, CutShort(size, expected))
    return header


def read_only_uri(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


def integrity_problems(connection: sqlite3.Connection, *, quick: bool = False) -> list[str]:
    pragma = "quick_check" if quick else "integrity_check"
    text_factory = connection.text_factory
    # a damaged file's report can quote damaged bytes that are not UTF-8
    connection.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        rows = connection.execute(f"PRAGMA {pragma}").fetchall()
    except UnicodeDecodeError:  # SQLite's own error text quoted damaged bytes
        return ["damaged schema"]
    finally:
        connection.text_factory = text_factory
    problems = [row[0] for row in rows]
    return [] if problems == ["ok"] else problems


def stamp_new_file(connection: sqlite3.Connection) -> None:
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def schema_version(connection: sqlite3.Connection) -> int:
    return connection.execute("PRAGMA user_version").fetchone()[0]


def set_schema_version(connection: sqlite3.Connection, version: int) -> None:
    connection.execute(f"PRAGMA user_version = {int(version)}")


def fold_wal_into_file(connection: sqlite3.Connection) -> None:
    """Write the WAL back into the main file so the workspace is one file again."""
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def leave_wal_mode(connection: sqlite3.Connection) -> bool:
    """Switch to a rollback journal so the closed workspace is a single, mailable file.

    Fails quietly (returns False) while another process still reads the file.
    """
    try:
        fold_wal_into_file(connection)
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError:
        return False
    return str(mode).lower() == "delete"


def copy_database(source: sqlite3.Connection, destination: Path) -> Path:
    """A consistent copy through SQLite's backup API, safe while the source is in use.

    Written through :func:`kpidesk.files.write_atomically`: a temporary file beside the
    destination, flushed, checked to be a whole SQLite file, then renamed; a failed copy (a
    full disk) leaves nothing behind. Returns the path written (a symlink's target).
    """

    def write(partial: Path) -> None:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            target.commit()
        finally:
            target.close()

    return write_atomically(Path(destination), write, check=check_sqlite)


_FULL_ERRNOS = {getattr(errno, name, errno.ENOSPC) for name in ("ENOSPC", "EDQUOT", "EFBIG")}
_READ_ONLY_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


def storage_problem(error: BaseException) -> tuple[str, str] | None:
    """``(kind, detail)`` when ``error``, or what led to it, is the disk refusing a write.

    ``kind`` is ``"full"`` (SQLITE_FULL, ENOSPC, a file grown past its size limit),
    ``"read-only"`` (SQLITE_READONLY, EACCES, EROFS) or ``"io"`` (any other SQLITE_IOERR).
    peewee wraps sqlite3's errors, and its rollback after SQLite has already rolled back
    raises "cannot rollback", so the whole chain of causes is searched.
    """
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        code = (getattr(current, "sqlite_errorcode", None) or 0) & 0xFF
        if code == sqlite3.SQLITE_FULL:
            return "full", str(current)
        if code == sqlite3.SQLITE_READONLY:
            return "read-only", str(current)
        if code == sqlite3.SQLITE_IOERR:
            return "io", str(current)
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return "full", current.strerror or str(current)
        if isinstance(current, OSError) and current.errno in _READ_ONLY_ERRNOS:
            return "read-only", current.strerror or str(current)
        linked = [current.__cause__, current.__context__, *current.args[:1]]
        pending.extend(item for item in linked if isinstance(item, BaseException))
    return None


def storage_reason(kind: str, detail: str = "") -> str:
    """A :func:`storage_problem` in the user's language."""
    if kind == "full":
        return Words(N_("the disk is full"))
    if kind == "read-only":
        return Words(N_("the disk or the file is read-only"))
    return Words(N_("the disk reported an input/output error"))


# The lock ----------------------------------------------------------------------------------


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
