"""Opening, creating and closing a workspace: a file, or a database on a PostgreSQL server.

A workspace file is locked for this process while open for writing (the OS releases the
lock if it dies), runs in WAL mode while open, and is folded back into one file on close. A
file that is not a workspace, is damaged, or is newer than this version is refused before
anything is written (see :mod:`kpidesk.store.sqlite`). A server workspace takes no lock for
ordinary edits; one written by a newer KPI Desk, or waiting for ``kpidesk server migrate``,
opens read-only or is refused (see :mod:`kpidesk.store.postgres`).

Every workspace carries its own peewee database. The models and queries use the one bound
in the current context: inside :meth:`Workspace.bound` and :meth:`Workspace.atomic` that is
this workspace's, elsewhere the process default, which opening sets (``bind=False`` leaves
it alone, for a second workspace read beside the first).
"""

from __future__ import annotations

import contextlib
import getpass
import logging
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import peewee

from kpidesk.store import models
from kpidesk.store.backend import Backend, backend_for
from kpidesk.store.errors import (
    ReadOnlyWorkspaceError,
    ServerConnectionLostError,
    WorkspaceError,
)
from kpidesk.store.location import ServerAddress, workspace_location
from kpidesk.store.outputs import check_output

log = logging.getLogger(__name__)

FILE_SUFFIX = ".kpidesk"


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return ""


class Workspace:
    """An open workspace, in a file or on a server.

    ``location`` is the file's path or the server's address; ``path`` is the file's path
    (None on a server) and ``server`` the address (None for a file). ``notice`` says why a
    workspace asked for writing was opened read-only, if it was.
    """

    def __init__(
        self,
        location: Path | ServerAddress,
        db: peewee.Database,
        *,
        backend: Backend,
        read_only: bool,
        lock: Any = None,
        notice: str | None = None,
    ):
        self.location = location
        self.path: Path | None = location if isinstance(location, Path) else None
        self.server: ServerAddress | None = (
            location if isinstance(location, ServerAddress) else None
        )
        self.db = db
        self.backend = backend
        self.read_only = read_only
        self.notice = notice
        self.actor = _default_actor()
        """Who the change log names for this process's changes to a file (on a server: the
        login)."""
        self._lock = lock
        self._closed = False

    # opening --------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        location: Path | str | ServerAddress,
        name: str,
        *,
        language: str = "sv",
        currency: str = "SEK",
        fiscal_year_start_month: int = 1,
        root_unit: str | None = None,
    ) -> Workspace:
        """A new, empty workspace with one root unit, open for writing.

        A file is refused where a path exists or lies in the backups folder, and is written
        whole under a temporary name and renamed (see :func:`kpidesk.files.write_atomically`),
        so a failure (a full disk) leaves nothing behind. A server database must be empty or
        hold only the empty schema ``kpidesk server init`` made.
        """
        location = workspace_location(location)
        workspace = backend_for(location).create(
            location,
            name,
            language=language,
            currency=currency,
            fiscal_year_start_month=fiscal_year_start_month,
            root_unit=root_unit,
        )
        workspace.make_default()
        return workspace

    @classmethod
    def open(
        cls,
        location: Path | str | ServerAddress,
        *,
        read_only: bool = False,
        older_ok: bool = False,
        damaged_ok: bool = False,
        wal: bool = True,
        bind: bool = True,
        read_only_fallback: bool = False,
    ) -> Workspace:
        """Open a workspace; a file of an older schema is migrated after a backup copy.

        For writing, a file must pass SQLite's full integrity check (what ``kpidesk check``
        runs): a damaged workspace is never written. ``damaged_ok`` opens a damaged file
        read-only all the same, to look at what can still be read. ``wal=False`` keeps the
        rollback journal instead of switching to WAL mode: nothing is written to the file
        until a transaction commits, so a run that commits nothing (a dry run, a refused
        import) leaves it byte for byte as it was, header included.

        A server workspace of another schema version than this KPI Desk's is refused for
        writing (newer: update KPI Desk; older: ``kpidesk server migrate``), or, with
        ``read_only_fallback``, opened read-only with ``notice`` saying why.

        ``bind=False`` opens without making it the process default (a second workspace
        read beside the first, inside :meth:`bound`).
        """
        location = workspace_location(location)
        workspace = backend_for(location).open(
            location,
            read_only=read_only,
            older_ok=older_ok,
            damaged_ok=damaged_ok,
            wal=wal,
            read_only_fallback=read_only_fallback,
        )
        if bind:
            workspace.make_default()
        return workspace

    # binding --------------------------------------------------------------------------
    def make_default(self) -> None:
        """Make this the workspace models and queries use outside any binding."""
        models.database.initialize(self.db)

    def bound(self) -> contextlib.AbstractContextManager[None]:
        """Models and queries use this workspace in this context until the block ends."""
        return models.database.bound_to(self.db)

    @contextlib.contextmanager
    def thread_connection(self) -> Iterator[None]:
        """Let the calling thread (a worker) use this workspace through a connection of its
        own, bound for the block, and closed at its end if it was opened for it.

        peewee keeps one connection per thread; the app's belongs to the GUI thread. In WAL
        mode a file's readers and its writer do not wait for each other; a server serves
        every connection at once.
        """
        if self._closed:
            yield
            return
        opened_here = self.db.is_closed()
        if opened_here:
            self.db.connect()
        try:
            with self.bound():
                yield
        finally:
            if opened_here:
                self.db.close()

    # using ----------------------------------------------------------------------------
    @property
    def is_server(self) -> bool:
        return self.server is not None

    @property
    def kind(self) -> str:
        return self.backend.kind

    @property
    def connection(self) -> Any:
        """The driver's connection of the calling thread (``sqlite3`` or ``psycopg``)."""
        return self.db.connection()

    def atomic(self) -> contextlib.AbstractContextManager[object]:
        """A transaction (a savepoint when nested), bound to this workspace: all of it is
        saved, or none of it.

        A write the disk or the server refuses (full, failing, read-only, a right not
        granted, a lost connection) is rolled back and raised as a ``WorkspaceError``
        instead of the driver's own exception.
        """
        if self.read_only:
            raise ReadOnlyWorkspaceError(self.location)
        return self._transaction()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[object]:
        with self.bound():
            try:
                with self.db.atomic() as transaction:
                    if self.db.transaction_depth() == 1:
                        self.backend.note_actor(self)
                    yield transaction
            except WorkspaceError:
                raise
            except (peewee.DatabaseError, *self.backend.driver_errors) as error:
                problem = _earlier_write_error(error) or self.backend.translate_error(
                    self.location, error
                )
                if problem is None:
                    raise
                if isinstance(problem, ServerConnectionLostError):
                    with contextlib.suppress(Exception):  # the next use connects again
                        self.db.close()
                raise problem from error

    def exclusive(self) -> contextlib.AbstractContextManager[None]:
        """Hold the workspace against every other writer for the block (see
        :meth:`Backend.exclusive`)."""
        return self.backend.exclusive(self)

    def unlogged(self, *tables: str) -> contextlib.AbstractContextManager[None]:
        """Inside :meth:`atomic`: writes to ``tables`` (every table if none is named) make
        no change-log entry per row."""
        return self.backend.unlogged(self.db, tables or tuple(models.LOGGED_TABLES))

    def checkpoint(self) -> None:
        """Fold a file's WAL into the main file; called after large writes."""
        if not self.read_only:
            self.backend.checkpoint(self.db)

    def integrity_problems(self) -> list[str]:
        return self.backend.integrity_problems(self.db)

    def table_counts(self) -> dict[str, int]:
        tables = [model._meta.table_name for model in models.ALL_MODELS]  # type: ignore[attr-defined]
        return self.backend.table_counts(self.db, tables)

    def settings(self) -> models.WorkspaceSettings:
        with self.bound():
            return models.WorkspaceSettings.get()

    def save_copy(self, destination: Path | str) -> Path:
        """A consistent copy into a ``.kpidesk`` file, safe while the workspace is in use.

        Refuses the workspace itself, any other workspace, a backup and a folder (see
        :func:`kpidesk.store.outputs.check_output`); written whole or not at all.
        """
        destination = Path(destination)
        check_output(destination, workspace=self.path)
        self.backend.snapshot(self, destination)
        return destination

    @property
    def schema_version(self) -> int:
        return self.backend.schema_version(self.db)

    @property
    def display_name(self) -> str:
        """The file's path, or the server's URL (never with a password)."""
        return str(self.location)

    # closing --------------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.backend.close(self)
        finally:
            if self._lock is not None:
                self._lock.release()
            if models.database.default is self.db:
                models.database.initialize(None)
            log.info("closed %s", self.location)

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


def _earlier_write_error(error: BaseException) -> WorkspaceError | None:
    """A nested transaction's write error, which the outer rollback may have hidden."""
    from kpidesk.store.errors import WorkspaceNotWritableError, WorkspaceWriteError

    current = error.__context__
    while current is not None:
        if isinstance(current, WorkspaceWriteError | WorkspaceNotWritableError):
            return current
        current = current.__context__
    return None


@contextlib.contextmanager
def opened(
    location: Path | str | ServerAddress,
    *,
    read_only: bool = False,
    older_ok: bool = False,
    damaged_ok: bool = False,
    wal: bool = True,
) -> Iterator[Workspace]:
    """Open a workspace for the block, bound to it, and close it at the end."""
    workspace = Workspace.open(
        location, read_only=read_only, older_ok=older_ok, damaged_ok=damaged_ok, wal=wal
    )
    try:
        with workspace.bound():
            yield workspace
    finally:
        workspace.close()
