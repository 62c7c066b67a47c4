"""Trends for charts and forecasts: moving averages, least-squares lines, prediction bands.

A forecast continues the straight line through a KPI's history and surrounds it with the
prediction interval of linear regression, which widens the further the forecast reaches
from the middle of the data. Student's t quantiles are computed exactly for whole degrees of
freedom (no SciPy).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Direction
from kpidesk.i18n import N_, _


class TrendError(DomainError):
    """Data a trend or forecast cannot be made from."""


# Periods as numbers -------------------------------------------------------------------------

_WEEK_ZERO = Period.week(1900, 1).start  # a Monday


def period_index(period: Period) -> int:
    """A whole number that grows by one from each period to the next of the same kind."""
    if period.kind is PeriodKind.WEEK:
        return (period.start - _WEEK_ZERO).days // 7
    if period.kind is PeriodKind.MONTH:
        return period.year * 12 + period.number - 1
    if period.kind is PeriodKind.QUARTER:
        return period.year * 4 + period.number - 1
    return period.year


def align_period(period: Period, kind: PeriodKind) -> Period:
    """``period`` as a period of ``kind``: a coarser one by its last sub-period (a quarter
    asked of a monthly series is its last month), a finer one by the period holding it."""
    if period.kind is kind:
        return period
    if kind.is_finer_than(period.kind):
        return period.subperiods(kind)[-1]
    return period.to(kind)


# Moving average -----------------------------------------------------------------------------


def moving_average(values: Sequence[float | None], window: int) -> list[float | None]:
    """The trailing mean of ``window`` values at each position.

    The first ``window - 1`` positions are None. A gap (None) inside a window is left out of
    the mean, as long as at least half the window (rounded up) holds values; otherwise the
    position is None, so a long gap shows as a break in the line.
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    needed = math.ceil(window / 2)
    result: list[float | None] = []
    for index in range(len(values)):
        if index < window - 1:
            result.append(None)
            continue
        present = [
            float(value)
            for value in values[index - window + 1 : index + 1]
            if value is not None and math.isfinite(value)
        ]
        result.append(math.fsum(present) / len(present) if len(present) >= needed else None)
    return result


# Least squares ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trend:
    """A least-squares line ``y = intercept + slope * x`` and how well it fits."""

    slope: float
    intercept: float
    residual_se: float  # the residual standard error, sqrt(SSE / (n - 2))
    n: int
    x_mean: float
    sxx: float  # the sum of squared deviations of x from its mean

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x

    def prediction_half_width(self, x: float, level: float = 0.8) -> float:
        """Half the width of the prediction interval for one new value at ``x``."""
        spread = math.sqrt(1 + 1 / self.n + (x - self.x_mean) ** 2 / self.sxx)
        return t_critical(level, self.n - 2) * self.residual_se * spread


def linear_trend(points: Sequence[tuple[float, float]]) -> Trend | None:
    """The least-squares line through ``(x, y)`` points; None for fewer than 3 points or
    when every x is the same."""
    clean = [(float(x), float(y)) for x, y in points if math.isfinite(x) and math.isfinite(y)]
    n = len(clean)
    if n < 3:
        return None
    x_mean = math.fsum(x for x, _y in clean) / n
    y_mean = math.fsum(y for _x, y in clean) / n
    sxx = math.fsum((x - x_mean) ** 2 for x, _y in clean)
    if sxx == 0:
        return None
    sxy = math.fsum((x - x_mean) * (y - y_mean) for x, y in clean)
    slope = sxy / sxx
    intercept = y_mean - slope * x_mean
    sse = math.fsum((y - (intercept + slope * x)) ** 2 for x, y in clean)
    return Trend(slope, intercept, math.sqrt(sse / (n - 2)), n, x_mean, sxx)


# Student's t --------------------------------------------------------------------------------


def _t_central_probability(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with whole ``df`` (Abramowitz & Stegun 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    c = math.cos(theta) ** 2
    if df % 2 == 1:
        series, term = 1.0, 1.0
        for k in range(1, (df - 1) // 2):
            term *= c * (2 * k) / (2 * k + 1)
            series += term
        tail = math.sin(theta) * math.cos(theta) * series if df > 1 else 0.0
        return 2 / math.pi * (theta + tail)
    series, term = 1.0, 1.0
    for k in range(1, df // 2):
        term *= c * (2 * k - 1) / (2 * k)
        series += term
    return math.sin(theta) * series


@lru_cache(maxsize=256)
def t_critical(level: float, df: int) -> float:
    """The two-sided critical value of Student's t: P(|T| <= t) = ``level``.

    Cached: every point of a forecast asks for the same one."""
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    low, high = 0.0, 1.0
    while _t_central_probability(high, df) < level:
        high *= 2
    for _step in range(200):
        middle = (low + high) / 2
        if _t_central_probability(middle, df) < level:
            low = middle
        else:
            high = middle
        if high - low < 1e-12 * max(1.0, high):
            break
    return (low + high) / 2


# Forecast -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    period: Period
    value: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Forecast:
    """The trend of a series continued to a period, with a prediction band at ``level``.

    ``points`` are the periods after the latest one with data, up to the ``until`` asked for.
    """

    points: tuple[ForecastPoint, ...]
    level: float
    trend: Trend
    kind: PeriodKind
    first_period: Period  # the earliest period with data: x = 0
    last_period: Period  # the latest period with data

    def x_of(self, period: Period) -> int:
        """The x of ``period`` on the trend's scale (``first_period`` is 0)."""
        return period_index(align_period(period, self.kind)) - period_index(self.first_period)

    def point_at(self, period: Period) -> ForecastPoint:
        """The trend and its band at any period (a coarser one by its last sub-period)."""
        aligned = align_period(period, self.kind)
        x = self.x_of(aligned)
        value = self.trend.at(x)
        half = self.trend.prediction_half_width(x, self.level)
        return ForecastPoint(aligned, value, value - half, value + half)


def forecast(
    series: Mapping[Period, float], until: Period, *, level: float = 0.8
) -> Forecast | None:
    """The straight-line forecast of ``series`` to ``until``; None with fewer than 3 values.

    Every value given is used (pass the recent window you want the trend of). The band is the
    prediction interval for a single future value, so it holds about ``level`` of outcomes if
    the trend goes on as it has.
    """
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    data = sorted(
        (period, float(value))
        for period, value in series.items()
        if value is not None and math.isfinite(value)
    )
    if len(data) < 3:
        return None
    kinds = {period.kind for period, _value in data}
    if len(kinds) > 1:
        raise TrendError(N_("A forecast needs values for periods of one kind."))
    kind = data[0][0].kind
    first, last = data[0][0], data[-1][0]
    origin = period_index(first)
    trend = linear_trend([(period_index(period) - origin, value) for period, value in data])
    if trend is None:  # pragma: no cover - distinct periods always spread x
        return None
    empty = Forecast((), level, trend, kind, first, last)
    end = align_period(until, kind)
    points: list[ForecastPoint] = []
    current = last.next()
    while current <= end:
        points.append(empty.point_at(current))
        current = current.next()
    return Forecast(tuple(points), level, trend, kind, first, last)


# Will the target be reached? -------------------------------------------------------------


def _cautious_meets(
    direction: Direction, point: ForecastPoint, cautious: float, meets: Callable[[float], bool]
) -> bool:
    if direction is Direction.WITHIN_BAND:
        return meets(point.low) and meets(point.high)
    return meets(cautious)


class Outlook(StrEnum):
    LIKELY = "likely"  # even the cautious edge of the band reaches the target
    POSSIBLE = "possible"  # the central line reaches it, the cautious edge does not
    UNLIKELY = "unlikely"  # the central line misses it


OUTLOOK_LABELS = {
    Outlook.LIKELY: N_("Likely"),
    Outlook.POSSIBLE: N_("Possible"),
    Outlook.UNLIKELY: N_("Unlikely"),
}

_TEMPLATES = {
    Outlook.LIKELY: N_("At this pace the target of {target} will be reached by {period}."),
    Outlook.POSSIBLE: N_(
        "At this pace the target of {target} may be reached by {period}, "
        "but the cautious forecast is {cautious}."
    ),
    Outlook.UNLIKELY: N_(
        "At this pace the target of {target} for {period} will be missed: the forecast is {value}."
    ),
}
_TEMPLATES_WITH_KPI = {
    Outlook.LIKELY: N_("At this pace {kpi} will reach its target of {target} by {period}."),
    Outlook.POSSIBLE: N_(
        "At this pace {kpi} may reach its target of {target} by {period}, "
        "but the cautious forecast is {cautious}."
    ),
    Outlook.UNLIKELY: N_(
        "At this pace {kpi} will miss its target of {target} for {period}: the forecast is {value}."
    ),
}


@dataclass(frozen=True, slots=True)
class Reachability:
    """Whether a forecast reaches a target by a period, and a sentence saying so.

    ``period`` in ``params`` is the first period the central line reaches the target (likely,
    possible) or the deadline (unlikely). Params are raw: Periods and floats for the UI to
    format before filling in the (translated) template.
    """

    outlook: Outlook
    by: Period
    reached_at: Period | None
    value: float  # the central forecast at ``by``
    cautious: float  # the band's edge on the bad side at ``by``
    message_template: str
    params: Mapping[str, Any] = field(hash=False)

    @property
    def message(self) -> str:
        return _(self.message_template).format(**self.params)


def will_reach_target(
    forecast: Forecast,
    target: float,
    direction: Direction | str,
    by: Period,
    *,
    target_high: float | None = None,
    kpi: str | None = None,
) -> Reachability:
    """Judge ``forecast`` against ``target`` at ``by`` in the KPI's direction.

    For a band KPI the target is ``target``..``target_high``; likely means the whole band of
    the forecast lies inside it. With ``kpi`` (its name) the sentence names the KPI.
    """
    direction = Direction(direction)
    low_target = target
    high_target = target if target_high is None else target_high
    if low_target > high_target:
        low_target, high_target = high_target, low_target

    def meets(value: float) -> bool:
        if direction is Direction.HIGHER_IS_BETTER:
            return value >= target
        if direction is Direction.LOWER_IS_BETTER:
            return value <= target
        return low_target <= value <= high_target

    point = forecast.point_at(by)
    if direction is Direction.HIGHER_IS_BETTER:
        cautious = point.low
    elif direction is Direction.LOWER_IS_BETTER:
        cautious = point.high
    else:
        below, above = low_target - point.low, point.high - high_target
        cautious = point.low if below >= above else point.high

    if not meets(point.value):
        outlook = Outlook.UNLIKELY
    elif _cautious_meets(direction, point, cautious, meets):
        outlook = Outlook.LIKELY
    else:
        outlook = Outlook.POSSIBLE

    reached_at: Period | None = None
    if outlook is not Outlook.UNLIKELY:
        reached_at = point.period
        current = forecast.last_period.next()
        while current < point.period:
            if meets(forecast.point_at(current).value):
                reached_at = current
                break
            current = current.next()

    params: dict[str, Any] = {
        "target": target,
        "target_high": target_high,
        "period": reached_at or point.period,
        "by": point.period,
        "value": point.value,
        "cautious": cautious,
    }
    templates = _TEMPLATES
    if kpi:
        params["kpi"] = kpi
        templates = _TEMPLATES_WITH_KPI
    return Reachability(
        outlook, point.period, reached_at, point.value, cautious, templates[outlook], params
    )
