"""A conflicting row in words, and its versions as plain values (for people and for JSON)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from kpidesk.domain.merging import ALWAYS_IGNORED, Item, Row
from kpidesk.domain.periods import Period, format_moment, format_period
from kpidesk.i18n import N_, _
from kpidesk.services.merge.reading import COMPARED, FOREIGN, Side

TABLE_LABELS = {
    "workspace_settings": N_("Workspace settings"),
    "unit": N_("Unit"),
    "goal": N_("Goal"),
    "kpi": N_("KPI"),
    "kpi_goal": N_("KPI and goal"),
    "target": N_("Target"),
    "target_path": N_("Target path"),
    "measurement": N_("Value"),
    "review": N_("Review"),
    "review_unit": N_("Review unit"),
    "review_event": N_("Review event"),
    "review_comment": N_("Review comment"),
    "decision": N_("Decision"),
    "action": N_("Action"),
    "chart_note": N_("Chart note"),
    "reporting_round": N_("Reporting round"),
    "reporting_delivery": N_("Delivery of figures"),
    "tip": N_("What works"),
    "initiative": N_("Initiative"),
    "milestone": N_("Milestone"),
}
_NAMES = ("name", "title", "code", "text", "alias", "file_name", "period")


def table_label(table: str) -> str:
    return _(TABLE_LABELS[table]) if table in TABLE_LABELS else table


def _name_of(table: str, uid: str | None, mine: Side, theirs: Side, alias: dict[str, str]) -> str:
    if uid is None:
        return ""
    row = mine.rows.get(table, {}).get(uid)
    if row is None:
        back = {v: k for k, v in alias.items()}
        row = theirs.rows.get(table, {}).get(back.get(uid, uid))
    if row is None:
        return "?"
    if table == "kpi":
        return f"{row['name']} ({row['code']})"
    for column in _NAMES:
        if row.get(column):
            return str(row[column])
    return "?"


def what(item: Item, mine: Side, theirs: Side, alias: dict[str, str]) -> str:
    """ "Value: Net sales (NS) · Store North · 2026-03", "KPI: Net sales (NS)", …"""
    label = table_label(item.table)
    if item.key and item.key[0] == "cell":
        _cell, kpi, unit, period = item.key
        parts = [_name_of("kpi", kpi, mine, theirs, alias)]
        parts.append(_name_of("unit", unit, mine, theirs, alias) if unit else _("all units"))
        parts.append(_period(str(period)))
        return f"{label}: {' · '.join(parts)}"
    row = item.mine or item.theirs or item.base or {}
    if item.table == "kpi":
        return f"{label}: {row.get('name')} ({row.get('code')})"
    for column in _NAMES:
        if row.get(column):
            return f"{label}: {row[column]}"
    return label


def _period(key: str) -> str:
    try:
        return format_period(Period.from_key(key))
    except ValueError:
        return key


def shown(table: str, row: Row | None, mine: Side, theirs: Side) -> dict[str, Any] | None:
    """A version's compared columns, as JSON values (references by uid)."""
    if row is None:
        return None
    columns = COMPARED.get(table) or [c for c in row if c not in ALWAYS_IGNORED]
    return {column: _plain(row.get(column)) for column in columns}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def references(table: str) -> dict[str, str]:
    return FOREIGN.get(table, {})


def shown_when(stored: str | None) -> str:
    """A conflict's time as stored (UTC, ISO) in the computer's zone and the user's language."""
    if not stored:
        return ""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_moment(moment.astimezone().replace(tzinfo=None))
