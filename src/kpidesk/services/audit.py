"""Who did what: the audit trail of values, targets, KPI and goal definitions, decisions and
actions, read from the change log (:mod:`kpidesk.store.changelog`), which the database writes
whoever made the change: on a server the login, on a file the name set in Settings (else the
computer's user name).

Shown in a value's tooltip (its last change) and a KPI's history (its definition, targets
and values), and exported as CSV.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kpidesk.domain.text import csv_guard
from kpidesk.store import changelog
from kpidesk.store.models import Kpi, Measurement, Unit

HIDDEN = {"id", "uid", "row_version", "entered_at", "created_at"}
"""Columns that change with every save and say nothing to a reader."""
SCAN = 20_000
"""How many of the newest log entries a KPI's history reads (a large import is one)."""


@dataclass(frozen=True, slots=True)
class Edit:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    table: str
    op: str
    what: str
    edits: tuple[Edit, ...]


def _edits(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[Edit, ...]:
    fields = [key for key in (new or old or {}) if key not in HIDDEN]
    edits = []
    for key in fields:
        before = None if old is None else old.get(key)
        after = None if new is None else new.get(key)
        if old is None or new is None or before != after:
            edits.append(Edit(key, before, after))
    return tuple(edits)


def _what(change: changelog.Change) -> str:
    row = change.new or change.old or {}
    if change.table in ("measurement", "target"):
        unit = Unit.get_or_none(Unit.id == row.get("unit_id"))
        return f"{row.get('period', '')} · {unit.name if unit is not None else '*'}"
    for key in ("name", "title", "text", "code"):
        if row.get(key):
            return str(row[key])
    return change.table


def _entry(change: changelog.Change) -> AuditEntry:
    return AuditEntry(
        change.at,
        change.actor or "",
        change.table,
        change.op,
        _what(change),
        _edits(change.old, change.new),
    )


def value_history(kpi_id: int, unit_id: int, period: str) -> list[AuditEntry]:
    """The changes of the value stored at (KPI, unit, period), oldest first."""
    row = Measurement.get_or_none(
        (Measurement.kpi == kpi_id) & (Measurement.unit == unit_id) & (Measurement.period == period)
    )
    if row is None:
        return []
    return [_entry(change) for change in changelog.changes(table="measurement", row_uid=row.uid)]


def last_change(kpi_id: int, unit_id: int, period: str) -> AuditEntry | None:
    history = value_history(kpi_id, unit_id, period)
    return history[-1] if history else None


def kpi_history(kpi_id: int) -> list[AuditEntry]:
    """The KPI's definition, targets and typed values as they changed, oldest first (an
    import shows as one entry of its own in the workspace's log, not here)."""
    kpi = Kpi.get_by_id(kpi_id)
    newest = changelog.ChangeLog.select(changelog.ChangeLog.id).order_by(
        changelog.ChangeLog.id.desc()
    )
    last = newest.scalar() or 0
    entries = []
    for change in changelog.changes(after_id=max(0, last - SCAN)):
        if change.table == "kpi" and change.row_uid == kpi.uid:
            entries.append(_entry(change))
        elif change.table in ("measurement", "target", "target_path", "decision", "action"):
            row = change.new or change.old or {}
            if row.get("kpi_id") == kpi_id:
                entries.append(_entry(change))
    return entries


def author_of(table: str, uid: str) -> str | None:
    """Who made the row (a comment, a decision, an action): its first log entry's actor."""
    for change in changelog.changes(table=table, row_uid=uid):
        return change.actor
    return None


COLUMNS = ("at", "who", "table", "change", "what", "field", "old", "new")


def export_csv(entries: Iterable[AuditEntry], destination: Path) -> int:
    """The entries as CSV (UTF-8, one row per changed field; text cells guarded against
    formula injection as every export is); returns the rows written."""
    count = 0
    with destination.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for entry in entries:
            for edit in entry.edits or (Edit("", None, None),):
                writer.writerow(
                    [
                        entry.at.isoformat(sep=" ", timespec="seconds"),
                        csv_guard(entry.actor),
                        entry.table,
                        entry.op,
                        csv_guard(entry.what),
                        edit.field,
                        csv_guard(_text(edit.old)),
                        csv_guard(_text(edit.new)),
                    ]
                )
                count += 1
    return count


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)
