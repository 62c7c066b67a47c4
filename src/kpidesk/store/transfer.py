"""Copying a whole workspace exactly: a file onto a server (``kpidesk publish``), a server into a
file (``kpidesk copy``, a server's backups and snapshots).

Every table is copied row by row with its ids, ``uid``, ``row_version`` and the change log,
so the copy is the same workspace: every table's rows equal, the CSV export the same byte
for byte. The source is read in one transaction (one state of the whole workspace); the
destination is written in one transaction, its change-log triggers quiet (the log arrives
with the rows) and its foreign keys checked at the end. A server's identity sequences are
moved past the ids that arrived.

Values move as each backend keeps them, and only their form changes: a file's ``uid`` (16
bytes) is a server's ``uuid``, a file's time text ``2026-03-01 12:00:00`` a
server's UTC ``timestamptz``, a file's 0/1 a server's ``boolean``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from kpidesk.files import check_sqlite, write_atomically
from kpidesk.store import models
from kpidesk.store.errors import NewerWorkspaceError, ServerHoldsWorkspaceError, WorkspaceError
from kpidesk.store.location import ServerAddress

if TYPE_CHECKING:
    import peewee

    from kpidesk.store.backend import Backend
    from kpidesk.store.workspace import Workspace

CHUNK = 20_000


def tables() -> list[str]:
    return [model._meta.table_name for model in models.TRANSFERRED]  # type: ignore[attr-defined]


def file_value(value: object) -> object:
    """A value as a workspace file keeps it."""
    if isinstance(value, UUID):
        return value.bytes
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _rows(
    db: peewee.Database, table: str, columns: Sequence[str], to_file: bool
) -> Iterator[list[tuple[Any, ...]]]:
    names = ", ".join(f'"{column}"' for column in columns)
    cursor = db.execute_sql(f'SELECT {names} FROM "{table}" ORDER BY "id"')
    while True:
        chunk = cursor.fetchmany(CHUNK)
        if not chunk:
            return
        if to_file:
            yield [tuple(file_value(value) for value in row) for row in chunk]
        else:
            yield [tuple(server_value(value) for value in row) for row in chunk]


def server_value(value: object) -> object:
    """A value as a server takes it (a file's 16 bytes of a ``uid`` as a UUID)."""
    if isinstance(value, bytes):
        return UUID(bytes=value)
    return value


def copy_rows(
    source: peewee.Database,
    source_backend: Backend,
    destination: peewee.Database,
    destination_backend: Backend,
) -> dict[str, int]:
    """Copy every table's rows (callers hold a read transaction on ``source`` and a write
    transaction on ``destination``); return the rows copied per table."""
    to_file = destination_backend.kind == "sqlite"
    counts: dict[str, int] = {}
    for table in tables():
        columns = source_backend.columns_of(source, table)
        if not columns:
            continue
        missing = set(columns) - set(destination_backend.columns_of(destination, table))
        if missing:
            raise ValueError(f"{table} has no column {', '.join(sorted(missing))} in the copy")
        counts[table] = 0
        for chunk in _rows(source, table, columns, to_file):
            destination_backend.load_rows(
                destination, f'"{table}"' if to_file else table, columns, chunk
            )
            counts[table] += len(chunk)
    return counts


def copy_to_file(workspace: Workspace, destination: Path, *, exclusive: bool = False) -> Path:
    """A ``.kpidesk`` file holding exactly what ``workspace`` holds, at its schema version;
    written whole or not at all (``exclusive``: never over a file that appears meanwhile).
    Returns the path written (a symlink's target)."""
    from kpidesk.store import migrations
    from kpidesk.store.sqlite import BACKEND as sqlite

    version = workspace.schema_version
    if version > migrations.newest_version():
        raise NewerWorkspaceError(workspace.location, version, migrations.newest_version())  # type: ignore[arg-type]

    def build(partial: Path) -> None:
        sqlite.create_empty_file(partial, version)
        db = sqlite.open_for_loading(partial)
        try:
            with workspace.backend.read_transaction(workspace.db), db.atomic():
                sqlite.defer_constraints(db)
                with sqlite.unlogged(db, models.LOGGED_TABLES):
                    copy_rows(workspace.db, workspace.backend, db, sqlite)
        finally:
            sqlite.finish_loading(db)

    return write_atomically(Path(destination), build, check=check_sqlite, exclusive=exclusive)


def publish(source: Workspace, address: ServerAddress) -> dict[str, int]:
    """Copy the workspace ``source`` onto the server: into a database that is empty or holds
    only the empty schema ``kpidesk server init`` made; one transaction, all or nothing."""
    from kpidesk.store.postgres import BACKEND as postgres
    from kpidesk.store.postgres import connect

    db = connect(address)
    try:
        with db.atomic(), postgres._advisory_lock(db, address):
            if not postgres._has_schema(db):
                postgres._create_schema(db, address)
            version = postgres._meta_version(db)
            if version != source.schema_version:
                raise _version_mismatch(address, version, source.schema_version)
            holder = postgres._workspace_name(db)
            if holder is not None or _holds_rows(db):
                raise ServerHoldsWorkspaceError(address, holder or "?")
            postgres.defer_constraints(db)
            with (
                source.backend.read_transaction(source.db),
                postgres.unlogged(db, models.LOGGED_TABLES),
            ):
                counts = copy_rows(source.db, source.backend, db, postgres)
            postgres.advance_identities(db, tables())
        # A fresh table's statistics and visibility map: without them the server plans its
        # first reads blind, and reads the rows again where the covering indexes would do.
        for table in ("measurement", "target", "change_log"):
            db.execute_sql(f'VACUUM (ANALYZE) "{table}"')
    except WorkspaceError:
        raise
    except Exception as error:
        problem = postgres.translate_error(address, error)
        if problem is None:
            raise
        raise problem from error
    finally:
        with contextlib.suppress(Exception):
            db.close()
    return counts


def _holds_rows(db: peewee.Database) -> bool:
    probes = " OR ".join(f'EXISTS (SELECT 1 FROM "{table}")' for table in tables())
    return bool(db.execute_sql(f"SELECT {probes}").fetchone()[0])


def _version_mismatch(address: ServerAddress, server: int, file: int) -> WorkspaceError:
    from kpidesk.store.errors import ServerNeedsMigrationError

    if server > file:
        return NewerWorkspaceError(address, server, file)  # type: ignore[arg-type]
    return ServerNeedsMigrationError(address, server, file)
