"""Reading the two copies for a merge: their rows in uid space, where they parted, and what
the other copy changed since (from its change log)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import peewee

from kpidesk.domain.merging import Reference, Row
from kpidesk.store import changelog, models
from kpidesk.store.models import ChangeLog, uid_text

MERGE_TABLE = "merge"
"""The change log's ``table_name`` of a merge's own entry (op ``merge``; ``undo-merge`` when
it was undone): what it took from the other copy, so that merging again takes none of it."""

MODELS: dict[str, type[models.BaseModel]] = {
    model._meta.table_name: model  # type: ignore[attr-defined]
    for model in models.ALL_MODELS
}
ORDER = list(MODELS)
"""Parents before children."""

FOREIGN: dict[str, dict[str, str]] = {
    name: {
        f.column_name: f.rel_model._meta.table_name
        for f in model._meta.sorted_fields  # type: ignore[attr-defined]
        if isinstance(f, peewee.ForeignKeyField)
    }
    for name, model in MODELS.items()
}
# An import's undo record names KPIs, units and batches by plain ids (undo skips what is gone).
FOREIGN["import_change"].update(
    {"kpi_id": "kpi", "unit_id": "unit", "old_batch_id": "import_batch"}
)

REFERENCES = [
    Reference(
        name,
        f.column_name,
        f.rel_model._meta.table_name,
        f.on_delete in ("CASCADE", "RESTRICT"),
    )
    for name, model in MODELS.items()
    for f in model._meta.sorted_fields  # type: ignore[attr-defined]
    if isinstance(f, peewee.ForeignKeyField)
]

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "measurement": ("kpi_id", "unit_id", "period"),
    "target": ("kpi_id", "unit_id", "period"),
    "kpi": ("code",),
    "unit": ("parent_id", "name"),
    "kpi_goal": ("kpi_id", "goal_id"),
    "review_unit": ("review_id", "unit_id"),
    "kpi_alias": ("alias",),
    "unit_alias": ("alias",),
    "import_profile": ("name",),
}
KEYED_BY_VALUE = ("measurement", "target")
"""Tables whose rows are one cell each: matched by KPI, unit and period, whatever their uid."""

COMPARED: dict[str, tuple[str, ...]] = {
    "measurement": ("value", "comment"),
    "target": ("value", "value_high"),
}
BOOKKEEPING = frozenset(
    {"import_batch", "import_change", "kpi_alias", "unit_alias", "import_profile"}
)
NEWEST: dict[str, tuple[str, ...]] = {
    "import_profile": ("last_used_at",),
    "import_batch": ("undone_at",),
}


@dataclass(slots=True)
class Side:
    """One copy's rows: ``rows[table][uid]`` as stored (ids and all), and its ids' uids."""

    rows: dict[str, dict[str, dict[str, Any]]]
    uid_of: dict[str, dict[int, str]]
    id_of: dict[str, dict[str, int]] = field(default_factory=dict)

    def uid_row(self, table: str, row: Row, alias: dict[str, str] | None = None) -> dict[str, Any]:
        """``row`` with its references as uids (through ``alias``: theirs' uid → mine's)."""
        alias = alias or {}
        out: dict[str, Any] = {}
        references = FOREIGN.get(table, {})
        for column, value in row.items():
            if column == "id":
                continue
            if column in references and value is not None:
                target = self.uid_of.get(references[column], {}).get(int(value))
                value = alias.get(target, target) if target is not None else f"#{value}"
            elif column == "uid" and value is not None:
                value = alias.get(str(value), str(value))
            out[column] = value
        return out


def read_side() -> Side:
    """Every row of the bound workspace."""
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    uid_of: dict[str, dict[int, str]] = {}
    id_of: dict[str, dict[str, int]] = {}
    for name, model in MODELS.items():
        fields = model._meta.sorted_fields  # type: ignore[attr-defined]
        columns = [f.column_name for f in fields]
        table: dict[str, dict[str, Any]] = {}
        for values in model.select(*fields).tuples():
            row = dict(zip(columns, values, strict=True))
            table[row["uid"]] = row
        rows[name] = table
        uid_of[name] = {row["id"]: uid for uid, row in table.items()}
        id_of[name] = {uid: row["id"] for uid, row in table.items()}
    return Side(rows, uid_of, id_of)


def remember_logged_ids(side: Side) -> None:
    """Add the ids of rows gone from ``side`` but named in its log (a base's references)."""
    query = ChangeLog.select(ChangeLog.table_name, ChangeLog.old_values).where(
        ChangeLog.op.in_(("update", "delete")) & ChangeLog.old_values.is_null(False)
    )
    for table, text in query.tuples():
        if table not in side.uid_of:
            continue
        try:
            raw = json.loads(text)
        except ValueError:
            continue
        if isinstance(raw, dict) and raw.get("id") is not None and raw.get("uid"):
            side.uid_of[table].setdefault(int(raw["id"]), uid_text(raw["uid"]))


def entry_uids() -> list[str]:
    return changelog.entry_uids()


def parted_at(mine: list[str], theirs: list[str]) -> int:
    """How many entries the two logs share from their start: where the copies parted."""
    count = 0
    for a, b in zip(mine, theirs, strict=False):
        if a != b:
            break
        count += 1
    return count


@dataclass(frozen=True, slots=True)
class MergeRecord:
    id: int
    uid: str
    at: datetime
    other: str
    entries: frozenset[str]
    first_id: int
    undone: bool
    written: frozenset[int] | None = None
    """The ids of the log entries the merge wrote (None in a merge recorded before they were
    kept: every entry between ``first_id`` and the merge's own)."""


def merge_records() -> list[MergeRecord]:
    """The merges into the bound workspace, oldest first (with those since undone)."""
    undone = {
        uid_text(row[0])
        for row in ChangeLog.select(ChangeLog.row_uid)
        .where((ChangeLog.table_name == MERGE_TABLE) & (ChangeLog.op == "undo-merge"))
        .tuples()
    }
    records = []
    query = (
        ChangeLog.select()
        .where((ChangeLog.table_name == MERGE_TABLE) & (ChangeLog.op == "merge"))
        .order_by(ChangeLog.id)
    )
    for entry in query:
        data = json.loads(entry.new_values or "{}")
        records.append(
            MergeRecord(
                entry.id,
                entry.uid,
                entry.at,
                str(data.get("other", "")),
                frozenset(data.get("entries", ())),
                int(data.get("first_id", entry.id)),
                entry.uid in undone,
                frozenset(data["written"]) if "written" in data else None,
            )
        )
    return records


def merged_entries() -> set[str]:
    """The other copies' entries merged into the bound workspace and not undone since."""
    merged: set[str] = set()
    for record in merge_records():
        if not record.undone:
            merged |= record.entries
    return merged


def echoes(known: set[str]) -> Callable[[int], bool]:
    """Whether an entry of the bound workspace was written by a merge of entries all in
    ``known`` (the other copy's own, or merged into it): such an entry echoes a change the
    other copy has already, and is not a change of this copy's own."""
    records = [r for r in merge_records() if not r.undone and r.entries <= known]
    written = set().union(*(r.written or () for r in records))
    ranges = [(r.first_id, r.id) for r in records if r.written is None]
    return lambda entry_id: (
        entry_id in written or any(first < entry_id <= last for first, last in ranges)
    )


@dataclass(slots=True)
class Touch:
    """A row theirs changed: its base (as stored in theirs), and who last changed it when."""

    table: str
    ref: tuple[Any, ...]
    """("uid", uid) or, for a cell, ("cell", kpi id, unit id, period) in theirs' ids."""
    base: dict[str, Any] | None
    actor: str | None
    at: datetime | None
    side: str = "theirs"
    """Whose ids ``base`` and ``ref`` use (``mine`` for an import theirs undid)."""


def theirs_touches(entries: list[changelog.Change], theirs: Side, mine: Side) -> list[Touch]:
    """The rows theirs' ``entries`` changed, each with its base before the first of them."""
    touches: dict[tuple[str, tuple[Any, ...]], Touch] = {}

    def touch(
        table: str, ref: tuple[Any, ...], base: Any, entry: changelog.Change, side: str = "theirs"
    ) -> None:
        key = (table, (side, *ref))
        if key not in touches:
            touches[key] = Touch(table, ref, base, entry.actor, entry.at, side)
        else:
            touches[key].actor, touches[key].at = entry.actor, entry.at

    for entry in entries:
        if entry.table == MERGE_TABLE or entry.table not in MODELS:
            continue
        if entry.op in ("insert", "update", "delete") and entry.row_uid:
            values = entry.old if entry.old is not None else entry.new
            base = dict(entry.old) if entry.old is not None else None
            if entry.table in KEYED_BY_VALUE and values is not None:
                ref: tuple[Any, ...] = (
                    "cell",
                    values["kpi_id"],
                    values.get("unit_id"),
                    values["period"],
                )
            else:
                ref = ("uid", entry.row_uid)
            touch(entry.table, ref, base, entry)
        elif entry.op == "import" and entry.new is not None:
            _import_touches(entry, theirs, touch)
        elif entry.op == "undo-import" and entry.row_uid:
            _undo_touches(entry, mine, touch)
    return list(touches.values())


def _import_touches(entry: changelog.Change, theirs: Side, touch: Any) -> None:
    new = entry.new or {}
    batch_uid = str(new.get("batch_uid") or entry.row_uid or "")
    batch_id = theirs.id_of.get("import_batch", {}).get(batch_uid)
    if batch_id is None:
        return
    replaced: dict[tuple[Any, ...], dict[str, Any]] = {}
    for change in theirs.rows["import_change"].values():
        if change["batch_id"] != batch_id:
            continue
        touch("import_change", ("uid", change["uid"]), None, entry)
        if change["kind"] == "measurement" and change["kpi_id"] is not None:
            key = ("cell", change["kpi_id"], change["unit_id"], change["period"])
            replaced.setdefault(
                key,
                {
                    "kpi_id": change["kpi_id"],
                    "unit_id": change["unit_id"],
                    "period": change["period"],
                    "value": change["value"],
                    "comment": change["comment"] or "",
                },
            )
    for row in theirs.rows["measurement"].values():
        if row["batch_id"] == batch_id:
            key = ("cell", row["kpi_id"], row["unit_id"], row["period"])
            touch("measurement", key, replaced.get(key), entry)


def _undo_touches(entry: changelog.Change, mine: Side, touch: Any) -> None:
    """Theirs undid an import mine holds too: mine's values still carrying it go back to
    what theirs has there now (what the import had replaced, or none)."""
    batch_id = mine.id_of.get("import_batch", {}).get(str(entry.row_uid))
    if batch_id is None:
        return
    for row in mine.rows["measurement"].values():
        if row["batch_id"] == batch_id:
            key = ("cell", row["kpi_id"], row["unit_id"], row["period"])
            touch("measurement", key, dict(row), entry, "mine")


def last_changes(entries: list[changelog.Change]) -> dict[str, tuple[str | None, datetime]]:
    """Who last changed each row (by uid) in ``entries``, and when."""
    last: dict[str, tuple[str | None, datetime]] = {}
    for entry in entries:
        if entry.row_uid:
            last[entry.row_uid] = (entry.actor, entry.at)
    return last
