"""Reading the change log: what changed, in which row, by whom, when, from what to what.

The log is written by the database (triggers, see :mod:`kpidesk.store.sqlite` and
:mod:`kpidesk.store.pg_schema`), so every change is in it whoever made it, in a file and on a
server alike. Each backend writes the rows' values as JSON in its own notation (a server's
times with a ``T`` and an offset, its uids with hyphens, its booleans as ``true``; a file's
as it stores them); :func:`changes` gives them back the same from both, as the models'
Python values. This is what the audit trail (who changed a value, and what it was) and the
merging of two copies of a workspace (the longest common prefix of their logs is where they
parted: the entries' ``uid`` are the same in both copies up to there) read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import peewee

from kpidesk.store import models
from kpidesk.store.models import ChangeLog, DateTimeField, UidField

OPS = ("insert", "update", "delete", "import", "undo-import", "migrate")


@dataclass(frozen=True, slots=True)
class Change:
    id: int
    uid: str
    at: datetime
    actor: str | None
    table: str
    row_uid: str | None
    op: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


def changes(
    *, after_id: int = 0, table: str | None = None, row_uid: str | None = None
) -> list[Change]:
    """The log's entries after ``after_id``, oldest first; of one table or one row if asked."""
    query = ChangeLog.select().where(ChangeLog.id > after_id).order_by(ChangeLog.id)
    if table is not None:
        query = query.where(ChangeLog.table_name == table)
    if row_uid is not None:
        query = query.where(ChangeLog.row_uid == row_uid)
    return [_change(entry) for entry in query]


def entry_uids() -> list[str]:
    """Every entry's ``uid`` in order: two copies agree on these up to where they parted."""
    return [row[0] for row in ChangeLog.select(ChangeLog.uid).order_by(ChangeLog.id).tuples()]


def _change(entry: ChangeLog) -> Change:
    return Change(
        entry.id,
        entry.uid,
        entry.at,
        entry.actor,
        entry.table_name,
        entry.row_uid,
        entry.op,
        values(entry.table_name, entry.old_values),
        values(entry.table_name, entry.new_values),
    )


_MODELS = {model._meta.table_name: model for model in models.ALL_MODELS}  # type: ignore[attr-defined]


def values(table: str, text: str | None) -> dict[str, Any] | None:
    """A logged row's JSON as the model's Python values (the same from either backend)."""
    if text is None:
        return None
    raw = json.loads(text)
    model = _MODELS.get(table)
    if model is None or not isinstance(raw, dict):
        return raw
    columns = model._meta.columns  # type: ignore[attr-defined]
    return {key: _value(columns.get(key), value) for key, value in raw.items()}


def _value(field: peewee.Field | None, value: Any) -> Any:
    if value is None or field is None:
        return value
    if isinstance(field, UidField):
        return str(value).replace("-", "").lower()
    if isinstance(field, DateTimeField | peewee.DateTimeField):
        moment = datetime.fromisoformat(str(value))
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment
    if isinstance(field, peewee.DateField):
        return date.fromisoformat(str(value)[:10])
    if isinstance(field, peewee.BooleanField):
        return bool(value)
    if isinstance(field, peewee.FloatField):  # DoubleField too
        return float(value)
    if isinstance(field, peewee.IntegerField | peewee.ForeignKeyField):
        return int(value)
    return value
