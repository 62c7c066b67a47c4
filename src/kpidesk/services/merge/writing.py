"""Writing a merge into the workspace (inside its transaction), and undoing one."""

from __future__ import annotations

import json
from typing import Any

from kpidesk.domain.merging import Decision, Item, merged_columns
from kpidesk.i18n import N_
from kpidesk.services.merge import reading
from kpidesk.services.merge.reading import FOREIGN, MERGE_TABLE, MODELS, ORDER, Side
from kpidesk.store import changelog
from kpidesk.store.workspace import Workspace

_PLAIN = {"import_change": {"kpi_id", "unit_id", "old_batch_id"}}
"""Columns naming a row by its plain id: left empty where mine has no such row."""


class _Unresolvable(Exception):
    pass


def apply(chosen: list[tuple[Item, Decision]], mine: Side) -> None:
    """Write theirs' rows (inserts and updates parents first, then deletions children
    first); ``mine.id_of`` learns the ids the new rows get."""
    writes = [(item, decision) for item, decision in chosen if item.theirs is not None]
    deletions = [item for item, decision in chosen if item.theirs is None and item.mine is not None]
    for table in ORDER:
        pending = [(item, decision) for item, decision in writes if item.table == table]
        while pending:
            left = []
            for item, decision in pending:
                try:
                    _write(item, decision, mine)
                except _Unresolvable:
                    left.append((item, decision))
            if len(left) == len(pending):
                from kpidesk.services.merge import MergeFailed

                raise MergeFailed(
                    N_("A row of the other copy names one that is in neither ({table})."),
                    table=table,
                )
            pending = left
    for table in reversed(ORDER):
        rows = [item for item in deletions if item.table == table]
        for item in _children_first(table, rows):
            model = MODELS[table]
            model.delete().where(model.uid == item.mine["uid"]).execute()  # type: ignore[index]


def _children_first(table: str, items: list[Item]) -> list[Item]:
    parent = "parent_id" if "parent_id" in FOREIGN.get(table, {}) else None
    if parent is None:
        return items
    uids = {item.mine["uid"] for item in items if item.mine}  # type: ignore[index]
    depth: dict[str, int] = {}
    by_uid = {item.mine["uid"]: item for item in items if item.mine}  # type: ignore[index]

    def level(uid: str, seen: int = 0) -> int:
        if uid not in depth:
            above = by_uid[uid].mine.get(parent) if uid in by_uid else None  # type: ignore[union-attr]
            depth[uid] = level(above, seen + 1) + 1 if above in uids and seen < 100 else 0
        return depth[uid]

    return sorted(items, key=lambda item: -level(item.mine["uid"]))  # type: ignore[index]


def _write(item: Item, decision: Decision, mine: Side) -> None:
    table = item.table
    model = MODELS[table]
    row = merged_columns(item) if decision is Decision.KEEP else dict(item.theirs or {})
    columns = model._meta.columns  # type: ignore[attr-defined]
    data: dict[Any, Any] = {}
    for column, value in row.items():
        if column in ("id", "row_version") or column not in columns:
            continue
        target = FOREIGN.get(table, {}).get(column)
        if target is not None and value is not None:
            found = mine.id_of.get(target, {}).get(str(value))
            if found is None:
                if column in _PLAIN.get(table, ()):
                    value = None
                else:
                    raise _Unresolvable(column)
            else:
                value = found
        data[columns[column]] = value
    if item.mine is None:
        data[model.row_version] = (item.theirs or {}).get("row_version") or 1
        new_id = model.insert(data).execute()
        mine.id_of.setdefault(table, {})[str(row["uid"])] = int(new_id)
    else:
        uid = item.mine["uid"]
        data.pop(model.uid, None)
        model.update(data).where(model.uid == uid).execute()


def undo(workspace: Workspace, merge_id: int) -> int:
    """Put back every row the merge ``merge_id`` wrote (see ``merge.undo_merge``)."""
    from kpidesk.services.merge import MergeFailed

    with workspace.atomic():
        record = next((r for r in reading.merge_records() if r.id == merge_id), None)
        if record is None:
            raise MergeFailed(N_("There is no merge number {id}."), id=merge_id)
        if record.undone:
            raise MergeFailed(N_("The merge number {id} was undone already."), id=merge_id)
        entries = [
            entry
            for entry in changelog.changes(after_id=record.first_id)
            if entry.id < merge_id
            and entry.table in MODELS
            and (record.written is None or entry.id in record.written)
        ]
        put_back = 0
        for entry in reversed(entries):
            put_back += _revert(entry)
        workspace.backend.log_change(
            workspace.db,
            MERGE_TABLE,
            record.uid,
            "undo-merge",
            None,
            json.dumps({"merge_id": merge_id}),
        )
    return put_back


def _revert(entry: changelog.Change) -> int:
    model = MODELS[entry.table]
    current = model.get_or_none(model.uid == entry.row_uid)
    if entry.op == "insert":
        if current is None or current.row_version != (entry.new or {}).get("row_version"):
            return 0
        model.delete().where(model.uid == entry.row_uid).execute()
        return 1
    if entry.op == "update":
        if current is None or current.row_version != (entry.new or {}).get("row_version"):
            return 0
        old = dict(entry.old or {})
        columns = model._meta.columns  # type: ignore[attr-defined]
        data = {
            columns[c]: v
            for c, v in old.items()
            if c in columns and c not in ("id", "uid", "row_version")
        }
        model.update(data).where(model.uid == entry.row_uid).execute()
        return 1
    if entry.op == "delete" and current is None and entry.old is not None:
        columns = model._meta.columns  # type: ignore[attr-defined]
        data = {columns[c]: v for c, v in entry.old.items() if c in columns}
        if model.get_or_none(model.id == entry.old.get("id")) is not None:
            data.pop(model.id, None)
        model.insert(data).execute()
        return 1
    return 0
