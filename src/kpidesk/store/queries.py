"""The queries the app and the command line need, in one place; no SQL outside ``store/``.

Written once for both backends: ``?`` marks parameters (:func:`kpidesk.store.backend.sql`
writes them as the driver wants), periods of one kind are told apart by their length and
sixth character rather than a pattern, a null unit is matched by ``IS NULL`` rather than
SQLite's ``IS ?``, and what truly differs (temporary stages, index definitions, the
change log around an import) is asked of the backend.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import peewee

from kpidesk.store.backend import backend_of, sql
from kpidesk.store.models import ImportBatch, Kpi, Measurement, Unit, database, uid_text, utcnow

MeasurementRow = tuple[int, int, str, float, str, str, int | None]
"""(kpi id, unit id, period key, value, comment, source, import batch id)"""


def insert_measurements(rows: Iterable[MeasurementRow]) -> int:
    """Store many measurements in one statement each through ``executemany``.

    peewee's ``insert_many`` builds SQL about ten times slower; callers wrap this in a
    transaction. A value already stored for the same KPI, unit and period is replaced.
    """
    entered_at = utcnow().isoformat(" ")
    return executemany(
        "INSERT INTO measurement (kpi_id, unit_id, period, value, comment, source, batch_id,"
        f" entered_at, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, {new_uid_sql()})"
        " ON CONFLICT (kpi_id, unit_id, period) DO UPDATE SET value = excluded.value,"
        " comment = excluded.comment, source = excluded.source,"
        " batch_id = excluded.batch_id, entered_at = excluded.entered_at,"
        " row_version = measurement.row_version + 1",
        [(*row, entered_at) for row in rows],
    )


def new_uid_sql() -> str:
    return backend_of().uid_sql


def execute(text: str, params: Sequence[object] = ()) -> object:
    return database.execute_sql(sql(text), params)


def executemany(text: str, rows: Iterable[Sequence[object]]) -> int:
    """``executemany`` on the driver's cursor (peewee has none), its errors peewee's."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    cursor = database.cursor()
    with peewee.__exception_wrapper__:
        cursor.executemany(sql(text), rows)
    return cursor.rowcount


def _time_text(value: object) -> str | None:
    """A stored time as a file keeps it (``2026-03-01 12:00:00``), whichever backend read it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            from datetime import UTC

            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(" ")
    return str(value)


@dataclass(frozen=True, slots=True)
class ExportedMeasurement:
    kpi_code: str
    kpi: str
    unit: str
    period: str
    value: float
    comment: str


def iter_measurements_for_export(batch_size: int = 5000) -> Iterator[ExportedMeasurement]:
    """Every stored measurement, ordered by KPI code, unit name and period."""
    query = (
        Measurement.select(
            Kpi.code,
            Kpi.name,
            Unit.name,
            Measurement.period,
            Measurement.value,
            Measurement.comment,
        )
        .join(Kpi)
        .switch(Measurement)
        .join(Unit)
        .order_by(Kpi.code, Unit.name, Measurement.period)
        .tuples()
    )
    cursor = database.execute(query)
    while True:
        chunk = cursor.fetchmany(batch_size)
        if not chunk:
            return
        for code, name, unit, period, value, comment in chunk:
            yield ExportedMeasurement(code, name, unit, period, value, comment or "")


def measurement_count() -> int:
    return Measurement.select().count()


def units() -> list[tuple[int, str, int | None, int]]:
    """Every unit as (id, name, parent id, sort order)."""
    return list(Unit.select(Unit.id, Unit.name, Unit.parent, Unit.sort_order).tuples())


_PERIOD_KINDS = {
    "week": "(length(period) = 8 AND substr(period, 6, 1) = 'W')",
    "month": "(length(period) = 7 AND substr(period, 6, 1) <> 'Q')",
    "quarter": "(length(period) = 7 AND substr(period, 6, 1) = 'Q')",
    "year": "(length(period) = 4)",
}
"""Which period keys are of each kind (``2026-W12``, ``2026-03``, ``2026-Q1``, ``2026``): the
store holds valid keys only, so length and the sixth character tell them apart."""


def measured_period_bounds(kind: str) -> tuple[str, str] | None:
    """The first and last period keys of ``kind`` that hold a measurement, or None."""
    row = database.execute_sql(
        f"SELECT MIN(period), MAX(period) FROM measurement WHERE {_PERIOD_KINDS[kind]}"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return row[0], row[1]


def measurement_counts_by_kpi() -> dict[int, int]:
    return dict(
        database.execute_sql("SELECT kpi_id, COUNT(*) FROM measurement GROUP BY kpi_id").fetchall()
    )


def target_paths() -> list[tuple[int, int | None, str, float, str, float]]:
    """(kpi id, unit id or None, baseline period, baseline value, goal period, goal value)."""
    return database.execute_sql(
        "SELECT kpi_id, unit_id, baseline_period, baseline_value, goal_period, goal_value"
        " FROM target_path"
    ).fetchall()


def last_period_by_kpi() -> dict[int, list[str]]:
    """Per KPI, the newest period key of each kind it has values for."""
    result: dict[int, list[str]] = {}
    for condition in _PERIOD_KINDS.values():
        rows = database.execute_sql(
            f"SELECT kpi_id, MAX(period) FROM measurement WHERE {condition} GROUP BY kpi_id"
        ).fetchall()
        for kpi_id, key in rows:
            result.setdefault(kpi_id, []).append(key)
    return result


def kpis_with_targets() -> set[int]:
    rows = database.execute_sql(
        "SELECT DISTINCT kpi_id FROM target UNION SELECT DISTINCT kpi_id FROM target_path"
    ).fetchall()
    return {row[0] for row in rows}


# Data entry and targets (the Data page) ----------------------------------------------------

StoredMeasurement = tuple[int, int, str, float, str, str, int | None]
"""(kpi id, unit id, period key, value, comment, source, import batch id)"""

StoredTarget = tuple[int, int | None, str, float, float | None]
"""(kpi id, unit id or None for every unit, period key, value, high value)"""


def _placeholders(values: list[object]) -> str:
    return ", ".join("?" for _value in values)


def measurements_in_grid(
    kpi_ids: Iterable[int], unit_ids: Iterable[int], period_keys: Iterable[str]
) -> list[StoredMeasurement]:
    """The stored measurements of those KPIs, units and periods, with comment and source."""
    kpis, units_, periods = list(kpi_ids), list(unit_ids), list(period_keys)
    if not kpis or not units_ or not periods:
        return []
    return execute(
        "SELECT kpi_id, unit_id, period, value, comment, source, batch_id FROM measurement"
        f" WHERE kpi_id IN ({_placeholders(kpis)}) AND unit_id IN ({_placeholders(units_)})"
        f" AND period IN ({_placeholders(periods)})",
        (*kpis, *units_, *periods),
    ).fetchall()


def measurements_at(
    keys: Iterable[tuple[int, int, str]],
) -> dict[tuple[int, int, str], tuple[float, str, str, int | None]]:
    """(value, comment, source, batch id) of the measurements stored at those keys."""
    found: dict[tuple[int, int, str], tuple[float, str, str, int | None]] = {}
    for kpi_id, unit_id, period in keys:
        row = execute(
            "SELECT value, comment, source, batch_id FROM measurement"
            " WHERE kpi_id = ? AND unit_id = ? AND period = ?",
            (kpi_id, unit_id, period),
        ).fetchone()
        if row is not None:
            found[(kpi_id, unit_id, period)] = (row[0], row[1] or "", row[2], row[3])
    return found


def delete_measurements(keys: Iterable[tuple[int, int, str]]) -> int:
    """Remove the measurements at (kpi id, unit id, period key); callers hold a transaction."""
    return executemany(
        "DELETE FROM measurement WHERE kpi_id = ? AND unit_id = ? AND period = ?", list(keys)
    )


def targets_in_grid(kpi_ids: Iterable[int], period_keys: Iterable[str]) -> list[StoredTarget]:
    """Every per-period target (of any unit, or of all units) of those KPIs and periods."""
    kpis, periods = list(kpi_ids), list(period_keys)
    if not kpis or not periods:
        return []
    return execute(
        "SELECT kpi_id, unit_id, period, value, value_high FROM target"
        f" WHERE kpi_id IN ({_placeholders(kpis)}) AND period IN ({_placeholders(periods)})",
        (*kpis, *periods),
    ).fetchall()


def targets_at(
    keys: Iterable[tuple[int, int | None, str]],
) -> dict[tuple[int, int | None, str], tuple[float, float | None]]:
    """(value, high value) of the per-period targets at those keys (unit None: all units)."""
    found: dict[tuple[int, int | None, str], tuple[float, float | None]] = {}
    for kpi_id, unit_id, period in keys:
        unit_clause, params = _unit_is(unit_id)
        row = execute(
            f"SELECT value, value_high FROM target WHERE kpi_id = ? AND {unit_clause}"
            " AND period = ? ORDER BY id DESC LIMIT 1",
            (kpi_id, *params, period),
        ).fetchone()
        if row is not None:
            found[(kpi_id, unit_id, period)] = (row[0], row[1])
    return found


def _unit_is(unit_id: int | None) -> tuple[str, tuple[int, ...]]:
    """``unit_id`` matched as a value or, for None (all units), as null."""
    if unit_id is None:
        return "unit_id IS NULL", ()
    return "unit_id = ?", (unit_id,)


def delete_targets(keys: Iterable[tuple[int, int | None, str]]) -> int:
    """Remove the per-period targets at those keys; a None unit matches the all-units ones."""
    keys = list(keys)
    removed = executemany(
        "DELETE FROM target WHERE kpi_id = ? AND unit_id IS NULL AND period = ?",
        [(kpi, period) for kpi, unit, period in keys if unit is None],
    )
    return removed + executemany(
        "DELETE FROM target WHERE kpi_id = ? AND unit_id = ? AND period = ?",
        [key for key in keys if key[1] is not None],
    )


def insert_targets(rows: Iterable[StoredTarget]) -> int:
    """Add per-period targets; callers delete the ones at the same keys first."""
    return executemany(
        "INSERT INTO target (kpi_id, unit_id, period, value, value_high, uid)"
        f" VALUES (?, ?, ?, ?, ?, {new_uid_sql()})",
        list(rows),
    )


def target_paths_of(kpi_id: int, unit_id: int | None) -> list[tuple[str, float, str, float]]:
    """(baseline period, baseline value, goal period, goal value) of one KPI and unit scope."""
    unit_clause, params = _unit_is(unit_id)
    return execute(
        "SELECT baseline_period, baseline_value, goal_period, goal_value FROM target_path"
        f" WHERE kpi_id = ? AND {unit_clause} ORDER BY id",
        (kpi_id, *params),
    ).fetchall()


def replace_target_path(
    kpi_id: int, unit_id: int | None, path: tuple[str, float, str, float] | None
) -> None:
    """Make ``path`` the only target path of the KPI for that unit scope (None: remove it)."""
    unit_clause, params = _unit_is(unit_id)
    execute(f"DELETE FROM target_path WHERE kpi_id = ? AND {unit_clause}", (kpi_id, *params))
    if path is not None:
        execute(
            "INSERT INTO target_path (kpi_id, unit_id, baseline_period, baseline_value,"
            f" goal_period, goal_value, uid) VALUES (?, ?, ?, ?, ?, ?, {new_uid_sql()})",
            (kpi_id, unit_id, *path),
        )


# Charts and unit comparison ----------------------------------------------------------------


def _id_list(ids: Iterable[int]) -> tuple[str, tuple[int, ...]]:
    """Placeholders and parameters for ``IN (...)`` over distinct ids."""
    unique = tuple(sorted({int(i) for i in ids}))
    return ", ".join(database.param for _id in unique), unique


def measurements_of_kpis(kpi_ids: Iterable[int]) -> list[tuple[int, int, str, float, str]]:
    """(kpi id, unit id, period key, value, comment) of some KPIs, every period."""
    marks, params = _id_list(kpi_ids)
    if not params:
        return []
    return database.execute_sql(
        "SELECT kpi_id, unit_id, period, value, comment FROM measurement"
        f" WHERE kpi_id IN ({marks})",
        params,
    ).fetchall()


def targets_of_kpis(
    kpi_ids: Iterable[int],
) -> list[tuple[int, int | None, str, float, float | None]]:
    """(kpi id, unit id or None, period key, value, high value) of some KPIs' targets."""
    marks, params = _id_list(kpi_ids)
    if not params:
        return []
    return database.execute_sql(
        f"SELECT kpi_id, unit_id, period, value, value_high FROM target WHERE kpi_id IN ({marks})",
        params,
    ).fetchall()


def target_paths_of_kpis(
    kpi_ids: Iterable[int],
) -> list[tuple[int, int | None, str, float, str, float]]:
    """Like :func:`target_paths`, for some KPIs only."""
    marks, params = _id_list(kpi_ids)
    if not params:
        return []
    return database.execute_sql(
        "SELECT kpi_id, unit_id, baseline_period, baseline_value, goal_period, goal_value"
        f" FROM target_path WHERE kpi_id IN ({marks})",
        params,
    ).fetchall()


def latest_goal_due_date(kpi_id: int) -> str | None:
    """The latest due date (ISO text) of the goals a KPI is linked to, or None."""
    row = execute(
        "SELECT MAX(goal.due_date) FROM kpi_goal JOIN goal ON goal.id = kpi_goal.goal_id"
        " WHERE kpi_goal.kpi_id = ? AND goal.due_date IS NOT NULL",
        (kpi_id,),
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return str(row[0])[:10]


def chart_notes_of_kpi(kpi_id: int) -> list[tuple[int, int | None, str, str]]:
    """(note id, unit id or None, period key, text) of the notes pinned to a KPI's chart."""
    return execute(
        "SELECT id, unit_id, period, text FROM chart_note WHERE kpi_id = ? ORDER BY period, id",
        (kpi_id,),
    ).fetchall()


# Review packs and reports ---------------------------------------------------------------


def measurement_comments_in_years(
    first_year: int, last_year: int
) -> list[tuple[int, int, str, str]]:
    """(kpi id, unit id, period key, comment) of the measurements with a comment."""
    return execute(
        "SELECT kpi_id, unit_id, period, comment FROM measurement"
        " WHERE period >= ? AND period < ? AND comment <> ''",
        (f"{first_year:04d}", f"{last_year + 1:04d}"),
    ).fetchall()


def kpi_texts() -> dict[int, tuple[str, str]]:
    """Per KPI id, its (definition, description)."""
    rows = database.execute_sql("SELECT id, definition, description FROM kpi").fetchall()
    return {row[0]: (row[1] or "", row[2] or "") for row in rows}


def stored_values_for_template(
    kpi_ids: Iterable[int], unit_ids: Iterable[int], period_keys: Iterable[str]
) -> dict[tuple[int, int, str], tuple[float, str]]:
    """The stored (value, comment) of each KPI, unit and period asked for that has one."""
    kpis, units, periods = set(kpi_ids), set(unit_ids), set(period_keys)
    if not kpis or not units or not periods:
        return {}
    result: dict[tuple[int, int, str], tuple[float, str]] = {}
    first, last = min(periods), max(periods)
    rows = execute(
        "SELECT kpi_id, unit_id, period, value, comment FROM measurement"
        " WHERE period >= ? AND period <= ?",
        (first, last),
    ).fetchall()
    for kpi_id, unit_id, period, value, comment in rows:
        if kpi_id in kpis and unit_id in units and period in periods:
            result[(kpi_id, unit_id, period)] = (value, comment or "")
    return result


def _ranges_clause(ranges: dict[str, tuple[str, str]]) -> tuple[str, list[str]]:
    parts, params = [], []
    for kind, (first, last) in ranges.items():
        parts.append(f"(period BETWEEN ? AND ? AND {_PERIOD_KINDS[kind]})")
        params += [first, last]
    return " OR ".join(parts) or "1 = 0", params


def measurements_in_ranges(ranges: dict[str, tuple[str, str]]) -> list[tuple[int, int, str, float]]:
    """(kpi id, unit id, period key, value) for period keys in each kind's (first, last) range."""
    clause, params = _ranges_clause(ranges)
    return execute(
        f"SELECT kpi_id, unit_id, period, value FROM measurement WHERE {clause}", params
    ).fetchall()


def targets_in_ranges(
    ranges: dict[str, tuple[str, str]],
) -> list[tuple[int, int | None, str, float, float | None]]:
    clause, params = _ranges_clause(ranges)
    return execute(
        f"SELECT kpi_id, unit_id, period, value, value_high FROM target WHERE {clause}", params
    ).fetchall()


# Importing spreadsheets (services.importing) -----------------------------------------------
#
# An import writes its values in bulk, and keeps in ``import_change`` what undoing it needs:
# the values it replaced (kind "measurement" or "target"), the KPIs, units and aliases it
# created ("kpi", "unit", "kpi_alias", "unit_alias"). ``import_batch`` carries its counts.
#
# The change log holds an import as one entry (op "import", naming the batch's uid) rather
# than one per value: the values it stored carry its ``batch_id``, and those it replaced are
# its ``import_change`` rows. So the statements below that move an import's values run
# ``unlogged``; undoing an import is the entry "undo-import". What an import does besides
# (KPIs, units, aliases, targets) is logged row by row as any change is.

IMPORT_CHANGE_KINDS = ("measurement", "target", "kpi", "unit", "kpi_alias", "unit_alias")
_IMPORT_TABLES = ("measurement", "import_change")

ImportChangeRow = tuple[
    str, int | None, int | None, str | None, float | None, float | None, float | None, str | None
]
"""(kind, kpi id, unit id, period key, old value, old high value, new value, alias)"""


def unlogged_import() -> contextlib.AbstractContextManager[None]:
    return backend_of().unlogged(database.obj, _IMPORT_TABLES)


def record_import_changes(batch_id: int, rows: Iterable[ImportChangeRow]) -> None:
    rows = [(batch_id, *row) for row in rows]
    if not rows:
        return
    with unlogged_import():
        executemany(
            "INSERT INTO import_change (batch_id, kind, kpi_id, unit_id, period, value,"
            " value_high, new_value, alias, uid)"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, {new_uid_sql()})",
            rows,
        )


def finish_import_batch(
    batch_id: int, *, imported: int, skipped: int, replaced: int, into: str
) -> None:
    """Store the batch's counts, and log it as one change-log entry."""
    execute(
        "UPDATE import_batch SET row_count = ?, skipped_count = ?, replaced_count = ?,"
        " imported_into = ?, row_version = row_version + 1 WHERE id = ?",
        (imported, skipped, replaced, into, batch_id),
    )
    _log_batch(batch_id, "import", imported=imported, replaced=replaced, into=into)


def _log_batch(batch_id: int, op: str, **details: object) -> None:
    uid = uid_text(ImportBatch.select(ImportBatch.uid).where(ImportBatch.id == batch_id).scalar())
    values = json.dumps({"batch_id": batch_id, "batch_uid": uid, **details})
    backend_of().log_change(database.obj, "measurement", uid, op, None, values)


ImportBatchRow = tuple[int, str, str, str | None, int, int, int, str, str, str | None]
"""(id, file name, sheet, profile name, imported, skipped, replaced, into, imported at,
undone at)"""


def import_batches(batch_id: int | None = None) -> list[ImportBatchRow]:
    """Every import batch, newest first (or the one with ``batch_id``)."""
    where, params = ("WHERE b.id = ?", (batch_id,)) if batch_id is not None else ("", ())
    rows = execute(
        "SELECT b.id, b.file_name, b.sheet, p.name, b.row_count, b.skipped_count,"
        " b.replaced_count, b.imported_into, b.imported_at, b.undone_at FROM import_batch b"
        f" LEFT JOIN import_profile p ON p.id = b.profile_id {where} ORDER BY b.id DESC",
        params,
    ).fetchall()
    return [(*row[:8], _time_text(row[8]), _time_text(row[9])) for row in rows]


ImportChange = tuple[
    int | None,
    int | None,
    str | None,
    float | None,
    float | None,
    float | None,
    str,
    str,
    int | None,
    str | None,
    str | None,
]


def import_changes(batch_id: int, kind: str) -> list[ImportChange]:
    """(kpi id, unit id, period, old value, old high, new value, comment, source, old batch id,
    entered at, alias) of one kind of the batch's undo record, in the order recorded."""
    rows = execute(
        "SELECT kpi_id, unit_id, period, value, value_high, new_value, COALESCE(comment, ''),"
        " COALESCE(source, ''), old_batch_id, entered_at, alias FROM import_change"
        " WHERE batch_id = ? AND kind = ? ORDER BY id",
        (batch_id, kind),
    ).fetchall()
    return [(*row[:9], _time_text(row[9]), row[10]) for row in rows]


def replaced_measurement_of(
    batch_id: int, key: tuple[int, int, str]
) -> tuple[float, str, str, int | None, str] | None:
    """The measurement ``batch_id`` replaced at ``key``: (value, comment, source, its batch,
    entered at), or None."""
    row = execute(
        "SELECT value, COALESCE(comment, ''), COALESCE(source, ''), old_batch_id, entered_at"
        " FROM import_change WHERE batch_id = ? AND kind = 'measurement' AND kpi_id = ?"
        " AND unit_id = ? AND period = ? ORDER BY id LIMIT 1",
        (batch_id, *key),
    ).fetchone()
    if row is None:
        return None
    return (row[0], row[1], row[2], row[3], _time_text(row[4]))  # type: ignore[return-value]


def undone_batches() -> set[int]:
    rows = database.execute_sql("SELECT id FROM import_batch WHERE undone_at IS NOT NULL")
    return {row[0] for row in rows.fetchall()}


def delete_batch_measurements(batch_id: int) -> int:
    """Remove the measurements still carrying ``batch_id``; callers hold a transaction."""
    with unlogged_import():
        cursor = execute("DELETE FROM measurement WHERE batch_id = ?", (batch_id,))
    return cursor.rowcount  # type: ignore[attr-defined]


def restore_measurements(
    rows: Iterable[tuple[int, int, str, float, str, str, int | None, str]],
) -> int:
    """Put back measurements (kpi, unit, period, value, comment, source, batch id, entered at)
    where the key is free and the KPI and unit still exist; return how many were put back."""
    rows = list(rows)
    if not rows:
        return 0
    kpis = {row[0] for row in database.execute_sql("SELECT id FROM kpi").fetchall()}
    units_ = {row[0] for row in database.execute_sql("SELECT id FROM unit").fetchall()}
    now = utcnow().isoformat(" ")
    kept = [(*row[:7], row[7] or now) for row in rows if row[0] in kpis and row[1] in units_]
    with unlogged_import():
        return executemany(
            "INSERT INTO measurement (kpi_id, unit_id, period, value, comment, source, batch_id,"
            f" entered_at, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, {new_uid_sql()})"
            " ON CONFLICT (kpi_id, unit_id, period) DO NOTHING",
            kept,
        )


def mark_batch_undone(batch_id: int) -> None:
    execute(
        "UPDATE import_batch SET undone_at = ?, row_version = row_version + 1 WHERE id = ?",
        (utcnow().isoformat(" "), batch_id),
    )
    _log_batch(batch_id, "undo-import")


def kpi_holds_data(kpi_id: int) -> bool:
    row = execute(
        "SELECT EXISTS (SELECT 1 FROM measurement WHERE kpi_id = ?)"
        " OR EXISTS (SELECT 1 FROM target WHERE kpi_id = ?)"
        " OR EXISTS (SELECT 1 FROM target_path WHERE kpi_id = ?)",
        (kpi_id, kpi_id, kpi_id),
    ).fetchone()
    return bool(row and row[0])


def measurements_for_periods(keys: list[str]) -> list[tuple[int, int, str, float]]:
    """(kpi id, unit id, period key, value) for exactly these period keys.

    Each key is one lookup in the covering index on period, so a scorecard reads only the
    rows it shows; a range over keys would also sweep every other kind of period between.
    """
    return execute(
        "SELECT kpi_id, unit_id, period, value FROM measurement"
        f" WHERE period IN ({_placeholders(keys)})",
        keys,
    ).fetchall()


def targets_for_periods(keys: list[str]) -> list[tuple[int, int | None, str, float, float | None]]:
    return execute(
        "SELECT kpi_id, unit_id, period, value, value_high FROM target"
        f" WHERE period IN ({_placeholders(keys)})",
        keys,
    ).fetchall()


# Reads together: a scorecard and a chart in one round trip on a server ---------------------
#
# A scorecard refresh needs six sets of rows, a chart switch as many: on a server each read
# is a round trip (0.5 ms on a LAN, 20 ms and more over a VPN), so they are sent together
# (:meth:`kpidesk.store.backend.Backend.read_together`); a file reads them one by one, as
# before.

Read = tuple[str, Sequence[object]]

KPI_DEFINITION_COLUMNS = (
    "id, code, name, owner, measure_unit, unit_label, decimals, direction, frequency,"
    " time_aggregation, unit_aggregation, indicator_type, amber_margin, threshold_mode,"
    " benchmark_value, formula, sort_order, archived_at"
)
KpiDefinitionRow = tuple[object, ...]
"""A KPI's columns as :data:`KPI_DEFINITION_COLUMNS` names them."""


def read_together(reads: Sequence[Read]) -> list[list[tuple]]:
    """The rows of each read (SQL with ``?`` marks, and its parameters), in one round trip
    on a server."""
    return backend_of().read_together(
        database.obj, [(sql(text), tuple(params)) for text, params in reads]
    )


def _kpis_read() -> Read:
    return f"SELECT {KPI_DEFINITION_COLUMNS} FROM kpi", ()


def _links_read() -> Read:
    return "SELECT kpi_id, goal_id FROM kpi_goal", ()


def _units_read() -> Read:
    return "SELECT id, name, parent_id, sort_order FROM unit", ()


def _paths_read(kpi_ids: Iterable[int] | None = None) -> Read:
    columns = "kpi_id, unit_id, baseline_period, baseline_value, goal_period, goal_value"
    if kpi_ids is None:
        return f"SELECT {columns} FROM target_path", ()
    ids = sorted({int(i) for i in kpi_ids}) or [0]
    return f"SELECT {columns} FROM target_path WHERE kpi_id IN ({_placeholders(ids)})", ids


def kpi_definitions() -> tuple[list[KpiDefinitionRow], list[tuple[int, int]]]:
    """Every KPI's definition and every (KPI, goal) link, in one round trip."""
    kpis, links = read_together([_kpis_read(), _links_read()])
    return kpis, links


@dataclass(frozen=True, slots=True)
class RollupRows:
    """Everything a roll-up of values and targets reads."""

    kpis: list[KpiDefinitionRow]
    links: list[tuple[int, int]]
    units: list[tuple[int, str, int | None, int]]
    paths: list[tuple[int, int | None, str, float, str, float]]
    measurements: list[tuple[int, int, str, float]]
    targets: list[tuple[int, int | None, str, float, float | None]]


def rollup_rows(
    *,
    period_keys: list[str] | None = None,
    ranges: dict[str, tuple[str, str]] | None = None,
) -> RollupRows:
    """The KPIs, links, units, target paths, and the values and targets of exactly those
    period keys (see :func:`measurements_for_periods`) or in those ranges (see
    :func:`measurements_in_ranges`), read together."""
    if period_keys is not None:
        marks = _placeholders(period_keys) if period_keys else "NULL"
        values: Read = (
            f"SELECT kpi_id, unit_id, period, value FROM measurement WHERE period IN ({marks})",
            period_keys,
        )
        goals: Read = (
            "SELECT kpi_id, unit_id, period, value, value_high FROM target"
            f" WHERE period IN ({marks})",
            period_keys,
        )
    else:
        clause, params = _ranges_clause(ranges or {})
        values = (f"SELECT kpi_id, unit_id, period, value FROM measurement WHERE {clause}", params)
        goals = (
            f"SELECT kpi_id, unit_id, period, value, value_high FROM target WHERE {clause}",
            params,
        )
    found = read_together(
        [_kpis_read(), _links_read(), _units_read(), _paths_read(), values, goals]
    )
    return RollupRows(*found)


@dataclass(frozen=True, slots=True)
class ChartRows:
    """What a KPI's chart reads, beside the KPIs' definitions."""

    units: list[tuple[int, str, int | None, int]]
    measurements: dict[int, list[tuple[int, int, str, float, str]]]
    targets: dict[int, list[tuple[int, int | None, str, float, float | None]]]
    paths: list[tuple[int, int | None, str, float, str, float]]
    due_date: str | None
    currency: str | None
    notes: list[tuple[int, int | None, str, str]]


def chart_rows(kpi_id: int, kpi_ids: Iterable[int]) -> ChartRows:
    """The units; the values and targets of ``kpi_ids`` (a KPI and what its formula reads),
    one read each; their target paths; the latest due date of ``kpi_id``'s goals; the
    workspace's currency; the notes pinned to ``kpi_id``'s chart. Read together."""
    ids = sorted({int(i) for i in kpi_ids})
    reads: list[Read] = [_units_read(), _paths_read(ids)]
    reads.append(
        (
            "SELECT MAX(goal.due_date) FROM kpi_goal JOIN goal ON goal.id = kpi_goal.goal_id"
            " WHERE kpi_goal.kpi_id = ? AND goal.due_date IS NOT NULL",
            (kpi_id,),
        )
    )
    reads.append(("SELECT currency FROM workspace_settings ORDER BY id LIMIT 1", ()))
    reads.append(
        (
            "SELECT id, unit_id, period, text FROM chart_note WHERE kpi_id = ? ORDER BY period, id",
            (kpi_id,),
        )
    )
    for one in ids:
        reads.append(
            (
                "SELECT kpi_id, unit_id, period, value, comment FROM measurement WHERE kpi_id = ?",
                (one,),
            )
        )
        reads.append(
            (
                "SELECT kpi_id, unit_id, period, value, value_high FROM target WHERE kpi_id = ?",
                (one,),
            )
        )
    units, paths, due, currency, notes, *per_kpi = read_together(reads)
    due_date = str(due[0][0])[:10] if due and due[0][0] is not None else None
    return ChartRows(
        units,
        {one: per_kpi[2 * index] for index, one in enumerate(ids)},
        {one: per_kpi[2 * index + 1] for index, one in enumerate(ids)},
        paths,
        due_date,
        currency[0][0] if currency else None,
        notes,
    )
