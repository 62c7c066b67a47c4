"""Use cases of a workspace on a PostgreSQL server: preparing a database, moving a workspace in
and out, and updating a server's schema.

- ``init_server(url)`` (``kpidesk server init``): the empty schema in an empty database.
- ``publish(file, url)`` (``kpidesk publish``): a workspace file copied exactly onto a server.
- ``copy_to_file(url, file)`` (``kpidesk copy``): a server workspace copied into a new file.
- ``migrate_server(url)`` (``kpidesk server migrate``): the only way a server's schema changes;
  after a snapshot, in one transaction.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kpidesk.store import backups, transfer
from kpidesk.store.errors import (
    NeedsMigrationError,
    NewerWorkspaceError,
    NoServerWorkspaceError,
    WorkspaceExistsError,
)
from kpidesk.store.location import ServerAddress, workspace_location
from kpidesk.store.outputs import check_output
from kpidesk.store.workspace import Workspace, opened


@dataclass(frozen=True)
class CopyResult:
    """What moved: rows per table, and where to."""

    source: Path | ServerAddress
    destination: Path | ServerAddress
    counts: dict[str, int]

    @property
    def measurements(self) -> int:
        return self.counts.get("measurement", 0)

    @property
    def kpis(self) -> int:
        return self.counts.get("kpi", 0)

    @property
    def units(self) -> int:
        return self.counts.get("unit", 0)


@dataclass(frozen=True)
class MigrationResult:
    address: ServerAddress
    from_version: int
    to_version: int
    snapshot: Path | None

    @property
    def changed(self) -> bool:
        return self.from_version != self.to_version


def init_server(address: ServerAddress | str) -> None:
    """Make the KPI Desk schema in an empty database (refused where it holds other tables,
    or the schema already)."""
    from kpidesk.store.postgres import BACKEND

    BACKEND.init_schema(_server(address))


def publish(path: Path | str, address: ServerAddress | str) -> CopyResult:
    """Copy the workspace file ``path`` exactly onto the server, into a database that is
    empty or holds only the empty schema ``server init`` made (one holding a workspace is
    refused, and nothing is changed). The file is only read; a file of an older schema is
    brought up to date first, as opening it for writing does (after a backup copy)."""
    address = _server(address)
    source = _open_file_for_reading(Path(path))
    try:
        counts = transfer.publish(source, address)
    finally:
        source.close()
    return CopyResult(Path(path), address, counts)


def copy_to_file(address: ServerAddress | str, destination: Path | str) -> CopyResult:
    """Copy the server workspace into a new workspace file (refused where one exists)."""
    address = _server(address)
    destination = Path(destination)
    if os.path.lexists(destination):
        raise WorkspaceExistsError(destination)
    check_output(destination)
    with opened(address, read_only=True) as workspace:
        counts = workspace.table_counts()
        transfer.copy_to_file(workspace, destination, exclusive=True)
    return CopyResult(address, destination, counts)


def migrate_server(address: ServerAddress | str) -> MigrationResult:
    """Bring the server's schema up to this KPI Desk's version: a snapshot into its backups
    folder first, then every step in one transaction, holding the workspace alone (refused
    while another migration or publish runs; given up if others hold its tables past the
    lock timeout). A server of a newer schema is refused."""
    from kpidesk.store.postgres import BACKEND, newest_version

    address = _server(address)
    version, name = BACKEND.server_state(address)
    if version is None:
        raise NoServerWorkspaceError(address)
    newest = newest_version()
    if version > newest:
        raise NewerWorkspaceError(address, version, newest)  # type: ignore[arg-type]
    if version == newest:
        return MigrationResult(address, version, version, None)
    snapshot = None
    if name is not None:
        with opened(address, read_only=True, older_ok=True) as workspace:
            snapshot = backups.make_backup(workspace, reason=f"before-migration-v{version}")
    done = BACKEND.migrate(address)
    return MigrationResult(address, version, done[-1] if done else version, snapshot)


def _server(address: ServerAddress | str) -> ServerAddress:
    location = workspace_location(address)
    if not isinstance(location, ServerAddress):
        raise TypeError(f"{address} is no server address")
    return location


def _open_file_for_reading(path: Path) -> Workspace:
    try:
        return Workspace.open(path, read_only=True, bind=False)
    except NeedsMigrationError:
        Workspace.open(path, bind=False).close()  # migrates, after a backup copy
        return Workspace.open(path, read_only=True, bind=False)
