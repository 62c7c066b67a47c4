"""Use cases on whole workspaces: create, check, export the measurements as CSV."""

from __future__ import annotations

import csv
import errno
from dataclasses import dataclass, field
from pathlib import Path

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period
from kpidesk.domain.text import csv_guard
from kpidesk.files import FileWriteError, write_atomically
from kpidesk.i18n import N_
from kpidesk.services.progress import (
    CancelFlag,
    Cancelled,
    Progress,
    never_cancelled,
    no_progress,
)
from kpidesk.store import queries
from kpidesk.store.backups import put_new_workspace
from kpidesk.store.errors import CorruptWorkspaceError
from kpidesk.store.location import ServerAddress, workspace_location
from kpidesk.store.outputs import check_output
from kpidesk.store.workspace import FILE_SUFFIX, Workspace, opened

CSV_HEADER = ("kpi_code", "kpi", "unit", "period", "value", "comment")


class ExportError(DomainError):
    exit_code = 1


def workspace_name_from_path(path: Path) -> str:
    return Path(path).stem.replace("_", " ").strip() or "KPI Desk"


def create_workspace(
    path: Path | str | ServerAddress,
    name: str | None = None,
    *,
    language: str = "sv",
    currency: str = "SEK",
) -> Workspace:
    """A new, empty workspace with one root unit named after the workspace; left open.

    On a server (an empty database, or one ``kpidesk server init`` prepared) it is named
    after the database unless ``name`` is given."""
    location = workspace_location(path)
    if isinstance(location, ServerAddress):
        return Workspace.create(
            location, name or location.dbname, language=language, currency=currency
        )
    path = location
    if path.suffix != FILE_SUFFIX:
        path = path.with_name(path.name + FILE_SUFFIX)
    name = name or workspace_name_from_path(path)
    return Workspace.create(path, name, language=language, currency=currency)


REASON_BEFORE_DEMO = "before-demo"


def write_demo(
    path: Path | str, *, until: Period | None = None, language: str = "sv", force: bool = False
) -> Path:
    """Write the demo workspace to ``path``, whole or not at all; return the path written.

    Built under a temporary name beside ``path`` and renamed into place when complete. With
    ``force`` an existing workspace is replaced, but only after it has been locked (refused
    while open for writing elsewhere) and kept: as a backup, or moved aside as
    ``NAME.damaged-DATE`` when SQLite cannot read it (see
    :func:`kpidesk.store.backups.put_new_workspace`). Any failure leaves the old workspace
    exactly as it was.
    """
    from kpidesk.services.demo import build_demo

    return put_new_workspace(
        Path(path),
        lambda partial: build_demo(partial, until=until, language=language),
        replace=force,
        reason=REASON_BEFORE_DEMO,
    )


@dataclass
class CheckReport:
    path: Path | ServerAddress
    schema_version: int
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems


def check_workspace(path: Path | str | ServerAddress) -> CheckReport:
    """Open read-only, run the integrity check (SQLite's full one for a file; on a server,
    that every table, column and change-log trigger is there) and count every table's rows.

    Raises a ``WorkspaceError`` for a workspace that cannot be opened at all; nothing is
    ever written.
    """
    path = workspace_location(path)
    with opened(path, read_only=True, older_ok=True) as workspace:
        try:
            problems = workspace.integrity_problems()
            counts = workspace.table_counts() if not problems else {}
            version = workspace.schema_version
        except Exception as error:  # sqlite3 or peewee: a damaged page or table
            raise CorruptWorkspaceError(path, str(error)) from error
        return CheckReport(path, version, counts, problems)


def format_value_for_csv(value: float) -> str:
    """Full precision with a dot: the shortest text that reads back as the same float."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def export_measurements_csv(
    workspace: Workspace,
    destination: Path | str,
    *,
    progress: Progress = no_progress,
    cancelled: CancelFlag = never_cancelled,
) -> int:
    """Write every stored measurement, one row each, to a UTF-8 CSV; return the row count.

    The text columns (``kpi_code``, ``kpi``, ``unit``, ``comment``) are guarded against
    formula injection (see :func:`kpidesk.domain.text.csv_guard`); ``period`` and ``value``
    are written as they are. The destination is checked first (never the workspace, another
    workspace or a backup) and written whole or not at all
    (:func:`kpidesk.files.write_atomically`).
    """
    destination = Path(destination)
    check_output(destination, workspace=workspace.path)
    with workspace.bound():
        return _export_measurements_csv(workspace, destination, progress, cancelled)


def _export_measurements_csv(
    workspace: Workspace, destination: Path, progress: Progress, cancelled: CancelFlag
) -> int:
    total = queries.measurement_count()
    written = 0

    def write(partial: Path) -> None:
        nonlocal written
        with partial.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(CSV_HEADER)
            for row in queries.iter_measurements_for_export():
                writer.writerow(
                    (
                        csv_guard(row.kpi_code),
                        csv_guard(row.kpi),
                        csv_guard(row.unit),
                        row.period,
                        format_value_for_csv(row.value),
                        csv_guard(row.comment or ""),
                    )
                )
                written += 1
                if written % 5000 == 0:
                    progress(written, total)
                    if cancelled():
                        raise Cancelled()
            stream.flush()
            if stream.tell() == 0:  # pragma: no cover - the header is always there
                raise OSError(errno.EIO, "nothing was written")

    try:
        write_atomically(destination, write)
    except FileWriteError as error:
        raise ExportError(
            N_("Could not write {path}: {reason}"),
            path=str(destination),
            reason=error.params["reason"],
        ) from error
    progress(written, total)
    return written
