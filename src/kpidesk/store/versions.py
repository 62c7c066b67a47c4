"""A row's version as a save checks it: did anyone change the row since it was read?

A row's *token* is its ``(uid, row_version)``: the version grows with every update (the
database sees to it), and a row deleted and made again has a new uid, so a token read
earlier matches only the very row it was read from. ``None`` stands for "no row": a
value typed into an empty cell conflicts with a value someone else stored there meanwhile.

Keyed rows (a measurement or a target: KPI, unit, period) are checked under a lock on
their keys for the save's transaction (:meth:`Backend.lock_keys`), so two saves of one
key check and write one after the other; an update of a row by id checks its version in
the update itself. No lock outlives the save.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import peewee

from kpidesk.store.backend import backend_of, sql
from kpidesk.store.models import ChangeLog, database, uid_text

Token = tuple[str, int] | None
Key = tuple[int, int | None, str]


def lock(table: str, keys: Iterable[Key]) -> None:
    backend_of().lock_keys(database, [f"{table}:{k}:{u}:{p}" for k, u, p in keys])


def tokens(table: str, keys: Iterable[Key]) -> dict[Key, Token]:
    """The tokens of the rows of ``table`` (``measurement`` or ``target``) at ``keys``."""
    found: dict[Key, Token] = {}
    for kpi_id, unit_id, period in keys:
        unit_clause, params = (
            ("unit_id IS NULL", (kpi_id, period))
            if unit_id is None
            else ("unit_id = ?", (kpi_id, unit_id, period))
        )
        text = (
            f"SELECT uid, row_version FROM {table} WHERE kpi_id = ? AND {unit_clause}"
            " AND period = ? ORDER BY id DESC LIMIT 1"
        )
        row = database.execute_sql(sql(text), params).fetchone()
        found[(kpi_id, unit_id, period)] = None if row is None else (uid_text(row[0]), int(row[1]))
    return found


def tokens_in(
    table: str, kpi_ids: Iterable[int], unit_ids: Iterable[int | None], periods: Iterable[str]
) -> dict[Key, Token]:
    """Every row's token of ``table`` in the cross of KPIs, units and periods, read at once
    (a grid's: one round trip); a key without a row is not in the answer."""
    kpis, units, keys = list(set(kpi_ids)), list(set(unit_ids)), list(set(periods))
    if not kpis or not keys:
        return {}
    real = [unit for unit in units if unit is not None]
    clauses = []
    if real:
        clauses.append(f"unit_id IN ({', '.join('?' for _u in real)})")
    if None in units:
        clauses.append("unit_id IS NULL")
    if not clauses:
        return {}
    text = (
        f"SELECT kpi_id, unit_id, period, uid, row_version FROM {table}"
        f" WHERE kpi_id IN ({', '.join('?' for _k in kpis)}) AND ({' OR '.join(clauses)})"
        f" AND period IN ({', '.join('?' for _p in keys)}) ORDER BY id"
    )
    rows = database.execute_sql(sql(text), (*kpis, *real, *keys)).fetchall()
    return {(row[0], row[1], row[2]): (uid_text(row[3]), int(row[4])) for row in rows}


def row_token(model: type[peewee.Model], row_id: int) -> Token:
    row = (
        model.select(model.uid, model.row_version)  # type: ignore[attr-defined]
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .tuples()
        .first()
    )
    return None if row is None else (uid_text(row[0]), int(row[1]))


def update_checked(
    model: type[peewee.Model], row_id: int, read_version: int, **fields: object
) -> bool:
    """Update the row only if it is still at ``read_version``; False when it is not (or is
    gone): someone else saved it since it was read."""
    changed = (
        model.update(**fields)
        .where((model.id == row_id) & (model.row_version == read_version))  # type: ignore[attr-defined]
        .execute()
    )
    return bool(changed)


def last_change(table: str, uid: str | None) -> tuple[str | None, datetime | None]:
    """Who last changed the row of ``uid``, and when (from the change log)."""
    if uid is None:
        return None, None
    entry = (
        ChangeLog.select(ChangeLog.actor, ChangeLog.at)
        .where((ChangeLog.table_name == table) & (ChangeLog.row_uid == uid))
        .order_by(ChangeLog.id.desc())
        .first()
    )
    return (entry.actor, entry.at) if entry is not None else (None, None)


def last_change_of_key(table: str, key: Key) -> tuple[str | None, datetime | None]:
    """Who last changed the row at ``key`` (made, changed or deleted it), and when."""
    kpi_id, unit_id, period = key
    for entry in (
        ChangeLog.select()
        .where(ChangeLog.table_name == table)
        .order_by(ChangeLog.id.desc())
        .limit(2000)
    ):
        from kpidesk.store.changelog import values

        row = values(table, entry.new_values) or values(table, entry.old_values) or {}
        if (row.get("kpi_id"), row.get("unit_id"), row.get("period")) == (kpi_id, unit_id, period):
            return entry.actor, entry.at
    return None, None


def last_change_where(table: str, **match: object) -> tuple[str | None, datetime | None]:
    """Who last changed (made, changed or deleted) a row of ``table`` whose columns hold
    ``match``, and when: a link set's last change, or a replaced row's (a target path)."""
    from kpidesk.store.changelog import values

    for entry in (
        ChangeLog.select()
        .where(ChangeLog.table_name == table)
        .order_by(ChangeLog.id.desc())
        .limit(2000)
    ):
        row = values(table, entry.new_values) or values(table, entry.old_values) or {}
        if all(row.get(column) == value for column, value in match.items()):
            return entry.actor, entry.at
    return None, None


def lock_links(kpi_ids: Iterable[int], goal_ids: Iterable[int]) -> None:
    """Hold the link sets (``kpi_goal``) of these KPIs and goals for the save's transaction,
    so a KPI's goals and a goal's KPIs saved at once check and write one after the other."""
    keys = [f"kpi_goal:kpi:{k}" for k in kpi_ids] + [f"kpi_goal:goal:{g}" for g in goal_ids]
    backend_of().lock_keys(database, sorted(keys))


def path_token(kpi_id: int, unit_id: int | None) -> Token:
    """The token of the KPI's target path for that unit scope (None: no path)."""
    unit_clause, params = (
        ("unit_id IS NULL", (kpi_id,)) if unit_id is None else ("unit_id = ?", (kpi_id, unit_id))
    )
    text = (
        f"SELECT uid, row_version FROM target_path WHERE kpi_id = ? AND {unit_clause}"
        " ORDER BY id DESC LIMIT 1"
    )
    row = database.execute_sql(sql(text), params).fetchone()
    return None if row is None else (uid_text(row[0]), int(row[1]))
