"""What a KPI's chart shows: actuals, targets, threshold bands, trends, forecasts and notes.

Pure data (no Qt): the chart window draws it and the table below it lists it. Values and
targets roll up over units and time through the scorecard's :class:`RollUp`, loaded for the
KPI (and a calculated KPI's inputs) only, so switching the chart to another KPI reads a few
thousand rows, not the whole workspace.

The chart runs over whole periods of the chosen aggregation: from the first one that starts
on or after the KPI's first measured period to the last one that has ended by ``until``.
A quarter or year that is only partly measured is left out, as its sum would look like a
collapse. An aggregation finer than the KPI's own frequency shows the KPI's frequency.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache

from kpidesk.domain.errors import DomainError
from kpidesk.domain.numbers import MEASURE_UNIT_LABELS, MeasureUnit, format_value
from kpidesk.domain.periods import Period, PeriodKind, format_period
from kpidesk.domain.status import Direction, Status, Thresholds, status_of
from kpidesk.domain.trends import (
    Forecast,
    ForecastPoint,
    Reachability,
    align_period,
    forecast,
    moving_average,
    will_reach_target,
)
from kpidesk.i18n import N_, _
from kpidesk.services.scorecard import KpiSpec, RollUp, load_kpi_specs, target_paths_from
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace

MOVING_AVERAGE_WINDOW = {
    PeriodKind.WEEK: 4,
    PeriodKind.MONTH: 3,
    PeriodKind.QUARTER: 2,
    PeriodKind.YEAR: 2,
}
"""How many periods the moving average spans, by the chart's aggregation."""

TREND_WINDOW = {
    PeriodKind.WEEK: 52,
    PeriodKind.MONTH: 24,
    PeriodKind.QUARTER: 8,
    PeriodKind.YEAR: 5,
}
"""How many recent periods the forecast's trend is drawn through."""

DEFAULT_FORECAST_STEPS = 12
"""How far the forecast reaches when the KPI has no goal with a due date ahead."""

MAX_FORECAST_STEPS = {
    PeriodKind.WEEK: 520,
    PeriodKind.MONTH: 120,
    PeriodKind.QUARTER: 40,
    PeriodKind.YEAR: 10,
}
"""At most ten years ahead, whatever a goal's due date says."""


class ChartError(DomainError):
    """A chart or a note that cannot be made."""


@dataclass(frozen=True, slots=True)
class Bands:
    """Where a value is on track, at risk and off track around one target.

    Green runs from ``green_low`` to ``green_high``; amber from ``amber_low`` up to the
    green and from the green up to ``amber_high``; red is beyond. None is open-ended: a
    higher-is-better KPI has no upper edge (``green_high`` and ``amber_high`` are None).
    """

    green_low: float | None
    green_high: float | None
    amber_low: float | None
    amber_high: float | None


def threshold_bands(
    target: float | None,
    target_high: float | None,
    direction: Direction | str,
    thresholds: Thresholds,
) -> Bands | None:
    """The band edges :func:`kpidesk.domain.status.status_of` judges by; None without target."""
    if target is None:
        return None
    direction = Direction(direction)
    if direction is Direction.HIGHER_IS_BETTER:
        return Bands(target, None, target - thresholds.tolerance(target), None)
    if direction is Direction.LOWER_IS_BETTER:
        return Bands(None, target, None, target + thresholds.tolerance(target))
    low, high = target, target if target_high is None else target_high
    if low > high:
        low, high = high, low
    width = high - low
    return Bands(
        low,
        high,
        low - thresholds.tolerance(low, width),
        high + thresholds.tolerance(high, width),
    )


@dataclass(frozen=True, slots=True)
class MeasuredComment:
    """A comment stored with a measurement, and whose and when that measurement is."""

    unit_id: int
    unit_name: str
    period: Period
    text: str

    def label(self, unit_id: int | None, period: Period | None) -> str:
        """The comment as read beside a point of ``unit_id`` and ``period``: prefixed with
        the unit and period it was written for where those differ."""
        where = []
        if unit_id != self.unit_id:
            where.append(self.unit_name)
        if period != self.period:
            where.append(format_period(self.period, short=True))
        prefix = ", ".join(part for part in where if part)
        return f"{prefix}: {self.text}" if prefix else self.text


@dataclass(slots=True)
class ChartPoint:
    """One period of one unit: what hovering over the point shows, and the table's row.

    Not frozen, and its status judged when first asked for: a 20-unit, 10-year chart has
    2,400 of them, and a frozen dataclass costs twice as much to make.
    """

    unit_id: int
    period: Period
    value: float | None
    target: float | None
    target_high: float | None
    direction: Direction
    thresholds: Thresholds
    comments: tuple[MeasuredComment, ...] = ()
    last_year: float | None = None
    _status: Status | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def status(self) -> Status:
        if self._status is None:
            self._status = status_of(
                self.value,
                self.target,
                self.direction,
                self.thresholds,
                target_high=self.target_high,
            )
        return self._status

    @property
    def comment(self) -> str:
        return "\n".join(comment.label(self.unit_id, self.period) for comment in self.comments)


@dataclass(frozen=True)
class UnitSeries:
    """Everything the chart draws for one unit.

    Its :attr:`points` are made when first asked for: a 20-unit chart draws every unit's
    values, but its table shows and hover finds the points of a few.
    """

    unit_id: int
    unit_name: str
    periods: tuple[Period, ...]
    actuals: tuple[float | None, ...]
    """The value of each period."""
    target_pairs: tuple[tuple[float, float | None] | None, ...]
    """The target of each period as (low, high), as :attr:`targets` lists them."""
    thresholds: Thresholds
    direction: Direction
    forecast: Forecast | None = None
    reachability: Reachability | None = None
    sentence: str = ""
    forecasted: bool = False
    """Whether a forecast was asked for this unit (``forecast`` may still be None)."""
    moving_average_window: int = 3
    year_ago: tuple[int | None, ...] = ()
    """For each period, the index of the same period a year earlier (None: none)."""
    comments: Mapping[Period, tuple[MeasuredComment, ...]] = field(default_factory=dict)

    @cached_property
    def points(self) -> tuple[ChartPoint, ...]:
        return tuple(self.point(index) for index in range(len(self.periods)))

    @cached_property
    def _made(self) -> dict[int, ChartPoint]:
        return {}

    def point(self, index: int) -> ChartPoint:
        """The point of the period at ``index`` (made when first asked for)."""
        made = self._made.get(index)
        if made is None:
            target = self.target_pairs[index]
            low, high = target if target is not None else (None, None)
            earlier = self.year_ago[index] if self.year_ago else None
            made = self._made[index] = ChartPoint(
                self.unit_id,
                self.periods[index],
                self.actuals[index],
                low,
                high,
                self.direction,
                self.thresholds,
                self.comments.get(self.periods[index], ()) if self.comments else (),
                self.actuals[earlier] if earlier is not None else None,
            )
        return made

    @property
    def values(self) -> list[float | None]:
        return list(self.actuals)

    @property
    def target_lows(self) -> list[float | None]:
        """The target of each period (a band KPI's: its low end)."""
        return [target[0] if target is not None else None for target in self.target_pairs]

    @property
    def targets(self) -> list[tuple[float, float | None] | None]:
        """The target of each period as (low, high); high is None unless a band KPI."""
        return list(self.target_pairs)

    @cached_property
    def moving_averages(self) -> list[float | None]:
        """The trailing moving average at each period (computed when first asked for)."""
        return moving_average(self.values, self.moving_average_window)

    @property
    def last_year(self) -> list[float | None]:
        actuals = self.actuals
        if not self.year_ago:
            return [None] * len(actuals)
        return [actuals[earlier] if earlier is not None else None for earlier in self.year_ago]

    @property
    def forecast_points(self) -> tuple[ForecastPoint, ...]:
        return self.forecast.points if self.forecast else ()

    def bands(self) -> list[Bands | None]:
        """The threshold band edges of each period (computed when asked for)."""
        direction, thresholds = self.direction, self.thresholds
        return [
            threshold_bands(target[0], target[1], direction, thresholds)
            if target is not None
            else None
            for target in self.target_pairs
        ]

    def point_at(self, period: Period) -> ChartPoint | None:
        for point in self.points:
            if point.period == period:
                return point
        return None


@dataclass(frozen=True, slots=True)
class PinnedNote:
    id: int
    kpi_id: int
    unit_id: int | None
    period: Period
    text: str
    shown_at: Period | None = None
    """The chart's period that holds the note (a month note on a quarter chart: its quarter)."""


@dataclass(frozen=True)
class ChartData:
    kpi: KpiSpec
    kind: PeriodKind
    """The aggregation shown (never finer than the KPI's frequency)."""
    requested: PeriodKind
    until: Period
    periods: tuple[Period, ...]
    series: tuple[UnitSeries, ...]
    forecast_to: Period
    moving_average_window: int
    currency: str = "SEK"
    notes: tuple[PinnedNote, ...] = field(default=())

    def format(self, value: float | None) -> str:
        return format_value(
            value,
            self.kpi.measure_unit,
            decimals=self.kpi.decimals,
            currency=self.currency,
            unit_label=self.kpi.unit_label,
        )

    def format_target(self, low: float | None, high: float | None) -> str:
        if low is None:
            return ""
        if high is None:
            return self.format(low)
        return f"{self.format(low)}\u2013{self.format(high)}"

    def unit_series(self, unit_id: int) -> UnitSeries | None:
        for series in self.series:
            if series.unit_id == unit_id:
                return series
        return None

    def hover(self, unit_id: int, period: Period) -> dict[str, str] | None:
        """What hovering over a point shows: period, unit, value, target, status, comment."""
        series = self.unit_series(unit_id)
        point = series.point_at(period) if series else None
        if series is None or point is None:
            return None
        notes = [
            note.text
            for note in self.notes
            if note.shown_at == period and note.unit_id in (None, unit_id)
        ]
        return {
            "period": format_period(period),
            "unit": series.unit_name,
            "value": self.format(point.value) if point.value is not None else _("No value"),
            "target": self.format_target(point.target, point.target_high),
            "status": f"{point.status.symbol} {_(point.status.label)}",
            "comment": point.comment,
            "notes": "\n".join(notes),
        }

    @property
    def axis_label(self) -> str:
        return measure_label(self.kpi, self.currency)


def measure_label(spec: KpiSpec, currency: str = "SEK") -> str:
    """The value axis's label: the KPI's unit of measure as a reader says it."""
    unit = MeasureUnit(spec.measure_unit)
    if unit is MeasureUnit.PERCENT:
        return "%"
    if unit is MeasureUnit.CURRENCY:
        return currency
    if spec.unit_label:
        return spec.unit_label
    if unit is MeasureUnit.DAYS:
        return _("days")
    if unit is MeasureUnit.HOURS:
        return _("hours")
    return _(MEASURE_UNIT_LABELS[unit])


def load_specs() -> dict[int, KpiSpec]:
    """Every KPI's definition by id (archived ones too: formulas may read them)."""
    return load_kpi_specs()


def chartable_kpis(specs: dict[int, KpiSpec] | None = None) -> list[KpiSpec]:
    """The active KPIs, in the scorecard's order, for a chart's KPI picker."""
    specs = specs if specs is not None else load_kpi_specs()
    active = [spec for spec in specs.values() if not spec.archived]
    return sorted(active, key=lambda spec: (spec.sort_order, spec.code))


# Loading ---------------------------------------------------------------------------------


def _referenced_ids(specs: dict[int, KpiSpec], kpi_id: int) -> set[int]:
    """The KPI and, for a calculated KPI, every KPI its formula reads (through formulas)."""
    by_code = {spec.code: spec.id for spec in specs.values()}
    found: set[int] = set()
    stack = [kpi_id]
    while stack:
        current = stack.pop()
        if current in found or current not in specs:
            continue
        found.add(current)
        formula = specs[current].formula
        if formula is not None:
            stack.extend(by_code[code] for code in formula.references if code in by_code)
    return found


@dataclass
class _Loaded:
    rollup: RollUp
    names: dict[int, str]
    parents: dict[int, int | None]
    comments: dict[tuple[int, str], str]
    first_period: Period | None
    """The earliest measured period of the KPI or its inputs."""
    due_date: str | None = None
    currency: str | None = None
    note_rows: list[tuple[int, int | None, str, str]] | None = None


def _load(kpi_id: int, specs: dict[int, KpiSpec] | None = None) -> _Loaded:
    specs = specs if specs is not None else load_kpi_specs()
    if kpi_id not in specs:
        raise ChartError(N_("There is no KPI with id {id}."), id=kpi_id)
    ids = _referenced_ids(specs, kpi_id)
    rows = queries.chart_rows(kpi_id, ids)  # one round trip on a server
    children: dict[int | None, list[int]] = defaultdict(list)
    names: dict[int, str] = {}
    parents: dict[int, int | None] = {}
    for unit_id, name, parent_id, _order in rows.units:
        children[parent_id].append(unit_id)
        names[unit_id] = name
        parents[unit_id] = parent_id
    # One KPI at a time, through comprehensions: a switch reads a few thousand rows, and a
    # plain loop over them cost more than the query.
    measurements: dict[int, dict[tuple[int, str], float]] = {}
    targets: dict[int, dict[tuple[int | None, str], tuple[float, float | None]]] = {}
    comments: dict[tuple[int, str], str] = {}
    earliest: list[str] = []
    for one in sorted(ids):
        values = rows.measurements[one]
        if values:
            measurements[one] = {(u, key): v for _k, u, key, v, _c in values}
            earliest.append(min(row[2] for row in values))
            if one == kpi_id:
                comments = {(u, key): c for _k, u, key, _v, c in values if c}
        target_rows = rows.targets[one]
        if target_rows:
            targets[one] = {(u, key): (v, high) for _k, u, key, v, high in target_rows}
    paths = target_paths_from(rows.paths)
    first: Period | None = None
    for low in earliest:
        try:
            period = Period.from_key(low)
        except DomainError:
            continue
        if first is None or period.start < first.start:
            first = period
    rollup = RollUp(specs, children, measurements, targets, paths)
    return _Loaded(
        rollup, names, parents, comments, first, rows.due_date, rows.currency, rows.notes
    )


@lru_cache(maxsize=32)
def _chart_periods(first: Period | None, until: Period, kind: PeriodKind) -> tuple[Period, ...]:
    """Whole periods of ``kind`` from the first measured one to the last ended by ``until``."""
    if first is None:
        return ()
    start = Period.of(first.start, kind)
    if start.start < first.start:
        start = start.next()
    last = Period.of(until.end, kind)
    if last.end > until.end:
        last = last.previous()
    periods: list[Period] = []
    current = start
    while current <= last:
        periods.append(current)
        current = current.next()
    return tuple(periods)


def _forecast_end(
    kpi_id: int,
    kind: PeriodKind,
    last: Period,
    forecast_to: Period | None,
    due: str | None = None,
    *,
    due_known: bool = False,
) -> Period:
    """The period the forecast runs to: the one asked for, else the latest due date of the
    KPI's goals if it lies ahead, else twelve periods ahead; at most ten years ahead."""
    furthest = last.shift(MAX_FORECAST_STEPS[kind])
    if forecast_to is not None:
        end = align_period(forecast_to, kind)
    else:
        end = last.shift(DEFAULT_FORECAST_STEPS)
        if not due_known:
            due = queries.latest_goal_due_date(kpi_id)
        if due:
            try:
                due_period = Period.of(date.fromisoformat(due), kind)
            except (ValueError, DomainError):
                due_period = None
            if due_period is not None and due_period > last:
                end = due_period
    return min(end, furthest)


# The chart ---------------------------------------------------------------------------------


def chart_data(
    kpi_id: int,
    unit_ids: Iterable[int],
    aggregation: PeriodKind,
    *,
    until: Period,
    forecast_to: Period | None = None,
    forecast_units: Iterable[int] | None = None,
    currency: str | None = None,
    specs: dict[int, KpiSpec] | None = None,
) -> ChartData:
    """The chart of one KPI for some units, by month, quarter, year (or week).

    ``forecast_units`` limits the forecasts (each costs a few milliseconds) to the units the
    chart draws one for; None forecasts every unit. ``currency`` defaults to the workspace's.
    ``specs`` (from :func:`load_specs`) spares reading every KPI's definition again when a
    window switches between KPIs.
    """
    loaded = _load(kpi_id, specs)
    rollup = loaded.rollup
    spec = rollup.kpis[kpi_id]
    aggregation = PeriodKind(aggregation)
    kind = spec.frequency if aggregation.is_finer_than(spec.frequency) else aggregation
    periods = _chart_periods(loaded.first_period, until, kind)
    window = MOVING_AVERAGE_WINDOW[kind]
    last = periods[-1] if periods else Period.of(until.end, kind)
    end = _forecast_end(kpi_id, kind, last, forecast_to, loaded.due_date, due_known=True)
    if currency is None:
        currency = loaded.currency or "SEK"
    unit_list = [u for u in dict.fromkeys(int(u) for u in unit_ids) if u in loaded.names]
    wanted = set(unit_list) if forecast_units is None else {int(u) for u in forecast_units}
    comments = _comments_by_period(loaded, unit_list, kind)
    year_ago = tuple(_year_ago_indexes(periods))
    direction, thresholds = spec.direction, spec.thresholds
    keys = [period.key for period in periods]
    # Where the KPI stores a value or target for a period shown, the roll-up would answer
    # with that row: read it straight, and ask the roll-up only for the others.
    stored = kind is spec.frequency
    calculated = spec.formula is not None
    own_values = rollup.measurements.get(kpi_id, {}) if stored and not calculated else {}
    own_targets = rollup.targets.get(kpi_id, {}) if stored or calculated else {}
    series = []
    for unit_id in unit_list:
        values = [own_values.get((unit_id, key)) for key in keys]
        if None in values:
            values = [
                rollup.value(kpi_id, unit_id, period) if value is None else value
                for value, period in zip(values, periods, strict=True)
            ]
        targets = [own_targets.get((unit_id, key)) for key in keys]
        if None in targets:
            targets = [
                rollup.target(kpi_id, unit_id, period) if target is None else target
                for target, period in zip(targets, periods, strict=True)
            ]
        unit_series = UnitSeries(
            unit_id,
            loaded.names[unit_id],
            periods,
            tuple(values),
            tuple(targets),
            thresholds,
            direction,
            moving_average_window=window,
            year_ago=year_ago,
            comments=comments.get(unit_id, {}),
        )
        if unit_id in wanted:
            unit_series = _with_forecast(unit_series, spec, rollup, end, kind, currency)
        series.append(unit_series)
    notes = tuple(shown_notes(kpi_id, kind, periods, rows=loaded.note_rows))
    return ChartData(
        kpi=spec,
        kind=kind,
        requested=aggregation,
        until=until,
        periods=periods,
        series=tuple(series),
        forecast_to=end,
        moving_average_window=window,
        currency=currency,
        notes=notes,
    )


def _year_ago_indexes(periods: list[Period]) -> list[int | None]:
    """For each chart period, the index of the same period a year earlier (None: before
    the chart begins). The periods are consecutive, so that is a fixed step back except for
    weeks (a year has 52 or 53)."""
    if not periods:
        return []
    kind = periods[0].kind
    if kind is not PeriodKind.WEEK:
        step = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}[kind]
        return [index - step if index >= step else None for index in range(len(periods))]
    position = {period: index for index, period in enumerate(periods)}
    return [position.get(period.same_period_last_year()) for period in periods]


def _comments_by_period(
    loaded: _Loaded, unit_ids: list[int], kind: PeriodKind
) -> dict[int, dict[Period, tuple[MeasuredComment, ...]]]:
    """The comments behind each unit's chart points: the unit's own and its sub-units',
    over the periods the point rolls up."""
    if not loaded.comments:
        return {}
    found: dict[int, dict[Period, list[MeasuredComment]]] = defaultdict(lambda: defaultdict(list))
    for (owner, key), text in sorted(loaded.comments.items(), key=lambda item: item[0][1]):
        try:
            measured = Period.from_key(key)
        except DomainError:
            continue
        if kind.is_finer_than(measured.kind):
            continue
        shown = measured.to(kind)
        comment = MeasuredComment(owner, loaded.names.get(owner, ""), measured, text)
        for unit_id in unit_ids:
            if _is_within(owner, unit_id, loaded.parents):
                found[unit_id][shown].append(comment)
    return {
        unit_id: {period: tuple(texts) for period, texts in by_period.items()}
        for unit_id, by_period in found.items()
    }


def _is_within(unit_id: int, ancestor: int, parents: dict[int, int | None]) -> bool:
    current: int | None = unit_id
    for _step in range(len(parents) + 1):
        if current is None:
            return False
        if current == ancestor:
            return True
        current = parents.get(current)
    return False


def _judged_target(
    rollup: RollUp, kpi_id: int, unit_id: int, by: Period, series: UnitSeries
) -> tuple[float, float | None] | None:
    """The target the forecast is judged against: the one set for ``by``; else the latest
    one set for the same period of an earlier year (targets follow the seasons); else the
    latest target on the chart."""
    target = rollup.target(kpi_id, unit_id, by)
    if target is not None:
        return target
    first = series.periods[0] if series.periods else by
    earlier = by.same_period_last_year()
    while earlier >= first:
        target = rollup.target(kpi_id, unit_id, earlier)
        if target is not None:
            return target
        earlier = earlier.same_period_last_year()
    for target in reversed(series.target_pairs):
        if target is not None:
            return target
    return None


def _with_forecast(
    series: UnitSeries,
    spec: KpiSpec,
    rollup: RollUp,
    end: Period,
    kind: PeriodKind,
    currency: str,
) -> UnitSeries:
    window = TREND_WINDOW[kind]
    history = {
        period: value
        for period, value in zip(series.periods[-window:], series.actuals[-window:], strict=True)
        if value is not None and math.isfinite(value)
    }
    result = forecast(history, end) if len(history) >= 3 else None
    if result is None:
        return replace(
            series,
            forecasted=True,
            sentence=_("Too little data for a forecast: it needs values for three periods."),
        )
    target = _judged_target(rollup, spec.id, series.unit_id, end, series)
    if target is None:
        return replace(
            series,
            forecasted=True,
            forecast=result,
            sentence=_("There is no target to judge the forecast by."),
        )
    outlook = will_reach_target(result, target[0], spec.direction, end, target_high=target[1])
    sentence = reachability_sentence(outlook, spec, currency)
    start = _trend_start_note(result, history, spec, currency)
    return replace(
        series,
        forecasted=True,
        forecast=result,
        reachability=outlook,
        sentence=f"{sentence} {start}" if start else sentence,
    )


def _trend_start_note(
    result: Forecast, history: dict[Period, float], spec: KpiSpec, currency: str
) -> str:
    """Why the dotted line does not start at the last value, where it visibly does not: it
    continues the trend of the recent periods, which passes elsewhere."""
    last = result.last_period
    actual = history.get(last)
    if actual is None:
        return ""
    trend = result.point_at(last).value

    def shown(number: float) -> str:
        return format_value(
            number,
            spec.measure_unit,
            decimals=spec.decimals,
            currency=currency,
            unit_label=spec.unit_label,
        )

    if shown(trend) == shown(actual):
        return ""
    return _(
        "The forecast continues the trend from {first} to {period}, so it starts from the "
        "trend's {trend} for {period}, not from the value {actual}."
    ).format(
        first=format_period(min(history)),
        trend=shown(trend),
        period=format_period(last),
        actual=shown(actual),
    )


def reachability_sentence(outlook: Reachability, spec: KpiSpec, currency: str = "SEK") -> str:
    """The plain sentence of a :class:`Reachability`, its numbers and periods written as the
    user's language writes them."""

    def value(number: float) -> str:
        return format_value(
            number,
            spec.measure_unit,
            decimals=spec.decimals,
            currency=currency,
            unit_label=spec.unit_label,
        )

    formatted: dict[str, str] = {}
    for name, raw in outlook.params.items():
        if isinstance(raw, Period):
            formatted[name] = format_period(raw)
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            formatted[name] = value(float(raw))
        elif raw is None:
            formatted[name] = ""
        else:
            formatted[name] = str(raw)
    high = outlook.params.get("target_high")
    if high is not None:
        formatted["target"] = f"{value(outlook.params['target'])}\u2013{value(high)}"
    return _(outlook.message_template).format(**formatted)


# Pinned notes ---------------------------------------------------------------------------------


def _note_period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else Period.from_key(period)


def add_note(
    workspace: Workspace, kpi_id: int, unit_id: int | None, period: Period | str, text: str
) -> int:
    """Pin a note to one point of a KPI's chart; returns its id."""
    text = text.strip()
    if not text:
        raise ChartError(N_("A note needs some text."))
    key = _note_period(period).key
    with workspace.atomic():
        note = models.ChartNote.create(kpi=kpi_id, unit=unit_id, period=key, text=text)
    return int(note.id)


def delete_note(workspace: Workspace, note_id: int) -> PinnedNote | None:
    """Remove a note; returns what it was (to pin it again on undo), None if it was gone."""
    with workspace.atomic():
        note = models.ChartNote.get_or_none(models.ChartNote.id == note_id)
        if note is None:
            return None
        removed = PinnedNote(
            int(note.id),
            int(note.kpi_id),
            note.unit_id,
            Period.from_key(note.period),
            note.text,
        )
        note.delete_instance()
    return removed


def notes(
    kpi_id: int, rows: Iterable[tuple[int, int | None, str, str]] | None = None
) -> list[PinnedNote]:
    """The notes pinned to a KPI's chart, oldest period first (``rows``: as already read)."""
    result = []
    for note_id, unit_id, key, text in (
        rows if rows is not None else queries.chart_notes_of_kpi(kpi_id)
    ):
        try:
            period = Period.from_key(key)
        except DomainError:
            continue
        result.append(PinnedNote(note_id, kpi_id, unit_id, period, text))
    return result


def shown_notes(
    kpi_id: int,
    kind: PeriodKind,
    periods: Iterable[Period],
    *,
    rows: Iterable[tuple[int, int | None, str, str]] | None = None,
) -> Iterable[PinnedNote]:
    """The KPI's notes, each with the chart period that holds it (None: off the chart)."""
    shown = set(periods)
    for note in notes(kpi_id, rows):
        at = align_period(note.period, kind)
        yield PinnedNote(
            note.id,
            note.kpi_id,
            note.unit_id,
            note.period,
            note.text,
            at if at in shown else None,
        )
