"""Why a workspace could not be opened, each with a message for the user."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kpidesk.domain.errors import DomainError, Words
from kpidesk.i18n import N_, _, current_language
from kpidesk.store.location import ServerAddress

if TYPE_CHECKING:
    from kpidesk.store.file_lock import LockHolder


class WorkspaceError(DomainError):
    """A workspace that cannot be used as asked; nothing in it was changed.

    ``path`` is the file's path, or the server's address (shown without a password).
    """

    exit_code = 3

    def __init__(self, template: str, path: Path | ServerAddress | str, **params: object) -> None:
        location = path if isinstance(path, ServerAddress) else Path(path)
        super().__init__(template, path=str(location), name=location.name, **params)
        self.path = location


class WorkspaceMissingError(WorkspaceError):
    def __init__(self, path: Path) -> None:
        super().__init__(N_("{path}: no such file."), path)


class WorkspaceIsFolderError(WorkspaceError):
    def __init__(self, path: Path) -> None:
        super().__init__(N_("{path} is a folder, not a workspace file."), path)


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


def _one_line(detail: object) -> str:
    # SQLite's report spans lines ("*** in database main ***\nPage 4: …")
    return " ".join(str(detail).replace("*** in database main ***", " ").split())


def _shown_detail(detail: object) -> str:
    """SQLite's report as one line, shown in English only to English readers."""
    if isinstance(detail, CutShort):
        return detail
    return SqliteDetail(_one_line(detail))


def damage_kind(detail: str) -> Words:
    """What SQLite's (English) report of damage means, in the user's language."""
    text = detail.lower()
    if "user_version" in text:
        return Words(N_("its schema version is impossible"))
    if "bytes, expected" in text:
        return Words(N_("the file was cut short"))
    if "not a database" in text or "encrypted" in text:
        return Words(N_("its first page is damaged"))
    if "index" in text:
        return Words(N_("an index does not match its table"))
    if "schema" in text:
        return Words(N_("its table definitions are damaged"))
    if "malformed" in text or "page" in text or "freelist" in text or "tree" in text:
        return Words(N_("pages of the file are damaged"))
    return Words(N_("its contents are damaged"))


class CorruptWorkspaceError(WorkspaceError):
    """SQLite finds the file damaged. Nothing is written to it; it can be opened read-only,
    and restored from a backup (the message says so only when a backup exists)."""

    def __init__(self, path: Path, detail: str) -> None:
        detail = _shown_detail(detail)
        count = _backup_count(path)
        if count == 1:
            template = N_(
                "{path} is damaged ({what}: {detail}); nothing was written to it. It can be "
                "opened read-only, or restored from its backup."
            )
        elif count:
            template = N_(
                "{path} is damaged ({what}: {detail}); nothing was written to it. It can be "
                "opened read-only, or restored from one of its {count} backups."
            )
        else:
            template = N_(
                "{path} is damaged ({what}: {detail}); nothing was written to it. It can be "
                "opened read-only. There is no backup of it: keep a copy of the file before "
                "anything is tried on it."
            )
        super().__init__(template, path, detail=detail, what=damage_kind(detail), count=count)
        self.detail = detail
        self.backups = count


def _backup_count(path: Path | ServerAddress) -> int:
    from kpidesk.store.backups import backup_dir_for  # the backups know this module

    try:
        folder = backup_dir_for(path)
        return sum(1 for copy in folder.glob("*.kpidesk") if copy.is_file())
    except OSError:
        return 0


class DamagedBackupError(WorkspaceError):
    """A backup (or a file given as one) that SQLite finds damaged; it is left as it is."""

    def __init__(self, path: Path, detail: str) -> None:
        detail = _shown_detail(detail)
        super().__init__(
            N_("The backup {path} is damaged ({what}: {detail}); choose another backup."),
            path,
            detail=detail,
            what=damage_kind(detail),
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
                "{path} could not be written: the disk reported an input/output error. "
                "Nothing was changed."
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


# A workspace on a server ----------------------------------------------------------------------


class ServerDetail(str):
    """What the PostgreSQL driver said (English): shown to English readers only."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        text = str.__str__(self)
        if current_language() == "en" and text:
            return format(" (" + text + ")", spec)
        return format("", spec)


class ServerUnreachableError(WorkspaceError):
    def __init__(self, address: ServerAddress, detail: str = "") -> None:
        super().__init__(
            N_(
                "Could not connect to the server of {path}{detail}. Check the address, that "
                "the server runs and that it can be reached from here."
            ),
            address,
            detail=ServerDetail(detail),
        )


class ServerLoginError(WorkspaceError):
    def __init__(self, address: ServerAddress, detail: str = "") -> None:
        super().__init__(
            N_(
                "The server of {path} refused the login of {user}{detail}. Give the password "
                "in PGPASSWORD, in ~/.pgpass or through a PGSERVICE entry."
            ),
            address,
            user=address.user,
            detail=ServerDetail(detail),
        )


class ServerTlsError(WorkspaceError):
    def __init__(self, address: ServerAddress, detail: str = "") -> None:
        super().__init__(
            N_("The encrypted connection to {path} could not be made as its sslmode asks{detail}."),
            address,
            detail=ServerDetail(detail),
        )


class NoSuchDatabaseError(WorkspaceError):
    def __init__(self, address: ServerAddress) -> None:
        super().__init__(
            N_("The server has no database {name}: {path} names none."),
            address,
        )


class NoServerWorkspaceError(WorkspaceError):
    """A database that holds no KPI Desk workspace (yet)."""

    def __init__(self, address: ServerAddress) -> None:
        super().__init__(
            N_(
                "{path} holds no KPI Desk workspace. Put one there with "
                "kpidesk publish FILE.kpidesk {path}."
            ),
            address,
        )


class ServerNeedsMigrationError(WorkspaceError):
    """A server workspace of an older schema: only ``kpidesk server migrate`` updates it."""

    exit_code = 4

    def __init__(self, address: ServerAddress, found: int, supported: int) -> None:
        super().__init__(
            N_(
                "{path} holds schema {found}, older than this KPI Desk's ({supported}). An "
                "administrator updates it with kpidesk server migrate {path}; until then it "
                "opens read-only."
            ),
            address,
            found=found,
            supported=supported,
        )


class ServerConnectionLostError(WorkspaceError):
    exit_code = 1

    def __init__(self, address: ServerAddress, detail: str = "") -> None:
        super().__init__(
            N_(
                "The connection to {path} was lost{detail}; nothing of the change was saved. "
                "Try again when the server can be reached."
            ),
            address,
            detail=ServerDetail(detail),
        )


class ServerPermissionError(WorkspaceError):
    exit_code = 1

    def __init__(self, address: ServerAddress, detail: str = "") -> None:
        super().__init__(
            N_("{path}: you may not make this change{detail}; nothing was changed."),
            address,
            detail=ServerDetail(detail),
        )


class ServerResourcesError(WorkspaceError):
    """SQLSTATE class 53: the server is out of disk, memory or connections."""

    exit_code = 1

    def __init__(self, address: ServerAddress, detail: str = "") -> None:
        super().__init__(
            N_(
                "The server of {path} is out of disk space, memory or connections{detail}; "
                "nothing was changed. Ask its administrator."
            ),
            address,
            detail=ServerDetail(detail),
        )


class ServerBusyError(WorkspaceError):
    """An exclusive operation could not get the workspace: others are using it."""

    exit_code = 5

    def __init__(self, address: ServerAddress) -> None:
        super().__init__(
            N_(
                "{path} is in use by others; this needs it alone. Try again when they have "
                "closed it."
            ),
            address,
        )


class DatabaseNotEmptyError(WorkspaceError):
    exit_code = 1

    def __init__(self, address: ServerAddress, tables: list[str]) -> None:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        super().__init__(
            N_(
                "{path} holds other tables ({tables}); KPI Desk needs an empty database of its own."
            ),
            address,
            tables=shown,
        )


class ServerHoldsWorkspaceError(WorkspaceError):
    exit_code = 1

    def __init__(self, address: ServerAddress, name: str) -> None:
        super().__init__(
            N_(
                "{path} holds a workspace already ({workspace}); nothing was changed. Publish "
                "into an empty database."
            ),
            address,
            workspace=name,
        )


class ServerSchemaExistsError(WorkspaceError):
    exit_code = 1

    def __init__(self, address: ServerAddress) -> None:
        super().__init__(N_("{path} holds the KPI Desk schema already."), address)
