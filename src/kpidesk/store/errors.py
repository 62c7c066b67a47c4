"""Why a workspace could not be opened, each with a message for the user."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_, _, current_language

if TYPE_CHECKING:
    from kpidesk.store.sqlite import LockHolder


class WorkspaceError(DomainError):
    """A workspace file that cannot be used as asked; nothing in it was changed."""

    exit_code = 3

    def __init__(self, template: str, path: Path, **params: object) -> None:
        super().__init__(template, path=str(path), name=Path(path).name, **params)
        self.path = Path(path)


class WorkspaceMissingError(WorkspaceError):
    def __init__(self, path: Path) -> None:
        super().__init__(N_("{path}: no such file."), path)


class EmptyFileError(WorkspaceError):
    def __init__(self, path: Path) -> None:
        super().__init__(N_("{path} is empty: it is not a KPI Desk workspace."), path)


class NotAWorkspaceError(WorkspaceError):
    def __init__(self, path: Path) -> None:
        super().__init__(N_("{path} is not a KPI Desk workspace."), path)


class SqliteDetail(str):
    """SQLite's own report of damage, which is English: shown as it is in English, and in
    another language as a sentence of that language (the report itself goes to the log)."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        if current_language() == "en":
            return format(str(self), spec)
        return format(_("SQLite's check of the file failed"), spec)


class CutShort(str):
    """A file shorter than its header says, as a detail in the user's language."""

    __slots__ = ("expected", "size")

    def __new__(cls, size: int, expected: int) -> CutShort:
        text = super().__new__(cls, f"file is {size} bytes, expected {expected}")
        text.size, text.expected = size, expected
        return text

    def __format__(self, spec: str) -> str:
        return format(
            _("the file is {size} bytes, {expected} expected").format(
                size=self.size, expected=self.expected
            ),
            spec,
        )


class CorruptWorkspaceError(WorkspaceError):
    def __init__(self, path: Path, detail: str) -> None:
        # SQLite's report spans lines ("*** in database main ***\nPage 4: …"): one line here
        if not isinstance(detail, CutShort):
            detail = SqliteDetail(
                " ".join(str(detail).replace("*** in database main ***", " ").split())
            )
        super().__init__(
            N_("{path} is damaged ({detail}). Restore it from a backup."), path, detail=detail
        )
        self.detail = detail


class NewerWorkspaceError(WorkspaceError):
    exit_code = 4

    def __init__(self, path: Path, found: int, supported: int) -> None:
        super().__init__(
            N_(
                "{path} was written by a newer version of KPI Desk (schema {found}; this "
                "version reads up to {supported}). Update KPI Desk to open it."
            ),
            path,
            found=found,
            supported=supported,
        )


class WorkspaceLockedError(WorkspaceError):
    exit_code = 5

    def __init__(self, path: Path, holder: LockHolder | None) -> None:
        if holder is None:
            super().__init__(
                N_("{path} is open in another KPI Desk. You can open it read-only."), path
            )
        else:
            super().__init__(
                N_(
                    "{path} is open in another KPI Desk (by {user} on {host}, process {pid}, "
                    "since {since}). You can open it read-only."
                ),
                path,
                user=holder.user,
                host=holder.host,
                pid=holder.pid,
                since=holder.since,
            )
        self.holder = holder


class ReadOnlyWorkspaceError(WorkspaceError):
    def __init__(self, path: Path) -> None:
        super().__init__(N_("{path} is open read-only; changes cannot be saved."), path)


class WorkspaceNotWritableError(WorkspaceError):
    """The file or its folder cannot be written (permissions, a read-only disk or share)."""

    exit_code = 1

    def __init__(self, path: Path) -> None:
        super().__init__(
            N_(
                "{path} cannot be changed: the file or its folder is read-only. You can open "
                "it read-only, or copy it to a folder you can write to."
            ),
            path,
        )


class WorkspaceWriteError(WorkspaceError):
    """The disk refused a write (full, failing); the transaction was rolled back."""

    exit_code = 1

    def __init__(self, path: Path, *, disk_full: bool, detail: str = "") -> None:
        if disk_full:
            template = N_(
                "{path} could not be written: the disk is full. Nothing was changed; free "
                "some space and try again."
            )
        else:
            template = N_(
                "{path} could not be written: the disk reported an error ({detail}). Nothing "
                "was changed."
            )
        super().__init__(template, path, detail=detail)
        self.disk_full = disk_full


class WorkspaceExistsError(WorkspaceError):
    exit_code = 1

    def __init__(self, path: Path) -> None:
        super().__init__(N_("{path} already exists; choose another name."), path)


class NeedsMigrationError(WorkspaceError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            N_("{path} needs an update that cannot be made read-only; open it for writing."),
            path,
        )
