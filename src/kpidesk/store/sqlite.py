"""The SQLite backend: a workspace in one file.

Everything that is SQLite-only lives here: the file header, pragmas, the backup API, the
change log's triggers, and :class:`SqliteBackend`, which opens, creates and closes
workspace files. It is the only module that imports ``sqlite3`` (``kpidesk.store.postgres``
is the other backend; a test checks that no other module imports either driver).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import peewee

from kpidesk.domain.errors import DomainError, Words
from kpidesk.files import FileWriteError, check_sqlite, os_reason, write_atomically
from kpidesk.i18n import N_
from kpidesk.store.backend import Backend
from kpidesk.store.errors import (
    CorruptWorkspaceError,
    CutShort,
    EmptyFileError,
    NeedsMigrationError,
    NewerWorkspaceError,
    NotAWorkspaceError,
    WorkspaceError,
    WorkspaceExistsError,
    WorkspaceIsFolderError,
    WorkspaceMissingError,
    WorkspaceNotWritableError,
    WorkspaceWriteError,
)
from kpidesk.store.file_lock import WorkspaceLock

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from kpidesk.store.workspace import Workspace

Error = sqlite3.Error
DatabaseError = sqlite3.DatabaseError
Connection = sqlite3.Connection

log = logging.getLogger("kpidesk.store.workspace")

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


# Errors -------------------------------------------------------------------------------------


def is_unreadable(error: BaseException) -> bool:
    """Whether SQLite failed to read a file as a database (damaged, or not one), rather than
    to write."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    return code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A plain connection that can only read ``path`` and never writes it."""
    connection = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        connection.execute("PRAGMA query_only = 1")
        connection.execute("PRAGMA busy_timeout = 5000")
    except BaseException:
        connection.close()
        raise
    return connection


# The change log (schema 6) ----------------------------------------------------------------
#
# Each logged table has three triggers that add a row to ``change_log`` for every row
# inserted, updated or deleted, with the row's columns as JSON (a REAL with 17 significant
# digits, so that it reads back as the same number; json_object alone keeps 15). The person
# is the one ``change_session`` names: KPI Desk writes it in each transaction that changes
# anything (see ``SqliteBackend.note_actor``). A trigger costs about 0.5 µs a row even when it
# does nothing, so an import removes those of ``measurement`` and ``import_change`` inside its
# transaction and makes them again at the end (``SqliteBackend.unlogged``), logging itself as
# one entry; DDL is transactional in SQLite, so a rolled-back import gets them back too.

CHANGE_LOG_SQL = (
    'CREATE TABLE "change_log" ("id" INTEGER NOT NULL PRIMARY KEY, "uid" BLOB NOT NULL,'
    ' "at" DATETIME NOT NULL, "actor" TEXT, "table_name" TEXT NOT NULL, "row_uid" BLOB,'
    ' "op" TEXT NOT NULL, "old_values" TEXT, "new_values" TEXT)',
    'CREATE INDEX "change_log_row_uid" ON "change_log" ("row_uid")',
    'CREATE TABLE "change_session" ("id" INTEGER NOT NULL PRIMARY KEY CHECK ("id" = 1),'
    ' "actor" TEXT)',
    'INSERT INTO "change_session" ("id", "actor") VALUES (1, NULL)',
)

NEW_UID_SQL = "randomblob(16)"
"""A new row's ``uid`` in a file: 16 random bytes (shown as 32 hex digits)."""
_LOG_TRIGGER = "_log_"


def _json_row(connection: sqlite3.Connection, table: str, row: str) -> str:
    parts = []
    for _cid, name, type_, *_rest in connection.execute(f'PRAGMA table_info("{table}")'):
        ref = f'{row}."{name}"'
        if name == "uid":
            ref = f"lower(hex({ref}))"
        elif str(type_).upper() in ("REAL", "DOUBLE", "FLOAT"):
            ref = f"CASE WHEN {ref} IS NULL THEN NULL ELSE json(printf('%!.17g', {ref})) END"
        parts.append(f"'{name}', {ref}")
    return f"json_object({', '.join(parts)})"


def log_trigger_statements(connection: sqlite3.Connection, table: str) -> list[str]:
    """The three triggers that log every change to ``table`` (from its columns now)."""
    new, old = _json_row(connection, table, "NEW"), _json_row(connection, table, "OLD")
    statements = []
    for op, when, row_uid, old_values, new_values in (
        ("insert", "AFTER INSERT", "NEW.uid", "NULL", new),
        ("update", "AFTER UPDATE", "NEW.uid", old, new),
        ("delete", "AFTER DELETE", "OLD.uid", old, "NULL"),
    ):
        statements.append(
            f'CREATE TRIGGER "{table}{_LOG_TRIGGER}{op}" {when} ON "{table}" BEGIN'
            " INSERT INTO change_log (uid, at, actor, table_name, row_uid, op, old_values,"
            f" new_values) VALUES ({NEW_UID_SQL}, datetime('now'),"
            f" (SELECT actor FROM change_session WHERE id = 1), '{table}', {row_uid}, '{op}',"
            f" {old_values}, {new_values}); END"
        )
    return statements


def renew_log_triggers(connection: sqlite3.Connection, tables: Sequence[str]) -> None:
    """Make the tables' change-log triggers again from their columns now (after a migration
    step that adds or drops a column)."""
    for table in tables:
        for op in ("insert", "update", "delete"):
            connection.execute(f'DROP TRIGGER IF EXISTS "{table}{_LOG_TRIGGER}{op}"')
        for statement in log_trigger_statements(connection, table):
            connection.execute(statement)


# The backend --------------------------------------------------------------------------------


class FileDatabase(peewee.SqliteDatabase):
    """A workspace file's peewee database; one connection per thread."""

    backend: SqliteBackend


class SqliteBackend(Backend):
    kind = "sqlite"
    param = "?"
    uid_sql = NEW_UID_SQL
    double_type = "REAL"
    driver_errors = (sqlite3.Error,)

    # opening ----------------------------------------------------------------------------
    def create(
        self,
        location: Any,
        name: str,
        *,
        language: str,
        currency: str,
        fiscal_year_start_month: int,
        root_unit: str | None,
    ) -> Workspace:
        from kpidesk.store import migrations, models
        from kpidesk.store.outputs import check_output
        from kpidesk.store.workspace import _default_actor

        path = Path(location)
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
                connection.execute(
                    "UPDATE change_session SET actor = ? WHERE id = 1", (_default_actor(),)
                )
                now = models.utcnow().isoformat(" ")
                connection.execute(
                    "INSERT INTO workspace_settings (name, currency, fiscal_year_start_month,"
                    " language, created_at, uid) VALUES (?, ?, ?, ?, ?, ?)",
                    (name, currency, fiscal_year_start_month, language, now, os.urandom(16)),
                )
                connection.execute(
                    "INSERT INTO unit (name, parent_id, code, sort_order, uid)"
                    " VALUES (?, NULL, NULL, 0, ?)",
                    (root_unit or name, os.urandom(16)),
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
        return self.open(
            path,
            read_only=False,
            older_ok=False,
            damaged_ok=False,
            wal=True,
            read_only_fallback=False,
        )

    def open(
        self,
        location: Any,
        *,
        read_only: bool,
        older_ok: bool,
        damaged_ok: bool,
        wal: bool,
        read_only_fallback: bool,
    ) -> Workspace:
        from kpidesk.store import migrations
        from kpidesk.store.workspace import Workspace

        path = Path(location)
        if path.is_dir():
            raise WorkspaceIsFolderError(path)
        if not path.is_file():
            raise WorkspaceMissingError(path)
        header = verify_file(path, migrations.newest_version())
        if read_only:
            return self._open_read_only(path, older_ok=older_ok, damaged_ok=damaged_ok)

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
            workspace = Workspace(path, db, backend=self, read_only=False, lock=lock)
            try:
                if migrations.pending_steps(header.user_version):
                    self._migrate(workspace, header.user_version)
                else:
                    self._backup_on_open(workspace)
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
        log.info("opened %s for writing", path)
        return workspace

    def _open_read_only(
        self, path: Path, *, older_ok: bool = False, damaged_ok: bool = False
    ) -> Workspace:
        """Read-only; ``older_ok`` lets a check read a workspace that still needs migrating,
        ``damaged_ok`` a damaged one."""
        from kpidesk.store import migrations
        from kpidesk.store.workspace import Workspace

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
        log.info("opened %s read-only", path)
        return Workspace(path, db, backend=self, read_only=True, lock=None)

    def _migrate(self, workspace: Workspace, from_version: int) -> None:
        from kpidesk.store import backups, migrations

        copy = backups.make_backup(workspace, reason=f"before-migration-v{from_version}")
        log.info("migrating %s from schema %s; copy kept at %s", workspace.path, from_version, copy)
        migrations.migrate(workspace.connection)

    def _backup_on_open(self, workspace: Workspace) -> None:
        """The automatic rotating copy; a copy that cannot be made does not stop the open."""
        from kpidesk.store import backups

        try:
            copy = backups.backup_on_open(workspace)
        except (DomainError, OSError, sqlite3.Error) as error:
            log.warning("no backup of %s on open: %s", workspace.path, error)
            return
        if copy is not None:
            log.info("backup of %s kept at %s", workspace.path, copy)

    def close(self, workspace: Workspace) -> None:
        db = workspace.db
        try:
            if not workspace.read_only and not db.is_closed():
                leave_wal_mode(db.connection())
        except sqlite3.Error as error:
            log.warning("could not fold the WAL of %s on close: %s", workspace.path, error)
        finally:
            db.close()

    # what a workspace is asked ---------------------------------------------------------
    def schema_version(self, db: peewee.Database) -> int:
        return schema_version(db.connection())

    def integrity_problems(self, db: peewee.Database, *, quick: bool = False) -> list[str]:
        return integrity_problems(db.connection(), quick=quick)

    def table_counts(self, db: peewee.Database, tables: Sequence[str]) -> dict[str, int]:
        connection = db.connection()
        return {
            table: int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
            for table in tables
        }

    def checkpoint(self, db: peewee.Database) -> None:
        fold_wal_into_file(db.connection())

    def snapshot(self, workspace: Workspace, destination: Path) -> Path:
        return copy_database(workspace.connection, destination)

    def exclusive(self, workspace: Workspace) -> contextlib.AbstractContextManager[None]:
        if workspace.read_only:
            from kpidesk.store.errors import ReadOnlyWorkspaceError

            raise ReadOnlyWorkspaceError(workspace.location)
        return contextlib.nullcontext()  # the writer holds the file's lock already

    def own_log_entries(self, db: peewee.Database, after_id: int) -> list[int]:
        """A file has one writer at a time: every entry after ``after_id``."""
        rows = db.execute_sql("SELECT id FROM change_log WHERE id > ? ORDER BY id", (after_id,))
        return [int(row[0]) for row in rows]

    def note_actor(self, workspace: Workspace) -> None:
        workspace.db.connection().execute(
            "UPDATE change_session SET actor = ? WHERE id = 1 AND actor IS NOT ?",
            (workspace.actor, workspace.actor),
        )

    # writing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def unlogged(self, db: peewee.Database, tables: Sequence[str]) -> Iterator[None]:
        connection = db.connection()
        if not connection.in_transaction:
            # Outside a transaction the triggers' removal would be committed on its own, and
            # lost if the process died before they were made again: log row by row instead.
            yield
            return
        marks = ", ".join("?" for _table in tables)
        triggers = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            f" AND tbl_name IN ({marks}) AND instr(name, '{_LOG_TRIGGER}') > 0",
            list(tables),
        ).fetchall()
        for name, _sql in triggers:
            connection.execute(f'DROP TRIGGER "{name}"')

        def restore() -> None:
            for _name, statement in triggers:
                connection.execute(
                    statement.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1)
                )

        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # a rolled-back transaction has them
                restore()
            raise
        restore()

    def log_change(
        self,
        db: peewee.Database,
        table: str,
        row_uid: str | None,
        op: str,
        old_values: str | None,
        new_values: str | None,
    ) -> None:
        db.connection().execute(
            "INSERT INTO change_log (uid, at, actor, table_name, row_uid, op, old_values,"
            f" new_values) VALUES ({NEW_UID_SQL}, datetime('now'),"
            " (SELECT actor FROM change_session WHERE id = 1), ?, ?, ?, ?, ?)",
            (table, bytes.fromhex(row_uid) if row_uid else None, op, old_values, new_values),
        )

    @contextlib.contextmanager
    def bulk_loading(self, db: peewee.Database) -> Iterator[None]:
        """Foreign keys unchecked (three look-ups per row, a second per million rows), and a
        16 MB page cache, so that pages go to the WAL while rows are still coming instead of
        all at the commit (0.1 s less on a million rows). SQLite ignores the foreign-key
        switch inside a transaction: where one is already open, the keys stay checked."""
        connection = db.connection()
        cache = connection.execute("PRAGMA cache_size").fetchone()[0]
        checked = not connection.in_transaction
        if checked:
            connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("PRAGMA cache_size = -16000")
        try:
            yield
        finally:
            connection.execute(f"PRAGMA cache_size = {int(cache)}")
            if checked:
                connection.execute("PRAGMA foreign_keys = ON")

    def create_stage(self, db: peewee.Database, name: str, columns: Sequence[str]) -> None:
        connection = db.connection()
        connection.execute(f"DROP TABLE IF EXISTS temp.{name}")
        connection.execute(f"CREATE TEMP TABLE {name} ({', '.join(columns)})")

    def drop_stage(self, db: peewee.Database, name: str) -> None:
        db.connection().execute(f"DROP TABLE IF EXISTS temp.{name}")

    def defer_constraints(self, db: peewee.Database) -> None:
        db.connection().execute("PRAGMA defer_foreign_keys = ON")

    def columns_of(self, db: peewee.Database, table: str) -> list[str]:
        return [row[1] for row in db.connection().execute(f'PRAGMA table_info("{table}")')]

    @contextlib.contextmanager
    def read_transaction(self, db: peewee.Database) -> Iterator[None]:
        with db.transaction():
            yield

    def create_empty_file(self, path: Path, version: int) -> None:
        """A workspace file with the schema of ``version`` and no rows (a copy's start)."""
        from kpidesk.store import migrations

        connection = sqlite3.connect(path, isolation_level=None)
        try:
            stamp_new_file(connection)
            steps = {n: step for n, step in migrations.STEPS.items() if n <= version}
            migrations.migrate(connection, steps)
            connection.execute("DELETE FROM change_log")  # the copy brings the log it had
        finally:
            connection.close()

    def open_for_loading(self, path: Path) -> FileDatabase:
        """The new file a copy is written into (nobody else knows of it yet)."""
        return _connect(path, {"foreign_keys": 1, "journal_mode": "delete", "synchronous": "full"})

    def finish_loading(self, db: peewee.Database) -> None:
        db.close()

    def index_definitions(
        self, db: peewee.Database, table: str, names: Sequence[str]
    ) -> list[tuple[str, str]]:
        marks = ", ".join("?" for _name in names)
        return (
            db.connection()
            .execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                f" AND name IN ({marks})",
                [table, *names],
            )
            .fetchall()
        )

    # errors -----------------------------------------------------------------------------
    def translate_error(self, location: Any, error: BaseException) -> WorkspaceError | None:
        return _storage_error(Path(location), error)


BACKEND = SqliteBackend()
FileDatabase.backend = BACKEND


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


def _connect(target: Path | str, pragmas: dict[str, object], *, uri: bool = False) -> FileDatabase:
    db = FileDatabase(str(target), pragmas=list(pragmas.items()), uri=uri, autoconnect=False)
    try:
        db.connect()
    except peewee.DatabaseError as error:
        raise sqlite3.DatabaseError(str(error)) from error
    return db
