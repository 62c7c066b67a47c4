"""Merging a copy of a workspace back into it (``kpidesk merge``, File → Merge a Copy…).

The two copies' change logs agree, entry for entry, up to where they parted (a copy made in
any way carries its original's log). Every row the other copy ("theirs") changed since then
is weighed against its version before that change (its base) and the workspace's own
("mine"): see :mod:`kpidesk.domain.merging`. All of it is one transaction after a backup;
with an unresolved conflict nothing is written. The merge is logged as one entry naming the
other copy's entries it took, so merging again takes none of them twice, and it is undone
from the change log (:func:`undo_merge`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kpidesk.domain.errors import DomainError
from kpidesk.domain.merging import (
    Decision,
    Item,
    Plan,
    Prefer,
    Unresolved,
    broken_references,
    plan,
)
from kpidesk.i18n import N_
from kpidesk.services.merge import describe, reading, writing
from kpidesk.services.merge.reading import MERGE_TABLE, Side
from kpidesk.store import changelog, models
from kpidesk.store.workspace import Workspace

__all__ = [
    "Conflict",
    "MergeFailed",
    "MergeReport",
    "NotCopiesError",
    "Prefer",
    "merge_copy",
    "undo_merge",
]

REASON_BEFORE_MERGE = "before-merge"


class MergeFailed(DomainError):
    exit_code = 1


class NotCopiesError(MergeFailed):
    def __init__(self, mine: str, theirs: str) -> None:
        super().__init__(
            N_(
                "{mine} and {theirs} are not copies of one workspace: their histories have"
                " nothing in common, so there is nothing to merge."
            ),
            mine=mine,
            theirs=theirs,
        )


@dataclass(frozen=True, slots=True)
class Conflict:
    """A row both copies changed differently: both versions, who changed each and when."""

    table: str
    key: tuple[Any, ...]
    what: str
    mine: dict[str, Any] | None
    theirs: dict[str, Any] | None
    changed_by: dict[str, str | None]
    changed_at: dict[str, str | None]

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "what": self.what,
            "mine": self.mine,
            "theirs": self.theirs,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at,
        }


@dataclass(slots=True)
class MergeReport:
    """What a merge applied (or would apply), and the conflicts it found."""

    other: str
    applied: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    unresolved: list[Conflict] = field(default_factory=list)
    done: bool = False
    dry_run: bool = False
    backup: Path | None = None
    merge_id: int | None = None

    @property
    def total(self) -> int:
        return sum(self.applied.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "conflicts": [conflict.as_json() for conflict in self.conflicts],
        }


@dataclass(slots=True)
class _Prepared:
    plan: Plan
    mine: Side
    entries: list[str]
    conflicts: dict[tuple[str, tuple[Any, ...]], Conflict]


def merge_copy(
    workspace: Workspace,
    other: Path | str,
    *,
    prefer: Prefer | None = None,
    choices: Mapping[tuple[str, tuple[Any, ...]], Prefer] | None = None,
    dry_run: bool = False,
    backup: bool = True,
) -> MergeReport:
    """Merge the copy at ``other`` (a file) into ``workspace``; ``other`` is only read.

    Conflicts are resolved by ``choices`` (per conflict, keyed by its table and key) or else
    ``prefer``; one left unresolved (or a dry run) writes nothing, and the report lists
    every conflict with ``unresolved`` those neither resolves.
    """
    other_workspace = Workspace.open(other, read_only=True, bind=False, wal=False)
    try:
        with workspace.bound():
            mine_uids = reading.entry_uids()
            merged = reading.merged_entries()
        with other_workspace.bound():
            theirs_uids = reading.entry_uids()
        parted = reading.parted_at(mine_uids, theirs_uids)
        if parted == 0:
            raise NotCopiesError(workspace.display_name, other_workspace.display_name)
        with other_workspace.bound():
            theirs = reading.read_side()
            reading.remember_logged_ids(theirs)
            unmerged = [entry for entry in changelog.changes()[parted:] if entry.uid not in merged]
            echoes = reading.echoes(set(mine_uids) | merged)
        with workspace.bound():
            mine = reading.read_side()
            mine_after = changelog.changes()[parted:]
        theirs_entries = [entry for entry in unmerged if not echoes(entry.id)]
        prepared = _prepare(theirs_entries, mine, theirs, mine_after)
        prepared.entries = [entry.uid for entry in unmerged]
    finally:
        other_workspace.close()
    report = MergeReport(Path(other).name, dry_run=dry_run)
    report.conflicts = list(prepared.conflicts.values())
    try:
        chosen = prepared.plan.to_apply(choices, prefer)
    except Unresolved as unresolved:
        report.unresolved = [
            prepared.conflicts[(item.table, item.key)] for item in unresolved.items
        ]
        lenient = prepared.plan.to_apply(choices, Prefer.MINE)
        report.applied = prepared.plan.counts(lenient)
        return report
    chosen = _applicable(chosen, prepared.mine)
    report.applied = prepared.plan.counts(chosen)
    if dry_run:
        return report
    if not prepared.entries:
        report.done = True
        return report
    if backup:
        from kpidesk.services.backups import make_backup

        report.backup = make_backup(workspace, reason=REASON_BEFORE_MERGE)
    with workspace.atomic():
        first_id = _last_entry_id()
        writing.apply(chosen, prepared.mine)
        details = {
            "other": report.other,
            "entries": prepared.entries,
            "applied": report.applied,
            "first_id": first_id,
            "written": workspace.backend.own_log_entries(workspace.db, first_id),
        }
        workspace.backend.log_change(
            workspace.db, MERGE_TABLE, None, "merge", None, json.dumps(details)
        )
        report.merge_id = _last_entry_id()
    report.done = True
    return report


def _last_entry_id() -> int:
    query = models.ChangeLog.select(models.ChangeLog.id).order_by(models.ChangeLog.id.desc())
    return int(query.limit(1).scalar() or 0)


def _prepare(
    entries: list[changelog.Change],
    mine: Side,
    theirs: Side,
    mine_after: list[changelog.Change],
) -> _Prepared:
    alias = _aliases(mine, theirs)
    touches = reading.theirs_touches(entries, theirs, mine)
    cells = {
        side_name: {
            table: _cell_index(side, table, alias if side is theirs else {})
            for table in reading.KEYED_BY_VALUE
        }
        for side_name, side in (("mine", mine), ("theirs", theirs))
    }
    items: dict[tuple[str, tuple[Any, ...]], Item] = {}
    who: dict[tuple[str, tuple[Any, ...]], reading.Touch] = {}
    for touch in touches:
        item = _item(touch, mine, theirs, alias, cells)
        if item is None:
            continue
        index = (item.table, item.key)
        if index not in items:
            items[index] = item
            who[index] = touch
        else:
            who[index].actor, who[index].at = touch.actor, touch.at
    ordered = sorted(items.values(), key=lambda item: reading.ORDER.index(item.table))
    merge_plan = plan(ordered)
    mine_uid_rows = {
        table: {uid: mine.uid_row(table, row) for uid, row in rows.items()}
        for table, rows in mine.rows.items()
    }
    provisional = merge_plan.to_apply(prefer=Prefer.MINE)
    broken = broken_references(provisional, mine_uid_rows, reading.REFERENCES)
    if broken:
        marked = {id(item) for item in broken}
        merge_plan.items = [
            (item, Decision.CONFLICT if id(item) in marked else decision)
            for item, decision in merge_plan.items
        ]
    mine_last = reading.last_changes(mine_after)
    conflicts = {}
    for item in merge_plan.conflicts:
        touch = who[(item.table, item.key)]
        mine_uid = (item.mine or {}).get("uid")
        mine_by, mine_at = mine_last.get(str(mine_uid), (None, None)) if mine_uid else (None, None)
        conflicts[(item.table, item.key)] = Conflict(
            item.table,
            item.key,
            describe.what(item, mine, theirs, alias),
            describe.shown(item.table, item.mine, mine, theirs),
            describe.shown(item.table, item.theirs, mine, theirs),
            {"mine": mine_by, "theirs": touch.actor},
            {"mine": _iso(mine_at), "theirs": _iso(touch.at)},
        )
    return _Prepared(merge_plan, mine, [entry.uid for entry in entries], conflicts)


def _aliases(mine: Side, theirs: Side) -> dict[str, str]:
    """Theirs' rows mine holds under another uid (the same KPI code, unit name, …): made in
    both copies apart, they are one row all the same."""
    alias: dict[str, str] = {}
    for table in reading.ORDER:
        columns = reading.NATURAL_KEYS.get(table)
        if columns is None:
            continue
        index = {
            tuple(mine.uid_row(table, row).get(c) for c in columns): uid
            for uid, row in mine.rows[table].items()
        }
        for uid, row in sorted(theirs.rows[table].items(), key=lambda pair: pair[1]["id"]):
            if uid in mine.rows[table]:
                continue
            key = tuple(theirs.uid_row(table, row, alias).get(c) for c in columns)
            if key in index and index[key] not in theirs.rows[table]:
                alias[uid] = index[key]
    return alias


def _cell_index(
    side: Side, table: str, alias: dict[str, str]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    index = {}
    for row in side.rows[table].values():
        shown = side.uid_row(table, row, alias)
        index[("cell", shown["kpi_id"], shown["unit_id"], shown["period"])] = shown
    return index


def _item(
    touch: reading.Touch,
    mine: Side,
    theirs: Side,
    alias: dict[str, str],
    cells: dict[str, dict[str, dict[tuple[Any, ...], dict[str, Any]]]],
) -> Item | None:
    table = touch.table
    own = mine if touch.side == "mine" else theirs
    own_alias = {} if touch.side == "mine" else alias
    base = own.uid_row(table, touch.base, own_alias) if touch.base is not None else None
    if touch.ref[0] == "cell":
        _, kpi_id, unit_id, period = touch.ref
        kpi = own.uid_of["kpi"].get(int(kpi_id))
        unit = own.uid_of["unit"].get(int(unit_id)) if unit_id is not None else None
        key: tuple[Any, ...] = (
            "cell",
            own_alias.get(kpi, kpi) if kpi else f"#{kpi_id}",
            own_alias.get(unit, unit) if unit else None,
            period,
        )
        mine_row = cells["mine"][table].get(key)
        theirs_row = cells["theirs"][table].get(key)
    else:
        theirs_uid = str(touch.ref[1])
        mine_uid = alias.get(theirs_uid, theirs_uid)
        key = (mine_uid,)
        row = theirs.rows[table].get(theirs_uid)
        theirs_row = theirs.uid_row(table, row, alias) if row is not None else None
        row = mine.rows[table].get(mine_uid)
        mine_row = mine.uid_row(table, row) if row is not None else None
        if theirs_row is not None:
            theirs_row["uid"] = mine_uid
    return Item(
        table,
        key,
        base,
        mine_row,
        theirs_row,
        reading.COMPARED.get(table),
        table in reading.BOOKKEEPING,
        reading.NEWEST.get(table, ()),
    )


def _applicable(chosen: list[tuple[Item, Decision]], mine: Side) -> list[tuple[Item, Decision]]:
    """Drop a row of theirs chosen over mine that names a row mine no longer has (it cannot
    come back without what it belongs to); deletions stand."""
    mine_uid_rows = {
        table: {uid: mine.uid_row(table, row) for uid, row in rows.items()}
        for table, rows in mine.rows.items()
    }
    while True:
        broken = {
            id(item)
            for item in broken_references(chosen, mine_uid_rows, reading.REFERENCES)
            if item.theirs is not None
        }
        if not broken:
            return chosen
        chosen = [(item, decision) for item, decision in chosen if id(item) not in broken]


def _iso(moment: datetime | date | None) -> str | None:
    return (
        moment.isoformat(sep=" ")
        if isinstance(moment, datetime)
        else (moment.isoformat() if moment is not None else None)
    )


def undo_merge(workspace: Workspace, merge_id: int) -> int:
    """Undo a merge: every row it wrote back as it was (a row changed since is kept as it
    is now); merging the copy again then takes its changes anew. Returns the rows put back."""
    return writing.undo(workspace, merge_id)


def last_merge(workspace: Workspace) -> reading.MergeRecord | None:
    """The newest merge into ``workspace`` not undone, if any."""
    with workspace.bound():
        records = [record for record in reading.merge_records() if not record.undone]
    return records[-1] if records else None
