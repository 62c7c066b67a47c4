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
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from kpidesk.domain.errors import DomainError
from kpidesk.domain.numbers import format_value
from kpidesk.domain.periods import Period, PeriodKind, format_period
from kpidesk.domain.trends import (
    Forecast,
    Reachability,
    align_period,
    forecast,
    will_reach_target,
)
from kpidesk.i18n import N_, _
from kpidesk.services.chart_model import (
    DEFAULT_FORECAST_STEPS,
    MAX_FORECAST_STEPS,
    MOVING_AVERAGE_WINDOW,
    TREND_WINDOW,
    ChartData,
    ChartError,
    MeasuredComment,
    PinnedNote,
    UnitSeries,
)
from kpidesk.services.scorecard import KpiSpec, RollUp, load_kpi_specs, target_paths_from
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace


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
