"""What a KPI's chart holds, as plain data: its points per unit, bands, notes and the forecast;
built by services.charts, drawn by ui/charts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from kpidesk.domain.errors import DomainError
from kpidesk.domain.numbers import MEASURE_UNIT_LABELS, MeasureUnit, format_value
from kpidesk.domain.periods import Period, PeriodKind, format_period
from kpidesk.domain.status import Direction, Status, Thresholds, status_of
from kpidesk.domain.trends import (
    Forecast,
    ForecastPoint,
    Reachability,
    moving_average,
)
from kpidesk.i18n import _
from kpidesk.services.scorecard import KpiSpec

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
