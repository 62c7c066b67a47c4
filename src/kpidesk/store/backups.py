"""Backup copies of a workspace, made with SQLite's backup API and kept in rotation.

A workspace on a server is copied into the same kind of file (a ``.kpidesk`` snapshot, read
in one consistent transaction), kept in a folder of its own named after the server and
database; restoring a server from one is ``kpidesk publish`` into an empty database.

Copies live in the user's data folder, one folder per workspace, so a consultant's client
folder holds only the workspace itself. A copy is named ``<workspace> <stamp> <reason>.kpidesk``
(the stamp is local time, ``20260314-091502-123456``); the newest ``KEEP`` per workspace are
kept. Copies are made:

- when a workspace is opened for writing (``backup_on_open``: at most one per
  ``OPEN_INTERVAL``, none for a workspace that holds nothing yet),
- before a migration (``Workspace.open``), before a restore (``restore_backup``),
- when asked (``make_backup`` for an open workspace, ``backup_file`` for a file).

Every copy is written under a temporary name and renamed, so a copy is never half-written.
A restore copies the backup beside the workspace, checks the copy opens as a workspace and
only then replaces the workspace in one rename, after keeping the current state as a backup.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kpidesk.domain.errors import DomainError
from kpidesk.files import (
    FileWriteError,
    check_sqlite,
    held,
    os_reason,
    put_in_place,
    replace_file,
    sync_folder,
    temporary_path,
)
from kpidesk.i18n import N_
from kpidesk.store import migrations
from kpidesk.store.errors import (
    CorruptWorkspaceError,
    DamagedBackupError,
    WorkspaceError,
    WorkspaceExistsError,
    WorkspaceIsFolderError,
    WorkspaceLockedError,
    WorkspaceMissingError,
    WorkspaceNotWritableError,
)
from kpidesk.store.location import ServerAddress
from kpidesk.store.outputs import backups_root, check_output, same_file
from kpidesk.store.sqlite import (
    APPLICATION_ID,
    SQLITE_MAGIC,
    WorkspaceLock,
    copy_database,
    integrity_problems,
    is_unreadable,
    read_header,
    read_only_connection,
    storage_problem,
    storage_reason,
    verify_file,
)
from kpidesk.store.sqlite import Connection as SqliteConnection
from kpidesk.store.sqlite import DatabaseError as SqliteDatabaseError
from kpidesk.store.sqlite import Error as SqliteError

if TYPE_CHECKING:
    from kpidesk.store.file_lock import LockHolder
    from kpidesk.store.workspace import Workspace

KEEP = 20
OPEN_INTERVAL = timedelta(minutes=10)

REASON_OPEN = "open"
REASON_MANUAL = "manual"
REASON_BEFORE_RESTORE = "before-restore"
REASON_BEFORE_IMPORT = "before-import"
REASON_BEFORE_MIGRATION = "before-migration-v{version}"

SUFFIX = ".kpidesk"
_STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"
_NAME = re.compile(
    r"^(?P<stem>.*) (?P<stamp>\d{8}-\d{6}-\d{6}) (?P<reason>[A-Za-z0-9_-]+)\.kpidesk$"
)
_SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(DomainError):
    """A backup could not be made or restored; the workspace was left as it was."""

    exit_code = 1


class RestoreWhileOpenError(WorkspaceLockedError):
    """The workspace is open for writing in another process, so it cannot be replaced."""

    def __init__(self, path: Path, holder: LockHolder | None) -> None:
        if holder is None:
            WorkspaceError.__init__(
                self,
                N_("{path} is open in another KPI Desk; close it there before restoring."),
                path,
            )
        else:
            WorkspaceError.__init__(
                self,
                N_(
                    "{path} is open in another KPI Desk (by {user} on {host}, process {pid}, "
                    "since {since}); close it there before restoring."
                ),
                path,
                user=holder.user,
                host=holder.host,
                pid=holder.pid,
                since=holder.since,
            )
        self.holder = holder


@dataclass(frozen=True, slots=True)
class BackupCounts:
    kpis: int
    units: int
    measurements: int


@dataclass(frozen=True)
class BackupInfo:
    """One backup copy as ``list_backups`` finds it. Usable as a path (``os.fspath``)."""

    path: Path
    created: datetime
    reason: str
    size: int
    schema_version: int | None = None
    counts: BackupCounts | None = None
    problem: str | None = None  # why the copy cannot be read; None for a sound copy

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def usable(self) -> bool:
        return self.problem is None

    def __fspath__(self) -> str:
        return str(self.path)


# Where and under which name -----------------------------------------------------------------


def backup_dir_for(workspace_path: Path | ServerAddress) -> Path:
    if isinstance(workspace_path, ServerAddress):
        server = re.sub(r"[^A-Za-z0-9_.-]+", "-", workspace_path.server).strip("-")
        return backups_root() / f"{workspace_path.dbname}-{server}-{workspace_path.digest()}"
    resolved = Path(workspace_path).resolve()
    digest = hashlib.sha1(str(resolved).encode("utf-8")).hexdigest()[:8]
    return backups_root() / f"{resolved.stem}-{digest}"


def backup_name(stem: str, when: datetime, reason: str) -> str:
    safe_reason = re.sub(r"[^A-Za-z0-9_-]+", "-", reason).strip("-") or "backup"
    return f"{stem} {when.strftime(_STAMP_FORMAT)} {safe_reason}{SUFFIX}"


def parse_backup_name(path: Path) -> tuple[datetime, str] | None:
    """(when, reason) from a backup's file name, or None for a name KPI Desk did not give."""
    match = _NAME.match(Path(path).name)
    if not match:
        return None
    try:
        when = datetime.strptime(match["stamp"], _STAMP_FORMAT)
    except ValueError:
        return None
    return when, match["reason"]


def _when_and_reason(path: Path) -> tuple[datetime, str]:
    parsed = parse_backup_name(path)
    if parsed is not None:
        return parsed
    try:
        return datetime.fromtimestamp(path.stat().st_mtime), ""
    except OSError:
        return datetime.min, ""


# Making copies ------------------------------------------------------------------------------


def make_backup(
    workspace: Workspace, *, reason: str, directory: Path | None = None, keep: int = KEEP
) -> Path:
    """Copy an open workspace through SQLite's backup API (a server's: into a snapshot file);
    return the copy's path.

    Without ``directory`` the copy goes to the workspace's backup folder, which is then pruned
    to the newest ``keep`` copies. Raises ``BackupError`` when the copy cannot be written.
    """
    if workspace.server is not None:
        return _copy_into(
            lambda destination: workspace.backend.snapshot(workspace, destination),
            workspace.server,
            reason,
            directory,
            keep,
        )
    connection = workspace.connection
    return _copy_into(
        lambda destination: copy_database(connection, destination),
        workspace.location,
        reason,
        directory,
        keep,
    )


def backup_file(
    path: Path | str, *, reason: str, directory: Path | None = None, keep: int = KEEP
) -> Path:
    """Copy a workspace file, open elsewhere or not, through a read-only connection.

    The file is checked first (a workspace, not newer, passes SQLite's quick check) and is
    never written. Raises a ``WorkspaceError`` for a file that is no sound workspace.
    """
    path = Path(path)
    if path.is_dir():
        raise WorkspaceIsFolderError(path)
    if not path.is_file():
        raise WorkspaceMissingError(path)
    verify_file(path, migrations.newest_version())
    connection = read_only_connection(path)
    try:
        problems = integrity_problems(connection)  # the full check, as kpidesk check runs it
        if problems:
            raise CorruptWorkspaceError(path, problems[0])
        return _copy_into(
            lambda destination: copy_database(connection, destination),
            path,
            reason,
            directory,
            keep,
        )
    except SqliteDatabaseError as error:
        raise CorruptWorkspaceError(path, str(error)) from error
    finally:
        connection.close()


def backup_on_open(
    workspace: Workspace,
    *,
    interval: timedelta | None = None,
    now: datetime | None = None,
    keep: int = KEEP,
) -> Path | None:
    """The automatic copy when a workspace is opened for writing; None when none was needed.

    Skipped for a workspace that holds nothing yet (settings and one root unit), and when the
    newest copy is younger than ``interval``, so opening again and again does not flood the
    folder and push older copies out.
    """
    if workspace.server is not None or not _has_content(workspace.connection):
        return None
    now = now or datetime.now()
    interval = OPEN_INTERVAL if interval is None else interval
    newest = newest_backup_time(workspace.path)
    if newest is not None and newest <= now and now - newest < interval:
        return None
    return make_backup(workspace, reason=REASON_OPEN, keep=keep)


def newest_backup_time(workspace_path: Path | ServerAddress) -> datetime | None:
    folder = backup_dir_for(workspace_path)
    if not folder.is_dir():
        return None
    times = [_when_and_reason(path)[0] for path in folder.glob(f"*{SUFFIX}")]
    return max(times, default=None)


def _copy_into(
    copy: Callable[[Path], object],
    workspace_path: Path | ServerAddress,
    reason: str,
    directory: Path | None,
    keep: int,
) -> Path:
    folder = Path(directory) if directory is not None else backup_dir_for(workspace_path)
    stem = (
        workspace_path.dbname
        if isinstance(workspace_path, ServerAddress)
        else Path(workspace_path).stem
    )
    destination = folder / backup_name(stem, datetime.now(), reason)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        copy(destination)
    except FileWriteError as error:
        raise BackupError(
            N_("Could not write the backup {path}: {reason}"),
            path=str(destination),
            reason=error.params["reason"],
        ) from error
    except (OSError, SqliteError) as error:
        if is_unreadable(error):  # reading, not writing
            raise CorruptWorkspaceError(workspace_path, str(error)) from error
        raise BackupError(
            N_("Could not write the backup {path}: {reason}"),
            path=str(destination),
            reason=_reason_text(error),
        ) from error
    if directory is None:
        prune(folder, keep)
    return destination


def prune(folder: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` copies in ``folder``."""
    copies = sorted(
        folder.glob(f"*{SUFFIX}"), key=lambda p: (_when_and_reason(p)[0], p.name), reverse=True
    )
    for old in copies[keep:]:
        for side in ("", *_SIDE_FILES):
            with contextlib.suppress(OSError):
                Path(f"{old}{side}").unlink(missing_ok=True)


# Looking at copies --------------------------------------------------------------------------


def list_backups(workspace_path: Path | str | ServerAddress) -> list[BackupInfo]:
    """Every copy of the workspace, newest first, with what each holds (read-only)."""
    if not isinstance(workspace_path, ServerAddress):
        workspace_path = Path(workspace_path)
    folder = backup_dir_for(workspace_path)
    if not folder.is_dir():
        return []
    found = [read_backup_info(path) for path in folder.glob(f"*{SUFFIX}") if path.is_file()]
    return sorted(found, key=lambda info: (info.created, info.name), reverse=True)


def read_backup_info(path: Path | str) -> BackupInfo:
    """A copy's date, reason, size, schema and row counts; the file is opened read-only."""
    path = Path(path)
    when, reason = _when_and_reason(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        return BackupInfo(path, when, reason, 0, problem=_reason_text(error))
    try:
        header = read_header(path)
    except WorkspaceError as error:
        return BackupInfo(path, when, reason, size, problem=error.message)
    except OSError as error:
        return BackupInfo(path, when, reason, size, problem=_reason_text(error))
    try:
        connection = read_only_connection(path)
    except SqliteError as error:
        return BackupInfo(path, when, reason, size, header.user_version, problem=str(error))
    try:
        counts = BackupCounts(
            kpis=_count(connection, "kpi"),
            units=_count(connection, "unit"),
            measurements=_count(connection, "measurement"),
        )
    except SqliteError as error:
        return BackupInfo(path, when, reason, size, header.user_version, problem=str(error))
    finally:
        connection.close()
    return BackupInfo(path, when, reason, size, header.user_version, counts)


def _count(connection: SqliteConnection, table: str) -> int:
    return int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


_BOOKKEEPING = ("workspace_settings", "change_log", "change_session")


def _has_content(connection: SqliteConnection) -> bool:
    """Whether the workspace holds more than a new one does (its settings and a root unit)."""
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        if table in _BOOKKEEPING:
            continue
        limit = 2 if table == "unit" else 1
        rows = connection.execute(f'SELECT count(*) FROM (SELECT 1 FROM "{table}" LIMIT 2)')
        if rows.fetchone()[0] >= limit:
            return True
    return False


def _reason_text(error: BaseException) -> str:
    if isinstance(error, OSError):
        return os_reason(error)
    problem = storage_problem(error)
    if problem is not None:
        return storage_reason(*problem)
    return str(error)


# Restoring ----------------------------------------------------------------------------------


def restore_backup(
    workspace_path: Path | str, backup_path: Path | str, *, keep: int = KEEP
) -> Path | None:
    """Replace the workspace with a backup copy; return where the state before was kept.

    Everything is checked before anything is touched: the backup must be a sound KPI Desk
    workspace (header, a possible schema version, SQLite's full integrity check), the
    workspace path no folder, device, backup or foreign file. Then the workspace is locked
    (refused while another process has it open for writing), the backup is copied beside it
    and the copy checked, and the present state is kept: as a backup (reason
    ``before-restore``), or, when SQLite cannot read it, by moving the damaged file aside as
    ``NAME.damaged-DATE`` (its journal files with it). Then one rename puts the copy in
    place. Whatever fails before that rename leaves the workspace exactly as it was.
    A symlinked workspace is restored at its target. Returns None when there was no
    workspace file.
    """
    backup_path = Path(backup_path)
    target = check_output(Path(workspace_path), replacing_workspace=True)
    verify_backup(backup_path)
    if os.path.lexists(target) and same_file(target, backup_path):
        raise BackupError(
            N_("{path} is the workspace itself, not a backup of it."), path=str(backup_path)
        )
    if target.exists() and not _replaceable(target):
        raise ReplaceRefusedError(Path(workspace_path))
    if not target.parent.is_dir():
        raise WorkspaceMissingError(target.parent)

    lock = WorkspaceLock(target)
    try:
        lock.acquire()
    except WorkspaceLockedError as error:
        raise RestoreWhileOpenError(target, error.holder) from None
    except OSError as error:
        raise WorkspaceNotWritableError(target) from error
    staged = temporary_path(target)
    try:
        _stage_copy(backup_path, staged)
        with held(staged):
            previous = None
            if target.exists():
                previous = keep_present_state(target, reason=REASON_BEFORE_RESTORE, keep=keep)
            try:
                for side in _SIDE_FILES:  # kept in ``previous``; they belong to the old file
                    Path(f"{target}{side}").unlink(missing_ok=True)
                replace_file(staged, target)
            except OSError as error:
                raise BackupError(
                    N_("Could not replace {path}: {reason}"),
                    path=str(target),
                    reason=_reason_text(error),
                ) from error
    finally:
        for side in ("", *_SIDE_FILES):
            with contextlib.suppress(OSError):
                Path(f"{staged}{side}").unlink(missing_ok=True)
        lock.release()
    return previous


def put_new_workspace(
    path: Path, build: Callable[[Path], object], *, replace: bool = False, reason: str
) -> Path:
    """Have ``build(partial)`` write a workspace under a temporary name beside ``path``, then
    put it in place; return the path written (a symlink's target).

    Without ``replace`` an existing ``path`` is refused (and so is a file appearing while
    the workspace is built). With it, only a KPI Desk workspace is replaced, and only after
    it is locked (``WorkspaceLockedError`` while open for writing elsewhere) and kept (see
    :func:`keep_present_state`). Whatever fails leaves ``path`` exactly as it was.
    """
    if not replace and os.path.lexists(path):
        raise WorkspaceExistsError(path)
    target = check_output(path, replacing_workspace=replace)
    if os.path.lexists(target):
        if not replace:
            raise WorkspaceExistsError(path)
        if not _replaceable(target):
            raise ReplaceRefusedError(path)
    lock = WorkspaceLock(target) if target.exists() else None
    if lock is not None:
        lock.acquire()
    partial = temporary_path(target)
    try:
        if lock is not None:
            keep_present_state(target, reason=reason)
        build(partial)
        with held(partial):
            problem = check_sqlite(partial)
            if problem is not None:
                raise FileWriteError(path, problem)
            if lock is None:
                put_in_place(partial, target, exclusive=True)  # never over a newcomer
                sync_folder(target.parent)
            else:
                for side in _SIDE_FILES:  # kept with the present state; they belong to it
                    Path(f"{target}{side}").unlink(missing_ok=True)
                replace_file(partial, target)
    except FileExistsError:
        raise WorkspaceExistsError(path) from None
    except OSError as error:
        raise FileWriteError(path, os_reason(error)) from error
    finally:
        for side in ("", *_SIDE_FILES, ".lock"):
            with contextlib.suppress(OSError):
                Path(f"{partial}{side}").unlink()
        if lock is not None:
            lock.release()
    return target


class ReplaceRefusedError(DomainError):
    """``--force`` names a file that is not a KPI Desk workspace; it is left alone."""

    exit_code = 1

    def __init__(self, path: Path) -> None:
        super().__init__(
            N_("{path} is not a KPI Desk workspace; only a workspace is replaced."),
            path=str(path),
        )


def verify_backup(path: Path) -> None:
    """Refuse a backup that is missing, no workspace, newer, of an impossible schema
    version or damaged (SQLite's full integrity check); the file is only read."""
    if path.is_dir():
        raise BackupError(N_("{path} is a folder, not a backup."), path=str(path))
    if not path.is_file():
        raise WorkspaceMissingError(path)
    try:
        verify_file(path, migrations.newest_version())
    except CorruptWorkspaceError as error:
        raise DamagedBackupError(path, error.detail) from None
    try:
        connection = read_only_connection(path)
    except SqliteError as error:
        raise DamagedBackupError(path, str(error)) from error
    try:
        problems = integrity_problems(connection)
    except SqliteDatabaseError as error:
        problems = [str(error)]
    finally:
        connection.close()
    if problems:
        raise DamagedBackupError(path, problems[0])


def _replaceable(path: Path) -> bool:
    """A file a restore may put aside: a workspace by its header, or one whose header is
    gone (an empty or cut-short workspace); never somebody's other file."""
    try:
        with path.open("rb") as stream:
            head = stream.read(100)
    except OSError:
        return False
    if not head:
        return True
    if head.startswith(SQLITE_MAGIC):
        return len(head) < 72 or int.from_bytes(head[68:72], "big") == APPLICATION_ID
    return False


def keep_present_state(path: Path, *, reason: str, keep: int = KEEP) -> Path:
    """Keep ``path`` before it is replaced: a backup through SQLite's backup API, or, for a
    file SQLite cannot read, the file itself moved aside as ``NAME.damaged-DATE`` (with its
    journal files), so nothing is lost and nothing has to be copied. Returns where it is."""
    try:
        return backup_file(path, reason=reason, keep=keep)
    except WorkspaceError:
        return move_aside_damaged(path)


def move_aside_damaged(path: Path) -> Path:
    """Give a damaged workspace the name ``NAME.damaged-YYYYMMDD-HHMMSS`` beside it.

    The file keeps its place under its own name too (a hard link) until the caller renames
    something over it, so there is never a moment without a workspace file. Where the disk
    has no hard links it is renamed.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 2
    while os.path.lexists(aside):
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
        number += 1
    try:
        try:
            os.link(path, aside)
        except OSError:
            os.rename(path, aside)
        for side in ("-wal", "-journal"):  # committed (or to be rolled back) changes
            source = Path(f"{path}{side}")
            if source.is_file():
                os.replace(source, f"{aside}{side}")
    except OSError as error:
        raise BackupError(
            N_("Could not keep the damaged {path} aside: {reason}"),
            path=str(path),
            reason=_reason_text(error),
        ) from error
    sync_folder(path.parent)
    return aside


def _stage_copy(backup_path: Path, staged: Path) -> None:
    """Copy the backup to ``staged`` and check the copy; raises if either is not sound."""
    try:
        source = read_only_connection(backup_path)
    except SqliteError as error:
        raise DamagedBackupError(backup_path, str(error)) from error
    try:
        copy_database(source, staged)
    except SqliteDatabaseError as error:
        if storage_problem(error) is None:
            raise DamagedBackupError(backup_path, str(error)) from error
        raise BackupError(
            N_("Could not write {path}: {reason}"),
            path=str(staged.parent),
            reason=_reason_text(error),
        ) from error
    except FileWriteError as error:
        raise BackupError(
            N_("Could not write {path}: {reason}"),
            path=str(staged.parent),
            reason=error.params["reason"],
        ) from error
    finally:
        source.close()
    verify_file(staged, migrations.newest_version())
    check = read_only_connection(staged)
    try:
        problems = integrity_problems(check, quick=True)
    except SqliteDatabaseError as error:
        problems = [str(error)]
    finally:
        check.close()
    if problems:
        raise DamagedBackupError(backup_path, problems[0])
