"""The scorecard: every active KPI's value, target and status for one period and unit.

Values roll up in two directions. Over units: a unit's own value wins; a unit without one
gets its sub-units' values combined with the KPI's unit aggregation. Over time: a period
coarser than the KPI's frequency combines the finer periods inside it with the KPI's time
aggregation. Targets roll up the same way. A calculated KPI is evaluated from its inputs'
rolled-up values at the same unit and period, so ratios stay ratios.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from kpidesk.domain.aggregation import Aggregation, aggregate
from kpidesk.domain.errors import DomainError
from kpidesk.domain.formulas import Formula, evaluate, parse_formula
from kpidesk.domain.periods import FiscalYear, Period, PeriodKind, period_range
from kpidesk.domain.status import (
    Direction,
    Status,
    ThresholdMode,
    Thresholds,
    combine_statuses,
    status_of,
)
from kpidesk.domain.targets import TargetPath
from kpidesk.store import queries

SPARKLINE_LENGTH = {
    PeriodKind.WEEK: 13,
    PeriodKind.MONTH: 13,
    PeriodKind.QUARTER: 8,
    PeriodKind.YEAR: 5,
}


@dataclass(frozen=True)
class KpiSpec:
    id: int
    code: str
    name: str
    owner: str
    measure_unit: str
    unit_label: str
    decimals: int
    direction: Direction
    frequency: PeriodKind
    time_aggregation: Aggregation
    unit_aggregation: Aggregation
    indicator: str
    thresholds: Thresholds
    benchmark: float | None
    formula: Formula | None
    goal_ids: tuple[int, ...]
    sort_order: int
    archived: bool = False


@dataclass
class ScorecardRow:
    kpi: KpiSpec
    shown_period: Period
    value: float | None
    target: float | None
    target_high: float | None
    status: Status
    previous_value: float | None
    last_year_value: float | None
    ytd_value: float | None
    ytd_target: float | None
    ytd_status: Status
    sparkline: list[float | None] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value

    @property
    def change_last_year(self) -> float | None:
        if self.value is None or self.last_year_value is None:
            return None
        return self.value - self.last_year_value


@dataclass(frozen=True)
class GoalProgress:
    goal_id: int
    status: Status
    counts: dict[Status, int]


@dataclass
class Scorecard:
    period: Period
    unit_id: int
    rows: list[ScorecardRow]
    goal_progress: dict[int, GoalProgress]


def shown_period_for(period: Period, frequency: PeriodKind) -> Period:
    """The period a KPI shows when the view is ``period``.

    The view's own period when the KPI is measured at least as often; otherwise the KPI's
    latest period completed by the end of the view (a quarterly KPI in October shows Q3).
    """
    if not period.kind.is_finer_than(frequency):
        return period
    shown = Period.of(period.end, frequency)
    return shown if shown.end <= period.end else shown.previous()


class RollUp:
    """Values and targets of many KPIs, rolled up over units and time on demand."""

    def __init__(
        self,
        kpis: dict[int, KpiSpec],
        children: dict[int | None, list[int]],
        measurements: dict[int, dict[tuple[int, str], float]],
        targets: dict[int, dict[tuple[int | None, str], tuple[float, float | None]]],
        paths: dict[int, dict[int | None, TargetPath]],
    ) -> None:
        self.kpis = kpis
        self.by_code = {spec.code: spec for spec in kpis.values()}
        self.children = children
        self.measurements = measurements
        self.targets = targets
        self.paths = paths
        self._values: dict[tuple[int, int, Period], float | None] = {}
        self._targets: dict[tuple[int, int, Period], tuple[float, float | None] | None] = {}

    # values -----------------------------------------------------------------------------
    def value(self, kpi_id: int, unit_id: int, period: Period, _depth: int = 0) -> float | None:
        key = (kpi_id, unit_id, period)
        if key not in self._values:
            self._values[key] = self._compute_value(self.kpis[kpi_id], unit_id, period, _depth)
        return self._values[key]

    def _compute_value(
        self, spec: KpiSpec, unit_id: int, period: Period, depth: int
    ) -> float | None:
        if spec.formula is not None:
            if depth > 20:
                return None
            inputs = {
                code: self.value(self.by_code[code].id, unit_id, period, depth + 1)
                if code in self.by_code
                else None
                for code in spec.formula.references
            }
            return evaluate(spec.formula, inputs)
        if period.kind is spec.frequency:
            return self._unit_value(spec, unit_id, period.key)
        if period.kind.is_finer_than(spec.frequency):
            return None
        values = [
            self._unit_value(spec, unit_id, sub.key) for sub in period.subperiods(spec.frequency)
        ]
        return aggregate([v for v in values if v is not None], spec.time_aggregation)

    def _unit_value(self, spec: KpiSpec, unit_id: int, key: str) -> float | None:
        values = self.measurements.get(spec.id, _NOTHING)
        return self._rolled_value(values, _across_units(spec.unit_aggregation), unit_id, key)

    def _rolled_value(
        self, values: Mapping[tuple[int, str], float], how: Aggregation, unit_id: int, key: str
    ) -> float | None:
        """The unit's own value in ``values``, else its sub-units' combined by ``how``."""
        own = values.get((unit_id, key))
        if own is not None:
            return own
        found = []
        for child in self.children.get(unit_id, ()):
            value = values.get((child, key))
            if value is None and child in self.children:
                value = self._rolled_value(values, how, child, key)
            if value is not None:
                found.append(value)
        return aggregate(found, how)

    # targets ----------------------------------------------------------------------------
    def target(
        self, kpi_id: int, unit_id: int, period: Period
    ) -> tuple[float, float | None] | None:
        key = (kpi_id, unit_id, period)
        if key not in self._targets:
            self._targets[key] = self._compute_target(self.kpis[kpi_id], unit_id, period)
        return self._targets[key]

    def _compute_target(
        self, spec: KpiSpec, unit_id: int, period: Period
    ) -> tuple[float, float | None] | None:
        if period.kind is spec.frequency or spec.formula is not None:
            return self._unit_target(spec, unit_id, period)
        if period.kind.is_finer_than(spec.frequency):
            return None
        found = [
            t
            for sub in period.subperiods(spec.frequency)
            if (t := self._unit_target(spec, unit_id, sub)) is not None
        ]
        return _combine_targets(found, spec.time_aggregation)

    def _unit_target(
        self, spec: KpiSpec, unit_id: int, period: Period
    ) -> tuple[float, float | None] | None:
        targets = self.targets.get(spec.id, _NOTHING)
        paths = self.paths.get(spec.id, _NOTHING)
        how = _across_units(spec.unit_aggregation)
        return self._rolled_target(targets, paths, how, unit_id, period)

    def _rolled_target(
        self,
        targets: Mapping[tuple[int | None, str], tuple[float, float | None]],
        paths: Mapping[int | None, TargetPath],
        how: Aggregation,
        unit_id: int,
        period: Period,
    ) -> tuple[float, float | None] | None:
        """The unit's own target, else its own path's, else its sub-units' combined by
        ``how``, else the shared target, else the shared path's."""
        key = period.key
        own = targets.get((unit_id, key))
        if own is not None:
            return own
        own_path = paths.get(unit_id)
        if own_path is not None and (value := own_path.value_at(period)) is not None:
            return value, None
        children = self.children.get(unit_id, ())
        if children:
            found = []
            for child in children:
                target = targets.get((child, key))
                if target is None:
                    target = self._rolled_target(targets, paths, how, child, period)
                if target is not None:
                    found.append(target)
            combined = _combine_targets(found, how)
            if combined is not None:
                return combined
        shared = targets.get((None, key))
        if shared is not None:
            return shared
        shared_path = paths.get(None)
        if shared_path is not None and (value := shared_path.value_at(period)) is not None:
            return value, None
        return None


_NOTHING: Mapping[Any, Any] = MappingProxyType({})
"""What a KPI without values, targets or paths has."""


def _across_units(how: Aggregation) -> Aggregation:
    return Aggregation.SUM if how is Aggregation.LAST else how


def _combine_targets(
    found: list[tuple[float, float | None]], how: Aggregation
) -> tuple[float, float | None] | None:
    if not found:
        return None
    low = aggregate([t[0] for t in found], how)
    highs = [t[1] for t in found if t[1] is not None]
    high = aggregate(highs, how) if len(highs) == len(found) else None
    return (low, high) if low is not None else None


def load_kpi_specs() -> dict[int, KpiSpec]:
    return kpi_specs_from(*queries.kpi_definitions())


def kpi_specs_from(
    kpi_rows: Iterable[queries.KpiDefinitionRow], links: Iterable[tuple[int, int]]
) -> dict[int, KpiSpec]:
    """Every KPI's definition from its row (columns as ``queries.KPI_DEFINITION_COLUMNS``)
    and the (KPI, goal) links."""
    goal_ids: dict[int, list[int]] = defaultdict(list)
    for kpi_id, goal_id in links:
        goal_ids[kpi_id].append(goal_id)
    specs: dict[int, KpiSpec] = {}
    for row in kpi_rows:
        (
            kpi_id,
            code,
            name,
            owner,
            measure_unit,
            unit_label,
            decimals,
            direction,
            frequency,
            time_aggregation,
            unit_aggregation,
            indicator,
            amber_margin,
            threshold_mode,
            benchmark,
            formula_text,
            sort_order,
            archived_at,
        ) = row
        formula = None
        if str(formula_text).strip():
            try:
                formula = parse_formula(str(formula_text))
            except DomainError:
                formula = None
        specs[kpi_id] = KpiSpec(
            id=kpi_id,
            code=code,
            name=name,
            owner=owner,
            measure_unit=measure_unit,
            unit_label=unit_label,
            decimals=decimals,
            direction=Direction(direction),
            frequency=PeriodKind(frequency),
            time_aggregation=Aggregation(time_aggregation),
            unit_aggregation=Aggregation(unit_aggregation),
            indicator=indicator,
            thresholds=Thresholds(amber_margin, ThresholdMode(threshold_mode)),
            benchmark=benchmark,
            formula=formula,
            goal_ids=tuple(sorted(goal_ids.get(kpi_id, []))),
            sort_order=sort_order,
            archived=archived_at is not None,
        )
    return specs


def load_rollup(first_year: int, last_year: int) -> RollUp:
    """Everything needed to roll up values and targets for the years given."""
    ranges = {kind.value: (f"{first_year:04d}", f"{last_year:04d}~") for kind in PeriodKind}
    return _rollup_from(queries.rollup_rows(ranges=ranges))


def load_rollup_for(period: Period, fiscal_start_month: int = 1) -> RollUp:
    """Just what a scorecard for ``period`` needs: per kind of KPI, from the oldest period
    its sparkline, last year's comparison or year-to-date reaches, to the view's end. Read
    together: one round trip on a server."""
    keys: list[str] = []
    for frequency in PeriodKind:
        first, last = needed_range(period, frequency, fiscal_start_month)
        keys += [p.key for p in period_range(first, last)]
    return _rollup_from(queries.rollup_rows(period_keys=keys))


def needed_range(
    period: Period, frequency: PeriodKind, fiscal_start_month: int = 1
) -> tuple[Period, Period]:
    shown = shown_period_for(period, frequency)
    candidates = [
        shown.shift(-(SPARKLINE_LENGTH[shown.kind] - 1)),
        shown.previous(),
        shown.same_period_last_year(),
        *ytd_periods(shown, fiscal_start_month)[:1],
    ]
    first = min(candidates, key=lambda p: p.start)
    # a week belongs to the month of its Thursday: start one week early to catch it
    first_key = Period.of(first.start, frequency)
    if frequency is PeriodKind.WEEK:
        first_key = first_key.previous()
    return first_key, Period.of(shown.end, frequency)


def _rollup_from(rows: queries.RollupRows) -> RollUp:
    specs = kpi_specs_from(rows.kpis, rows.links)
    children: dict[int | None, list[int]] = defaultdict(list)
    for unit_id, _name, parent_id, _order in rows.units:
        children[parent_id].append(unit_id)
    measurements: dict[int, dict[tuple[int, str], float]] = defaultdict(dict)
    for kpi_id, unit_id, key, value in rows.measurements:
        measurements[kpi_id][(unit_id, key)] = value
    targets: dict[int, dict[tuple[int | None, str], tuple[float, float | None]]] = defaultdict(dict)
    for kpi_id, unit_id, key, value, high in rows.targets:
        targets[kpi_id][(unit_id, key)] = (value, high)
    return RollUp(specs, children, measurements, targets, target_paths_from(rows.paths))


def target_paths_from(
    rows: Iterable[tuple[int, int | None, str, float, str, float]],
) -> dict[int, dict[int | None, TargetPath]]:
    paths: dict[int, dict[int | None, TargetPath]] = defaultdict(dict)
    for kpi_id, unit_id, base_key, base_value, goal_key, goal_value in rows:
        try:
            paths[kpi_id][unit_id] = TargetPath(
                Period.from_key(base_key), base_value, Period.from_key(goal_key), goal_value
            )
        except DomainError:
            continue
    return paths


def _status(
    spec: KpiSpec, value: float | None, target: tuple[float, float | None] | None
) -> Status:
    if target is None:
        return status_of(value, None, spec.direction)
    return status_of(value, target[0], spec.direction, spec.thresholds, target_high=target[1])


def ytd_periods(shown: Period, fiscal_start_month: int) -> list[Period]:
    """The KPI's periods from the start of the fiscal year up to and including ``shown``."""
    if shown.kind is PeriodKind.YEAR:
        return []
    year = FiscalYear.holding(shown, fiscal_start_month)
    periods = []
    current = shown
    while year.contains(current):
        periods.append(current)
        current = current.previous()
    return periods[::-1]


def own_periods_to_date(
    shown: Period, frequency: PeriodKind, fiscal_start_month: int
) -> tuple[Period, ...]:
    """The periods of ``frequency`` from the start of the fiscal year holding ``shown`` to the
    end of ``shown`` (weeks by their Thursday); none for a year, its own year to date."""
    return _own_periods_to_date(shown, frequency, fiscal_start_month)


@lru_cache(maxsize=256)
def _own_periods_to_date(
    shown: Period, frequency: PeriodKind, fiscal_start_month: int
) -> tuple[Period, ...]:
    if shown.kind is PeriodKind.YEAR or frequency is PeriodKind.YEAR:
        return ()
    year = FiscalYear.holding(shown, fiscal_start_month)

    def anchor(period: Period) -> date:
        return period.thursday if period.kind is PeriodKind.WEEK else period.start

    current = Period.of(year.start, frequency)
    if anchor(current) < year.start:
        current = current.next()
    periods = []
    while anchor(current) <= shown.end:
        periods.append(current)
        current = current.next()
    return tuple(periods)


def year_to_date(
    rollup: RollUp, spec: KpiSpec, unit_id: int, shown: Period, fiscal_start_month: int
) -> tuple[float | None, tuple[float, float | None] | None]:
    """The year-to-date value and target of a KPI for the view showing ``shown``.

    The KPI's own periods (months, weeks by their Thursday) from the start of the fiscal
    year are combined by its aggregation over time, so an average is the average of every
    month or week so far, not of quarters of different lengths. A calculated KPI applies its
    formula to its inputs' year to date, so a ratio stays a ratio.
    """
    periods = own_periods_to_date(shown, spec.frequency, fiscal_start_month)
    if not periods:
        return None, None
    targets = [t for p in periods if (t := rollup.target(spec.id, unit_id, p)) is not None]
    target = _combine_targets(targets, spec.time_aggregation)
    return _ytd_value(rollup, spec, unit_id, shown, fiscal_start_month, 0), target


def _ytd_value(
    rollup: RollUp,
    spec: KpiSpec,
    unit_id: int,
    shown: Period,
    fiscal_start_month: int,
    depth: int,
) -> float | None:
    if spec.formula is not None:
        if depth > 20:
            return None
        inputs = {
            code: _ytd_value(
                rollup, rollup.by_code[code], unit_id, shown, fiscal_start_month, depth + 1
            )
            if code in rollup.by_code
            else None
            for code in spec.formula.references
        }
        return evaluate(spec.formula, inputs)
    periods = own_periods_to_date(shown, spec.frequency, fiscal_start_month)
    values = [v for p in periods if (v := rollup.value(spec.id, unit_id, p)) is not None]
    return aggregate(values, spec.time_aggregation) if values else None


def build_scorecard(
    period: Period,
    unit_id: int,
    *,
    fiscal_start_month: int = 1,
    rollup: RollUp | None = None,
) -> Scorecard:
    rollup = rollup or load_rollup_for(period, fiscal_start_month)
    rows: list[ScorecardRow] = []
    for spec in sorted(rollup.kpis.values(), key=lambda s: (s.sort_order, s.code)):
        if spec.archived:
            continue
        rows.append(_row(rollup, spec, unit_id, period, fiscal_start_month))
    progress: dict[int, GoalProgress] = {}
    by_goal: dict[int, list[Status]] = defaultdict(list)
    for row in rows:
        for goal_id in row.kpi.goal_ids:
            by_goal[goal_id].append(row.status)
    for goal_id, statuses in by_goal.items():
        status, counts = combine_statuses(statuses)
        progress[goal_id] = GoalProgress(goal_id, status, counts)
    return Scorecard(period, unit_id, rows, progress)


@dataclass(frozen=True, slots=True)
class _Around:
    """The periods a row reads around the one it shows."""

    previous: Period
    last_year: Period
    sparkline: tuple[Period, ...]


@lru_cache(maxsize=64)
def _around(shown: Period, fiscal_start_month: int) -> _Around:
    """The same for every KPI that shows ``shown``: worked out once, not per row."""
    length = SPARKLINE_LENGTH[shown.kind]
    return _Around(
        previous=shown.previous(),
        last_year=shown.same_period_last_year(),
        sparkline=tuple(shown.shift(offset) for offset in range(-length + 1, 1)),
    )


def _row(
    rollup: RollUp, spec: KpiSpec, unit_id: int, period: Period, fiscal_start_month: int
) -> ScorecardRow:
    shown = shown_period_for(period, spec.frequency)
    around = _around(shown, fiscal_start_month)
    value = rollup.value(spec.id, unit_id, shown)
    target = rollup.target(spec.id, unit_id, shown)
    ytd_value, ytd_target = year_to_date(rollup, spec, unit_id, shown, fiscal_start_month)
    sparkline = [rollup.value(spec.id, unit_id, p) for p in around.sparkline]
    return ScorecardRow(
        kpi=spec,
        shown_period=shown,
        value=value,
        target=target[0] if target else None,
        target_high=target[1] if target else None,
        status=_status(spec, value, target),
        previous_value=rollup.value(spec.id, unit_id, around.previous),
        last_year_value=rollup.value(spec.id, unit_id, around.last_year),
        ytd_value=ytd_value,
        ytd_target=ytd_target[0] if ytd_target else None,
        ytd_status=_status(spec, ytd_value, ytd_target),
        sparkline=sparkline,
    )
