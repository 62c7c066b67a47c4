"""The queries the app and the command line need, in one place; no SQL outside ``store/``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kpidesk.store.models import Kpi, Measurement, Unit, database, utcnow

MeasurementRow = tuple[int, int, str, float, str, str, int | None]
"""(kpi id, unit id, period key, value, comment, source, import batch id)"""


def insert_measurements(rows: Iterable[MeasurementRow]) -> int:
    """Store many measurements in one statement each through ``executemany``.

    peewee's ``insert_many`` builds SQL about ten times slower; callers wrap this in a
    transaction. A value already stored for the same KPI, unit and period is replaced.
    """
    entered_at = utcnow().isoformat(" ")
    connection = database.connection()
    cursor = connection.executemany(
        "INSERT INTO measurement (kpi_id, unit_id, period, value, comment, source, batch_id,"
        " entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (kpi_id, unit_id, period) DO UPDATE SET value = excluded.value,"
        " comment = excluded.comment, source = excluded.source, batch_id = excluded.batch_id,"
        " entered_at = excluded.entered_at",
        ((*row, entered_at) for row in rows),
    )
    return cursor.rowcount


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


_PERIOD_GLOBS = {
    "week": "[0-9][0-9][0-9][0-9]-W[0-9][0-9]",
    "month": "[0-9][0-9][0-9][0-9]-[0-9][0-9]",
    "quarter": "[0-9][0-9][0-9][0-9]-Q[1-4]",
    "year": "[0-9][0-9][0-9][0-9]",
}


def measured_period_bounds(kind: str) -> tuple[str, str] | None:
    """The first and last period keys of ``kind`` that hold a measurement, or None."""
    row = database.execute_sql(
        "SELECT MIN(period), MAX(period) FROM measurement WHERE period GLOB ?",
        (_PERIOD_GLOBS[kind],),
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
    for kind, pattern in _PERIOD_GLOBS.items():
        del kind
        rows = database.execute_sql(
            "SELECT kpi_id, MAX(period) FROM measurement WHERE period GLOB ? GROUP BY kpi_id",
            (pattern,),
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
    return database.execute_sql(
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
        row = database.execute_sql(
            "SELECT value, comment, source, batch_id FROM measurement"
            " WHERE kpi_id = ? AND unit_id = ? AND period = ?",
            (kpi_id, unit_id, period),
        ).fetchone()
        if row is not None:
            found[(kpi_id, unit_id, period)] = (row[0], row[1] or "", row[2], row[3])
    return found


def delete_measurements(keys: Iterable[tuple[int, int, str]]) -> int:
    """Remove the measurements at (kpi id, unit id, period key); callers hold a transaction."""
    cursor = database.connection().executemany(
        "DELETE FROM measurement WHERE kpi_id = ? AND unit_id = ? AND period = ?", list(keys)
    )
    return cursor.rowcount


def targets_in_grid(kpi_ids: Iterable[int], period_keys: Iterable[str]) -> list[StoredTarget]:
    """Every per-period target (of any unit, or of all units) of those KPIs and periods."""
    kpis, periods = list(kpi_ids), list(period_keys)
    if not kpis or not periods:
        return []
    return database.execute_sql(
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
        row = database.execute_sql(
            "SELECT value, value_high FROM target WHERE kpi_id = ? AND unit_id IS ?"
            " AND period = ? ORDER BY id DESC LIMIT 1",
            (kpi_id, unit_id, period),
        ).fetchone()
        if row is not None:
            found[(kpi_id, unit_id, period)] = (row[0], row[1])
    return found


def delete_targets(keys: Iterable[tuple[int, int | None, str]]) -> int:
    """Remove the per-period targets at those keys; ``IS`` so that None matches all units."""
    cursor = database.connection().executemany(
        "DELETE FROM target WHERE kpi_id = ? AND unit_id IS ? AND period = ?", list(keys)
    )
    return cursor.rowcount


def insert_targets(rows: Iterable[StoredTarget]) -> int:
    """Add per-period targets; callers delete the ones at the same keys first (a null unit
    never conflicts in a unique index, so an upsert cannot be relied on)."""
    cursor = database.connection().executemany(
        "INSERT INTO target (kpi_id, unit_id, period, value, value_high) VALUES (?, ?, ?, ?, ?)",
        list(rows),
    )
    return cursor.rowcount


def target_paths_of(kpi_id: int, unit_id: int | None) -> list[tuple[str, float, str, float]]:
    """(baseline period, baseline value, goal period, goal value) of one KPI and unit scope."""
    return database.execute_sql(
        "SELECT baseline_period, baseline_value, goal_period, goal_value FROM target_path"
        " WHERE kpi_id = ? AND unit_id IS ? ORDER BY id",
        (kpi_id, unit_id),
    ).fetchall()


def replace_target_path(
    kpi_id: int, unit_id: int | None, path: tuple[str, float, str, float] | None
) -> None:
    """Make ``path`` the only target path of the KPI for that unit scope (None: remove it)."""
    database.execute_sql(
        "DELETE FROM target_path WHERE kpi_id = ? AND unit_id IS ?", (kpi_id, unit_id)
    )
    if path is not None:
        database.execute_sql(
            "INSERT INTO target_path (kpi_id, unit_id, baseline_period, baseline_value,"
            " goal_period, goal_value) VALUES (?, ?, ?, ?, ?, ?)",
            (kpi_id, unit_id, *path),
        )


# Charts and unit comparison ----------------------------------------------------------------


def _id_list(ids: Iterable[int]) -> tuple[str, tuple[int, ...]]:
    """Placeholders and parameters for ``IN (...)`` over distinct ids."""
    unique = tuple(sorted({int(i) for i in ids}))
    return ", ".join("?" * len(unique)), unique


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
    row = database.execute_sql(
        "SELECT MAX(goal.due_date) FROM kpi_goal JOIN goal ON goal.id = kpi_goal.goal_id"
        " WHERE kpi_goal.kpi_id = ? AND goal.due_date IS NOT NULL",
        (kpi_id,),
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return str(row[0])[:10]


def chart_notes_of_kpi(kpi_id: int) -> list[tuple[int, int | None, str, str]]:
    """(note id, unit id or None, period key, text) of the notes pinned to a KPI's chart."""
    return database.execute_sql(
        "SELECT id, unit_id, period, text FROM chart_note WHERE kpi_id = ? ORDER BY period, id",
        (kpi_id,),
    ).fetchall()


# Review packs and reports ---------------------------------------------------------------


def measurement_comments_in_years(
    first_year: int, last_year: int
) -> list[tuple[int, int, str, str]]:
    """(kpi id, unit id, period key, comment) of the measurements with a comment."""
    return database.execute_sql(
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
    rows = database.execute_sql(
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
        parts.append("(period GLOB ? AND period BETWEEN ? AND ?)")
        params += [_PERIOD_GLOBS[kind], first, last]
    return " OR ".join(parts) or "0", params


def measurements_in_ranges(ranges: dict[str, tuple[str, str]]) -> list[tuple[int, int, str, float]]:
    """(kpi id, unit id, period key, value) for period keys in each kind's (first, last) range."""
    clause, params = _ranges_clause(ranges)
    return database.execute_sql(
        f"SELECT kpi_id, unit_id, period, value FROM measurement WHERE {clause}", params
    ).fetchall()


def targets_in_ranges(
    ranges: dict[str, tuple[str, str]],
) -> list[tuple[int, int | None, str, float, float | None]]:
    clause, params = _ranges_clause(ranges)
    return database.execute_sql(
        f"SELECT kpi_id, unit_id, period, value, value_high FROM target WHERE {clause}", params
    ).fetchall()


# Importing spreadsheets (services.importing) -----------------------------------------------
#
# An import writes its values in bulk, and keeps in ``import_change`` what undoing it needs:
# the values it replaced (kind "measurement" or "target"), the KPIs, units and aliases it
# created ("kpi", "unit", "kpi_alias", "unit_alias"). ``import_batch`` carries its counts.

IMPORT_CHANGE_KINDS = ("measurement", "target", "kpi", "unit", "kpi_alias", "unit_alias")

ImportChangeRow = tuple[
    str, int | None, int | None, str | None, float | None, float | None, float | None, str | None
]
"""(kind, kpi id, unit id, period key, old value, old high value, new value, alias)"""


def record_import_changes(batch_id: int, rows: Iterable[ImportChangeRow]) -> None:
    database.connection().executemany(
        "INSERT INTO import_change (batch_id, kind, kpi_id, unit_id, period, value, value_high,"
        " new_value, alias) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((batch_id, *row) for row in rows),
    )


def finish_import_batch(
    batch_id: int, *, imported: int, skipped: int, replaced: int, into: str
) -> None:
    database.execute_sql(
        "UPDATE import_batch SET row_count = ?, skipped_count = ?, replaced_count = ?,"
        " imported_into = ? WHERE id = ?",
        (imported, skipped, replaced, into, batch_id),
    )


ImportBatchRow = tuple[int, str, str, str | None, int, int, int, str, str, str | None]
"""(id, file name, sheet, profile name, imported, skipped, replaced, into, imported at,
undone at)"""


def import_batches(batch_id: int | None = None) -> list[ImportBatchRow]:
    """Every import batch, newest first (or the one with ``batch_id``)."""
    where, params = ("WHERE b.id = ?", (batch_id,)) if batch_id is not None else ("", ())
    return database.execute_sql(
        "SELECT b.id, b.file_name, b.sheet, p.name, b.row_count, b.skipped_count,"
        " b.replaced_count, b.imported_into, b.imported_at, b.undone_at FROM import_batch b"
        f" LEFT JOIN import_profile p ON p.id = b.profile_id {where} ORDER BY b.id DESC",
        params,
    ).fetchall()


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
    return database.execute_sql(
        "SELECT kpi_id, unit_id, period, value, value_high, new_value, COALESCE(comment, ''),"
        " COALESCE(source, ''), old_batch_id, entered_at, alias FROM import_change"
        " WHERE batch_id = ? AND kind = ? ORDER BY id",
        (batch_id, kind),
    ).fetchall()


def replaced_measurement_of(
    batch_id: int, key: tuple[int, int, str]
) -> tuple[float, str, str, int | None, str] | None:
    """The measurement ``batch_id`` replaced at ``key``: (value, comment, source, its batch,
    entered at), or None."""
    row = database.execute_sql(
        "SELECT value, COALESCE(comment, ''), COALESCE(source, ''), old_batch_id, entered_at"
        " FROM import_change WHERE batch_id = ? AND kind = 'measurement' AND kpi_id = ?"
        " AND unit_id = ? AND period = ? ORDER BY id LIMIT 1",
        (batch_id, *key),
    ).fetchone()
    return tuple(row) if row is not None else None  # type: ignore[return-value]


def undone_batches() -> set[int]:
    rows = database.execute_sql("SELECT id FROM import_batch WHERE undone_at IS NOT NULL")
    return {row[0] for row in rows.fetchall()}


def delete_batch_measurements(batch_id: int) -> int:
    """Remove the measurements still carrying ``batch_id``; callers hold a transaction."""
    cursor = database.execute_sql("DELETE FROM measurement WHERE batch_id = ?", (batch_id,))
    return cursor.rowcount


def restore_measurements(
    rows: Iterable[tuple[int, int, str, float, str, str, int | None, str]],
) -> int:
    """Put back measurements (kpi, unit, period, value, comment, source, batch id, entered at)
    where the key is free; return how many were put back."""
    cursor = database.connection().executemany(
        "INSERT INTO measurement (kpi_id, unit_id, period, value, comment, source, batch_id,"
        " entered_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?"
        " WHERE EXISTS (SELECT 1 FROM kpi WHERE id = ?) AND EXISTS (SELECT 1 FROM unit"
        " WHERE id = ?) ON CONFLICT (kpi_id, unit_id, period) DO NOTHING",
        [(*row, row[0], row[1]) for row in rows],
    )
    return cursor.rowcount


def mark_batch_undone(batch_id: int) -> None:
    database.execute_sql(
        "UPDATE import_batch SET undone_at = ? WHERE id = ?", (utcnow().isoformat(" "), batch_id)
    )


def kpi_holds_data(kpi_id: int) -> bool:
    row = database.execute_sql(
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
    return database.execute_sql(
        "SELECT kpi_id, unit_id, period, value FROM measurement"
        f" WHERE period IN ({_placeholders(keys)})",
        keys,
    ).fetchall()


def targets_for_periods(keys: list[str]) -> list[tuple[int, int | None, str, float, float | None]]:
    return database.execute_sql(
        "SELECT kpi_id, unit_id, period, value, value_high FROM target"
        f" WHERE period IN ({_placeholders(keys)})",
        keys,
    ).fetchall()
