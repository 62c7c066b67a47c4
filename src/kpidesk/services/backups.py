"""Use cases on a workspace's backups, shared by the command line and the app's File menu.

- ``create_backup(path)``: a copy now (``kpidesk backup``), into the backup folder or a folder
  of the user's choice.
- ``make_backup(workspace, reason=...)``: a copy of an open workspace before a risky change
  (an import calls it with ``REASON_BEFORE_IMPORT``).
- ``list_backups(path)``: every copy, newest first, with its date, reason, size and counts.
- ``find_backup(path, "3")``: a copy by the number ``list_backups`` shows, or by its path.
- ``restore_backup(path, backup)``: put a copy back; the state before is kept as a copy.
  The app closes the workspace before calling it and opens it again afterwards.
"""

from __future__ import annotations

import re
from pathlib import Path

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_, _, ngettext
from kpidesk.store import backups as store
from kpidesk.store.backups import (
    REASON_BEFORE_IMPORT,
    REASON_BEFORE_RESTORE,
    REASON_MANUAL,
    REASON_OPEN,
    BackupCounts,
    BackupError,
    BackupInfo,
    RestoreWhileOpenError,
    backup_dir_for,
)
from kpidesk.store.location import ServerAddress, workspace_location
from kpidesk.store.outputs import in_backups_folder
from kpidesk.store.workspace import Workspace, opened

__all__ = [
    "REASON_BEFORE_IMPORT",
    "REASON_BEFORE_RESTORE",
    "REASON_MANUAL",
    "REASON_OPEN",
    "BackupCounts",
    "BackupError",
    "BackupInfo",
    "NoSuchBackupError",
    "RestoreWhileOpenError",
    "backup_dir_for",
    "create_backup",
    "describe_counts",
    "find_backup",
    "list_backups",
    "make_backup",
    "reason_label",
    "restore_backup",
]


class NoSuchBackupError(DomainError):
    """A backup number that ``list_backups`` does not show."""

    exit_code = 2

    def __init__(self, workspace: Path, number: int, count: int) -> None:
        if count == 0:
            template = N_("{name} has no backups, so there is no backup number {number}.")
        else:
            template = N_(
                "{name} has no backup number {number}; the backups are numbered 1 to {count}."
            )
        super().__init__(template, name=Path(workspace).name, number=number, count=count)


def create_backup(
    workspace_path: Path | str | ServerAddress, *, directory: Path | str | None = None
) -> Path:
    """Copy the workspace now; the file may be open in KPI Desk and is never written. A
    server workspace is copied into a ``.kpidesk`` snapshot file, read in one transaction.

    Without ``directory`` the copy joins the workspace's rotating backups. ``directory``
    must be a folder (made if missing) outside KPI Desk's backups folder; the copy gets a
    name of its own there, so no file is ever written over.
    """
    if directory is not None:
        folder = Path(directory)
        if folder.exists() and not folder.is_dir():
            raise BackupError(
                N_("{path} is a file; --to takes a folder, where the copy gets a name of its own."),
                path=str(folder),
            )
        if in_backups_folder(folder):
            raise BackupError(
                N_("{path} is in KPI Desk's backups folder; to add a copy there, leave out --to."),
                path=str(folder),
            )
    location = workspace_location(workspace_path)
    if isinstance(location, ServerAddress):
        with opened(location, read_only=True, older_ok=True) as workspace:
            return store.make_backup(
                workspace,
                reason=REASON_MANUAL,
                directory=Path(directory) if directory is not None else None,
            )
    return store.backup_file(
        Path(workspace_path),
        reason=REASON_MANUAL,
        directory=Path(directory) if directory is not None else None,
    )


def make_backup(workspace: Workspace, *, reason: str) -> Path:
    """Copy an open workspace into its rotating backups, e.g. before an import."""
    return store.make_backup(workspace, reason=reason)


def list_backups(workspace_path: Path | str | ServerAddress) -> list[BackupInfo]:
    """The workspace's backups, newest first; works also when the workspace is gone."""
    return store.list_backups(workspace_location(workspace_path))


def find_backup(workspace_path: Path | str, reference: str | Path) -> Path:
    """A backup by the 1-based number ``list_backups`` gives it, or by its path.

    Digits name a number unless a file of that name exists.
    """
    text = str(reference).strip()
    if re.fullmatch(r"[0-9]+", text) and not Path(text).exists():
        number = int(text)
        found = list_backups(workspace_path)
        if not 1 <= number <= len(found):
            raise NoSuchBackupError(Path(workspace_path), number, len(found))
        return found[number - 1].path
    return Path(reference)


def restore_backup(workspace_path: Path | str, backup_path: Path | str) -> Path | None:
    """Replace the workspace with the backup; return the copy of the state before it.

    Refused while any KPI Desk has the workspace open for writing (``RestoreWhileOpenError``).
    The backup must be a sound workspace no newer than this version; a backup of an older
    version is updated the next time the workspace is opened.
    """
    return store.restore_backup(Path(workspace_path), Path(backup_path))


_REASON_LABELS = {
    REASON_OPEN: N_("opened"),
    REASON_MANUAL: N_("by hand"),
    REASON_BEFORE_RESTORE: N_("before a restore"),
    REASON_BEFORE_IMPORT: N_("before an import"),
}


def reason_label(reason: str) -> str:
    """Why a backup was made, for people: ``before-migration-v1`` → "before update from 1"."""
    if reason in _REASON_LABELS:
        return _(_REASON_LABELS[reason])
    prefix = "before-migration-v"
    if reason.startswith(prefix) and reason[len(prefix) :].isdigit():
        return _("before update from schema {version}").format(version=reason[len(prefix) :])
    return reason or _("unknown")


def describe_counts(counts: BackupCounts) -> str:
    """``12 KPIs, 5 units, 1,584 measurements`` in the user's language."""
    return ", ".join(
        (
            ngettext("{count} KPI", "{count} KPIs", counts.kpis).format(count=counts.kpis),
            ngettext("{count} unit", "{count} units", counts.units).format(count=counts.units),
            ngettext("{count} measurement", "{count} measurements", counts.measurements).format(
                count=counts.measurements
            ),
        )
    )
