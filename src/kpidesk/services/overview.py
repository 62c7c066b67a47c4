"""What the app shell shows of a workspace: its units as a tree, and the periods with data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.store import queries


@dataclass(frozen=True, slots=True)
class UnitNode:
    id: int
    name: str
    depth: int
    parent_id: int | None


def unit_tree() -> list[UnitNode]:
    """Units depth-first, each parent before its children, siblings by sort order and name."""
    rows = queries.units()
    children: dict[int | None, list[tuple[int, str, int | None, int]]] = {}
    for row in rows:
        children.setdefault(row[2], []).append(row)
    for siblings in children.values():
        siblings.sort(key=lambda row: (row[3], row[1].casefold()))
    ordered: list[UnitNode] = []

    def visit(parent: int | None, depth: int) -> None:
        for unit_id, name, parent_id, _order in children.get(parent, []):
            ordered.append(UnitNode(unit_id, name, depth, parent_id))
            visit(unit_id, depth + 1)

    visit(None, 0)
    return ordered


def data_period_range(kind: PeriodKind) -> tuple[Period, Period] | None:
    bounds = queries.measured_period_bounds(kind.value)
    if bounds is None:
        return None
    return Period.from_key(bounds[0]), Period.from_key(bounds[1])


def selectable_periods(kind: PeriodKind, today: date | None = None) -> list[Period]:
    """Periods to offer in the period picker, newest first.

    From the first period with data (or two years back) to the newer of the last period
    with data and the current period.
    """
    today = today or date.today()
    current = Period.of(today, kind)
    bounds = data_period_range(kind)
    first = bounds[0] if bounds else current.shift(-_DEFAULT_SPAN[kind])
    last = max(bounds[1], current) if bounds else current
    periods = []
    period = last
    while period >= first and len(periods) < 1000:
        periods.append(period)
        period = period.previous()
    return periods


def default_period(kind: PeriodKind, today: date | None = None) -> Period:
    """The newest period with data; the current period if there is none."""
    bounds = data_period_range(kind)
    return bounds[1] if bounds else Period.of(today or date.today(), kind)


_DEFAULT_SPAN = {
    PeriodKind.WEEK: 104,
    PeriodKind.MONTH: 24,
    PeriodKind.QUARTER: 8,
    PeriodKind.YEAR: 3,
}
