"""Use cases on whole workspaces: create, check, export the measurements as CSV."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_, os_error_text
from kpidesk.services.progress import (
    CancelFlag,
    Cancelled,
    Progress,
    never_cancelled,
    no_progress,
)
from kpidesk.store import queries
from kpidesk.store.errors import CorruptWorkspaceError
from kpidesk.store.workspace import FILE_SUFFIX, Workspace, opened

CSV_HEADER = ("kpi_code", "kpi", "unit", "period", "value", "comment")


class ExportError(DomainError):
    exit_code = 1


def workspace_name_from_path(path: Path) -> str:
    return Path(path).stem.replace("_", " ").strip() or "KPI Desk"


def create_workspace(
    path: Path | str, name: str | None = None, *, language: str = "sv", currency: str = "SEK"
) -> Workspace:
    """A new, empty workspace with one root unit named after the workspace; left open."""
    path = Path(path)
    if path.suffix != FILE_SUFFIX:
        path = path.with_name(path.name + FILE_SUFFIX)
    name = name or workspace_name_from_path(path)
    return Workspace.create(path, name, language=language, currency=currency)


@dataclass
class CheckReport:
    path: Path
    schema_version: int
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems


def check_workspace(path: Path | str) -> CheckReport:
    """Open read-only, run SQLite's full integrity check and count the rows of every table.

    Raises a ``WorkspaceError`` for a file that cannot be opened as a workspace at all; the
    file is never written.
    """
    path = Path(path)
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

    Written to a temporary file and renamed, so a cancelled or failed export leaves no
    half-written file behind.
    """
    destination = Path(destination)
    partial = destination.with_name(destination.name + ".partial")
    total = queries.measurement_count()
    written = 0
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(CSV_HEADER)
            for row in queries.iter_measurements_for_export():
                writer.writerow(
                    (
                        row.kpi_code,
                        row.kpi,
                        row.unit,
                        row.period,
                        format_value_for_csv(row.value),
                        row.comment,
                    )
                )
                written += 1
                if written % 5000 == 0:
                    progress(written, total)
                    if cancelled():
                        raise Cancelled()
        os.replace(partial, destination)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ExportError(
            N_("Could not write {path}: {reason}"),
            path=str(destination),
            reason=os_error_text(error),
        ) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    progress(written, total)
    return written
