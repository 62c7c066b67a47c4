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


def measurements_in_years(first_year: int, last_year: int) -> list[tuple[int, int, str, float]]:
    """(kpi id, unit id, period key, value) for every period key starting with those years."""
    return database.execute_sql(
        "SELECT kpi_id, unit_id, period, value FROM measurement WHERE period >= ? AND period < ?",
        (f"{first_year:04d}", f"{last_year + 1:04d}"),
    ).fetchall()


def measurements_of_kpi(kpi_id: int) -> list[tuple[int, str, float, str]]:
    """(unit id, period key, value, comment) of one KPI, for charts."""
    return database.execute_sql(
        "SELECT unit_id, period, value, comment FROM measurement WHERE kpi_id = ?", (kpi_id,)
    ).fetchall()


def targets_in_years(
    first_year: int, last_year: int
) -> list[tuple[int, int | None, str, float, float | None]]:
    """(kpi id, unit id or None, period key, value, high value) of the per-period targets."""
    return database.execute_sql(
        "SELECT kpi_id, unit_id, period, value, value_high FROM target"
        " WHERE period >= ? AND period < ?",
        (f"{first_year:04d}", f"{last_year + 1:04d}"),
    ).fetchall()


def target_paths() -> list[tuple[int, int | None, str, float, str, float]]:
    """(kpi id, unit id or None, baseline period, baseline value, goal period, goal value)."""
    return database.execute_sql(
        "SELECT kpi_id, unit_id, baseline_period, baseline_value, goal_period, goal_value"
        " FROM target_path"
    ).fetchall()
