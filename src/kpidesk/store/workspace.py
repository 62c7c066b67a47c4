"""Opening, creating and closing a workspace file.

A writable workspace is locked for this process (the OS releases the lock if it dies), runs
in WAL mode while open, and is folded back into one file on close. A file that is not a
workspace, is damaged, or is newer than this version is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from peewee import DatabaseError, SqliteDatabase

from kpidesk.domain.errors import DomainError
from kpidesk.files import FileWriteError, check_sqlite, os_reason, write_atomically
from kpidesk.store import backups, migrations, models
from kpidesk.store.errors import (
    CorruptWorkspaceError,
    NeedsMigrationError,
    ReadOnlyWorkspaceError,
    WorkspaceError,
    WorkspaceExistsError,
    WorkspaceIsFolderError,
    WorkspaceMissingError,
    WorkspaceNotWritableError,
    WorkspaceWriteError,
)
from kpidesk.store.outputs import check_output
from kpidesk.store.sqlite import (
    READ_PRAGMAS,
    ROLLBACK_WRITE_PRAGMAS,
    WRITE_PRAGMAS,
    WorkspaceLock,
    copy_database,
    fold_wal_into_file,
    integrity_problems,
    leave_wal_mode,
    read_only_uri,
    schema_version,
    stamp_new_file,
    storage_problem,
    storage_reason,
    verify_file,
)

log = logging.getLogger(__name__)

FILE_SUFFIX = ".kpidesk"


class Workspace:
    """An open workspace file. Only one is bound to the models at a time per process."""

    def __init__(
        self, path: Path, db: SqliteDatabase, *, read_only: bool, lock: WorkspaceLock | None
    ):
        self.path = path
        self.db = db
        self.read_only = read_only
        self._lock = lock
        self._closed = False

    # opening --------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: Path | str,
        name: str,
        *,
        language: str = "sv",
        currency: str = "SEK",
        fiscal_year_start_month: int = 1,
        root_unit: str | None = None,
    ) -> Workspace:
        """Write a new, empty workspace with one root unit and open it for writing.

        Refused for a path that exists or lies in the backups folder. The file is written
        whole under a temporary name and renamed (see :func:`kpidesk.files.write_atomically`),
        so a failure (a full disk) leaves nothing behind.
        """
        path = Path(path)
        if os.path.lexists(path):
            raise WorkspaceExistsError(path)
        check_output(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FileWriteError(path, os_reason(error)) from error

        def write(partial: Path) -> None:
            connection = sqlite3.connect(partial, isolation_level=None)
            try:
                stamp_new_file(connection)
                migrations.migrate(connection)
                connection.execute("BEGIN")
                now = models.utcnow().isoformat(" ")
                connection.execute(
                    "INSERT INTO workspace_settings (name, currency, fiscal_year_start_month,"
                    " language, created_at) VALUES (?, ?, ?, ?, ?)",
                    (name, currency, fiscal_year_start_month, language, now),
                )
                connection.execute(
                    "INSERT INTO unit (name, parent_id, code, sort_order)"
                    " VALUES (?, NULL, NULL, 0)",
                    (root_unit or name,),
                )
                connection.execute("COMMIT")
            except sqlite3.Error as error:
                problem = storage_problem(error)
                if problem is None:
                    raise
                raise FileWriteError(path, storage_reason(problem[0], problem[1])) from error
            finally:
                connection.close()

        try:
            write_atomically(path, write, check=check_sqlite, exclusive=True)
        except FileWriteError as error:
            if isinstance(error.__cause__, FileExistsError):
                raise WorkspaceExistsError(path) from None
            raise
        return cls.open(path)

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        read_only: bool = False,
        older_ok: bool = False,
        damaged_ok: bool = False,
        wal: bool = True,
    ) -> Workspace:
        """Open ``path``; older schemas are migrated after a backup copy is made.

        For writing, the file must pass SQLite's full integrity check (what ``kpidesk
        check`` runs): a damaged workspace is never written. ``damaged_ok`` opens a damaged
        file read-only all the same, to look at what can still be read. ``wal=False`` keeps
        the rollback journal instead of switching to WAL mode: nothing is written to the
        file until a transaction commits, so a run that commits nothing (a dry run, a
        refused import) leaves it byte for byte as it was, header included.
        """
        path = Path(path)
        if path.is_dir():
            raise WorkspaceIsFolderError(path)
        if not path.is_file():
            raise WorkspaceMissingError(path)
        header = verify_file(path, migrations.newest_version())
        if read_only:
            return cls._open_read_only(path, older_ok=older_ok, damaged_ok=damaged_ok)

        if not _writable(path):
            raise WorkspaceNotWritableError(path)
        lock = WorkspaceLock(path)
        try:
            lock.acquire()
        except OSError as error:  # the lock file beside the workspace cannot be written
            failure = _write_failure(path, error)
            if failure is None:
                raise
            raise failure from error
        try:
            _verify_contents(path)  # before WAL mode is switched on, which writes the header
            pragmas = WRITE_PRAGMAS if wal else ROLLBACK_WRITE_PRAGMAS
            db = _connect(path, pragmas)
            workspace = cls(path, db, read_only=False, lock=lock)
            try:
                if migrations.pending_steps(header.user_version):
                    workspace._migrate(header.user_version)
                else:
                    workspace._backup_on_open()
            except BaseException:
                db.close()
                raise
        except (sqlite3.DatabaseError, OSError) as error:
            lock.release()
            failure = _write_failure(path, error)
            if failure is None:
                raise
            raise failure from error
        except BaseException:
            lock.release()
            raise
        models.database.initialize(db)
        log.info("opened %s for writing", path)
        return workspace

    @classmethod
    def _open_read_only(
        cls, path: Path, *, older_ok: bool = False, damaged_ok: bool = False
    ) -> Workspace:
        """Read-only; ``older_ok`` lets a check read a workspace that still needs migrating,
        ``damaged_ok`` a damaged one."""
        db = _connect(read_only_uri(path), READ_PRAGMAS, uri=True)
        try:
            problems = [] if damaged_ok else integrity_problems(db.connection(), quick=True)
            if problems:
                db.close()
                raise CorruptWorkspaceError(path, problems[0])
            version = schema_version(db.connection())
            if migrations.pending_steps(version) and not older_ok:
                db.close()
                raise NeedsMigrationError(path)
        except sqlite3.DatabaseError as error:
            db.close()
            raise CorruptWorkspaceError(path, str(error)) from error
        models.database.initialize(db)
        log.info("opened %s read-only", path)
        return cls(path, db, read_only=True, lock=None)

    def _migrate(self, from_version: int) -> None:
        copy = backups.make_backup(self, reason=f"before-migration-v{from_version}")
        log.info("migrating %s from schema %s; copy kept at %s", self.path, from_version, copy)
        migrations.migrate(self.db.connection())

    def _backup_on_open(self) -> None:
        """The automatic rotating copy; a copy that cannot be made does not stop the open."""
        try:
            copy = backups.backup_on_open(self)
        except (DomainError, OSError, sqlite3.Error) as error:
            log.warning("no backup of %s on open: %s", self.path, error)
            return
        if copy is not None:
            log.info("backup of %s kept at %s", self.path, copy)

    # using ----------------------------------------------------------------------------
    @property
    def connection(self) -> sqlite3.Connection:
        return self.db.connection()

    def atomic(self) -> contextlib.AbstractContextManager[object]:
        """A transaction (a savepoint when nested): all of it is saved, or none of it.

        A write the disk refuses (full, failing, read-only) is rolled back and raised as a
        ``WorkspaceWriteError`` or ``WorkspaceNotWritableError`` instead of peewee's or
        sqlite3's own exception.
        """
        if self.read_only:
            raise ReadOnlyWorkspaceError(self.path)
        return self._rolled_back_on_disk_errors()

    @contextlib.contextmanager
    def _rolled_back_on_disk_errors(self) -> Iterator[object]:
        try:
            with self.db.atomic() as transaction:
                yield transaction
        except (WorkspaceWriteError, WorkspaceNotWritableError):
            raise
        except (sqlite3.Error, DatabaseError) as error:
            problem = _earlier_write_error(error) or _storage_error(self.path, error)
            if problem is None:
                raise
            raise problem from error

    def checkpoint(self) -> None:
        """Fold the WAL into the main file; called after large writes."""
        if not self.read_only:
            fold_wal_into_file(self.connection)

    def integrity_problems(self) -> list[str]:
        return integrity_problems(self.connection)

    def table_counts(self) -> dict[str, int]:
        return {
            model._meta.table_name: model.select().count()  # type: ignore[attr-defined]
            for model in models.ALL_MODELS
        }

    def settings(self) -> models.WorkspaceSettings:
        return models.WorkspaceSettings.get()

    def save_copy(self, destination: Path | str) -> Path:
        """A consistent copy through SQLite's backup API, safe while the workspace is open.

        Refuses the workspace itself, any other workspace, a backup and a folder (see
        :func:`kpidesk.store.outputs.check_output`); written whole or not at all.
        """
        destination = Path(destination)
        check_output(destination, workspace=self.path)
        copy_database(self.connection, destination)
        return destination

    @property
    def schema_version(self) -> int:
        return schema_version(self.connection)

    # closing --------------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if not self.read_only and not self.db.is_closed():
                leave_wal_mode(self.connection)
        except sqlite3.Error as error:
            log.warning("could not fold the WAL of %s on close: %s", self.path, error)
        finally:
            self.db.close()
            if self._lock is not None:
                self._lock.release()
            if models.database.obj is self.db:
                models.database.initialize(None)
            log.info("closed %s", self.path)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _writable(path: Path) -> bool:
    """Whether this process may write the file and create the WAL and lock beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _storage_error(path: Path, error: BaseException) -> WorkspaceError | None:
    """A clear error for a write the disk refused, or None for any other failure."""
    problem = storage_problem(error)
    if problem is None:
        return None
    kind, detail = problem
    if kind == "read-only":
        return WorkspaceNotWritableError(path)
    return WorkspaceWriteError(path, disk_full=kind == "full", detail=detail)


def _earlier_write_error(error: BaseException) -> WorkspaceError | None:
    """A nested transaction's write error, which the outer rollback may have hidden."""
    current = error.__context__
    while current is not None:
        if isinstance(current, WorkspaceWriteError | WorkspaceNotWritableError):
            return current
        current = current.__context__
    return None


def _write_failure(path: Path, error: BaseException) -> WorkspaceError | None:
    """What to tell the user when opening for writing failed with ``error``; None: re-raise."""
    problem = _storage_error(path, error)
    if problem is not None:
        return problem
    if isinstance(error, OSError):
        return None
    return CorruptWorkspaceError(path, str(error))


def _verify_contents(path: Path) -> None:
    """SQLite's full integrity check (as ``kpidesk check`` runs it) through a read-only
    connection, so a damaged file stays as it was and is never opened for writing."""
    db = _connect(read_only_uri(path), READ_PRAGMAS, uri=True)
    try:
        problems = integrity_problems(db.connection())
    finally:
        db.close()
    if problems:
        raise CorruptWorkspaceError(path, problems[0])


def _connect(
    target: Path | str, pragmas: dict[str, object], *, uri: bool = False
) -> SqliteDatabase:
    db = SqliteDatabase(str(target), pragmas=list(pragmas.items()), uri=uri, autoconnect=False)
    try:
        db.connect()
    except DatabaseError as error:
        raise sqlite3.DatabaseError(str(error)) from error
    return db


@contextlib.contextmanager
def opened(
    path: Path | str,
    *,
    read_only: bool = False,
    older_ok: bool = False,
    damaged_ok: bool = False,
    wal: bool = True,
) -> Iterator[Workspace]:
    workspace = Workspace.open(
        path, read_only=read_only, older_ok=older_ok, damaged_ok=damaged_ok, wal=wal
    )
    try:
        yield workspace
    finally:
        workspace.close()
