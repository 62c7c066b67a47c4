"""The seam between a workspace and where it is kept: a file (SQLite) or a server (PostgreSQL).

Everything that differs between the two lives behind :class:`Backend`, implemented by
:mod:`kpidesk.store.sqlite` and :mod:`kpidesk.store.postgres`; they are the only modules
that import ``sqlite3`` or ``psycopg`` (a test checks it). The rest of the store writes
SQL both understand, with ``?`` for parameters (:func:`sql` turns them into the backend's
own) and the few dialect pieces below; services and the UI see neither.

What differs:

- opening and closing, and what opening checks (a file's header, lock and SQLite's
  integrity check; a server's schema version against this client's);
- the write lock: a file is held by one writer (an OS lock); on a server ordinary edits
  take no lock, and exclusive operations (migration, publishing) an advisory lock
  (:meth:`Backend.exclusive`);
- the schema version, the integrity check, a snapshot into a ``.kpidesk`` file;
- writing without a change-log entry per row (:meth:`Backend.unlogged`: an import is one
  entry naming its batch), loading rows in bulk into a stage (:meth:`Backend.load_rows`);
- turning the driver's errors into the store's (:meth:`Backend.translate_error`);
- connections: one per thread, which peewee keeps; a worker thread opens its own with
  :meth:`kpidesk.store.workspace.Workspace.thread_connection`.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import peewee

    from kpidesk.store.errors import WorkspaceError
    from kpidesk.store.workspace import Workspace


class Backend(ABC):
    """One kind of home for workspaces. Instances hold no state; one of each kind exists."""

    kind: ClassVar[str]
    param: ClassVar[str]
    """The driver's parameter mark."""
    uid_sql: ClassVar[str]
    """An SQL expression making a new row ``uid``."""
    double_type: ClassVar[str]
    driver_errors: ClassVar[tuple[type[BaseException], ...]]
    """The driver's exception classes, which :meth:`translate_error` knows."""

    # opening ------------------------------------------------------------------------------
    @abstractmethod
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
        """A new workspace with its settings and one root unit, open for writing."""

    @abstractmethod
    def open(
        self,
        location: Any,
        *,
        read_only: bool,
        older_ok: bool,
        damaged_ok: bool,
        wal: bool,
        read_only_fallback: bool,
    ) -> Workspace: ...

    @abstractmethod
    def close(self, workspace: Workspace) -> None: ...

    # what a workspace is asked -----------------------------------------------------------
    @abstractmethod
    def schema_version(self, db: peewee.Database) -> int: ...

    @abstractmethod
    def integrity_problems(self, db: peewee.Database, *, quick: bool = False) -> list[str]: ...

    @abstractmethod
    def table_counts(self, db: peewee.Database, tables: Sequence[str]) -> dict[str, int]: ...

    @abstractmethod
    def checkpoint(self, db: peewee.Database) -> None:
        """Fold what was written back into the main file (a file); nothing on a server."""

    @abstractmethod
    def snapshot(self, workspace: Workspace, destination: Path) -> Path:
        """A consistent ``.kpidesk`` copy of the workspace, written whole or not at all."""

    @abstractmethod
    def exclusive(self, workspace: Workspace) -> contextlib.AbstractContextManager[None]:
        """Hold the workspace for an operation nobody else may run beside (migrating,
        publishing). A file's writer holds it already; a server takes an advisory lock."""

    @abstractmethod
    def note_actor(self, workspace: Workspace) -> None:
        """Make the change log name ``workspace.actor`` for what this transaction writes."""

    def lock_keys(self, db: peewee.Database, keys: Sequence[str]) -> None:
        """Inside a transaction: hold ``keys`` (a row's key, made or not yet) until it ends,
        so two saves of one key check and write one after the other. A file has one writer:
        nothing to do."""
        return None

    @abstractmethod
    def own_log_entries(self, db: peewee.Database, after_id: int) -> list[int]:
        """Inside a transaction: the ids of the change-log entries after ``after_id`` that
        this transaction wrote."""

    # writing -----------------------------------------------------------------------------
    @abstractmethod
    def unlogged(
        self, db: peewee.Database, tables: Sequence[str]
    ) -> contextlib.AbstractContextManager[None]:
        """Inside a transaction: changes to ``tables`` make no change-log entry per row
        until the block ends (the caller logs them as a whole)."""

    @abstractmethod
    def log_change(
        self,
        db: peewee.Database,
        table: str,
        row_uid: str | None,
        op: str,
        old_values: str | None,
        new_values: str | None,
    ) -> None:
        """Add one entry to the change log (one that stands for many rows: an import)."""

    @abstractmethod
    def bulk_loading(self, db: peewee.Database) -> contextlib.AbstractContextManager[None]:
        """Settings for loading many rows whose ids all come from the same transaction, until
        the block ends; entered outside any transaction."""

    @abstractmethod
    def create_stage(self, db: peewee.Database, name: str, columns: Sequence[str]) -> None:
        """A temporary table ``name`` of ``columns`` (``"name TYPE"``), gone at the end of the
        connection; dropped first if it exists."""

    @abstractmethod
    def drop_stage(self, db: peewee.Database, name: str) -> None: ...

    def load_rows(
        self, db: peewee.Database, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Add rows to a table (a stage) as fast as the backend can: ``executemany`` here,
        ``COPY`` on a server."""
        marks = ", ".join(self.param for _column in columns)
        names = ", ".join(f'"{column}"' for column in columns)
        db.cursor().executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def read_together(
        self, db: peewee.Database, reads: Sequence[tuple[str, Sequence[Any]]]
    ) -> list[list[tuple[Any, ...]]]:
        """The rows of each read (SQL with the driver's marks, and its parameters). A file
        reads them one after another; a server gets them all in one round trip."""
        return [list(db.execute_sql(text, params).fetchall()) for text, params in reads]

    @abstractmethod
    def defer_constraints(self, db: peewee.Database) -> None:
        """Inside a transaction: check foreign keys at its end, not at each row (a copy
        arrives in id order, where a unit may come before its parent)."""

    @abstractmethod
    def columns_of(self, db: peewee.Database, table: str) -> list[str]:
        """The table's columns as the database has them, in order (empty: no such table)."""

    @abstractmethod
    def read_transaction(self, db: peewee.Database) -> contextlib.AbstractContextManager[None]:
        """A transaction that sees one state of the whole workspace (a consistent copy)."""

    @abstractmethod
    def index_definitions(
        self, db: peewee.Database, table: str, names: Sequence[str]
    ) -> list[tuple[str, str]]:
        """(name, the SQL that makes it) of those indexes of ``table`` that exist."""

    def suspendable_foreign_keys(self, db: peewee.Database, table: str) -> list[tuple[str, str]]:
        """(name, definition) of the foreign keys of ``table`` a bulk load may drop inside
        its transaction and add again (checked once, for all rows) at its end. None in a
        file: a bulk load turns SQLite's foreign-key checks off for its connection instead."""
        return []

    def stage_uid_sql(self) -> str | None:
        """An SQL expression making each row's ``uid`` in a merge from the stage, taking one
        parameter, a random prefix per merge; None: :attr:`uid_sql`, no parameter."""
        return None

    # errors -------------------------------------------------------------------------------
    @abstractmethod
    def translate_error(self, location: Any, error: BaseException) -> WorkspaceError | None:
        """The store's error for a driver error (a full disk, a lost connection, a refused
        right), or None for one that is not about where the workspace lives."""


def sql(text: str, db: peewee.Database | None = None) -> str:
    """``text`` with its ``?`` marks as the backend of ``db`` (the bound one) writes them."""
    if db is None:
        from kpidesk.store.models import database as db
    param = db.param
    return text if param == "?" else text.replace("?", param)


def backend_of(db: peewee.Database | None = None) -> Backend:
    if db is None:
        from kpidesk.store.models import database as db
    return db.backend


def backend_for(location: Any) -> Backend:
    """The backend that keeps a workspace at ``location`` (a path or a server address)."""
    from kpidesk.store.location import ServerAddress

    if isinstance(location, ServerAddress):
        from kpidesk.store.postgres import BACKEND as postgres

        return postgres
    from kpidesk.store.sqlite import BACKEND as sqlite

    return sqlite


@contextlib.contextmanager
def no_op() -> Iterator[None]:
    yield
