"""Targets over time: a path from a baseline to a goal, which target applies, suggestions.

A target for a period comes from a value set for that period, or from a :class:`TargetPath`
that runs in a straight line from a baseline to a goal value. Targets are levels: a
quarter's target on a monthly path is the target of the quarter's last month, and a month
on a quarterly path takes its quarter's target (nothing is split or summed).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Direction
from kpidesk.domain.trends import align_period, linear_trend, period_index
from kpidesk.i18n import N_, _


class TargetError(DomainError):
    """A target path that cannot be drawn."""


# Paths -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetPath:
    """A straight line from ``baseline_value`` in ``baseline_period`` to ``goal_value`` in
    ``goal_period``, by equal steps per period.

    Before the baseline there is no target (None); from the goal period on, the goal holds.
    """

    baseline_period: Period
    baseline_value: float
    goal_period: Period
    goal_value: float

    def __post_init__(self) -> None:
        if self.baseline_period.kind is not self.goal_period.kind:
            raise TargetError(N_("A target path must start and end with the same kind of period."))
        if self.goal_period < self.baseline_period:
            raise TargetError(
                N_("The goal period {goal} comes before the baseline period {baseline}."),
                goal=self.goal_period,
                baseline=self.baseline_period,
            )
        for value in (self.baseline_value, self.goal_value):
            if not math.isfinite(value):
                raise TargetError(N_("A target must be a number."))

    @property
    def kind(self) -> PeriodKind:
        return self.baseline_period.kind

    def value_at(self, period: Period) -> float | None:
        """The target for ``period`` of any kind (see the module's note on other kinds)."""
        index = period_index(align_period(period, self.kind))
        start = period_index(self.baseline_period)
        end = period_index(self.goal_period)
        if index < start:
            return None
        if index >= end:
            return self.goal_value
        share = (index - start) / (end - start)
        return self.baseline_value + (self.goal_value - self.baseline_value) * share


# Which target applies --------------------------------------------------------------------


def resolve_target(
    period: Period,
    unit_id: Hashable | None = None,
    per_period: Mapping[tuple[Hashable | None, str], float] | None = None,
    paths: Mapping[Hashable | None, TargetPath] | None = None,
) -> float | None:
    """The target of one KPI for ``period`` and ``unit_id`` (None: all units together).

    ``per_period`` maps ``(unit_id or None, period.key)`` to a target set for that period;
    ``paths`` maps ``unit_id or None`` to a path. The order: the unit's own value for the
    period, the unit's own path, then the all-units value and the all-units path. A path
    gives nothing before its baseline, so the next source is asked. Period keys match
    exactly: a target set per month is not looked up for a quarter.
    """
    per_period = per_period or {}
    paths = paths or {}
    scopes: list[Hashable | None] = [unit_id, None] if unit_id is not None else [None]
    for scope in scopes:
        value = per_period.get((scope, period.key))
        if value is not None:
            return float(value)
        path = paths.get(scope)
        if path is not None:
            from_path = path.value_at(period)
            if from_path is not None:
                return from_path
    return None


# Suggestions -----------------------------------------------------------------------------


class SuggestionMethod(StrEnum):
    LAST_YEAR_PLUS_TREND = "last_year_plus_trend"
    BEST_UNIT = "best_unit"


SUGGESTION_METHOD_LABELS = {
    SuggestionMethod.LAST_YEAR_PLUS_TREND: N_("Last year plus trend"),
    SuggestionMethod.BEST_UNIT: N_("Best unit's level"),
}


@dataclass(frozen=True, slots=True)
class TargetSuggestion:
    """A suggested target and how it was derived.

    ``explanation_params`` are raw: ``last_year``, ``value`` and ``level`` are floats in the
    KPI's unit, ``trend`` a fraction per year (0.05 for +5 %), ``last_year_period`` a Period,
    ``unit`` a unit's name. The UI formats them before filling in the translated template.
    """

    value: float
    method: SuggestionMethod
    explanation_template: str
    explanation_params: Mapping[str, Any] = field(hash=False)

    @property
    def explanation(self) -> str:
        return _(self.explanation_template).format(**self.explanation_params)


# (periods in a trend window, fewest values needed in it, periods per year)
_WINDOW = {
    PeriodKind.WEEK: (52, 26, 52),
    PeriodKind.MONTH: (12, 6, 12),
    PeriodKind.QUARTER: (4, 3, 4),
    PeriodKind.YEAR: (3, 3, 1),
}

_TREND_TEMPLATES = {
    PeriodKind.WEEK: N_(
        "Same week last year ({last_year}) plus the trend of the last 52 weeks ({trend})."
    ),
    PeriodKind.MONTH: N_(
        "Same month last year ({last_year}) plus the trend of the last 12 months ({trend})."
    ),
    PeriodKind.QUARTER: N_(
        "Same quarter last year ({last_year}) plus the trend of the last 4 quarters ({trend})."
    ),
    PeriodKind.YEAR: N_("Last year ({last_year}) plus the trend of the last 3 years ({trend})."),
}

_HOLD_TEMPLATES = {
    PeriodKind.WEEK: N_(
        "Same week last year ({last_year}): the trend of the last 52 weeks ({trend}) "
        "goes the wrong way, so the target keeps last year's level."
    ),
    PeriodKind.MONTH: N_(
        "Same month last year ({last_year}): the trend of the last 12 months ({trend}) "
        "goes the wrong way, so the target keeps last year's level."
    ),
    PeriodKind.QUARTER: N_(
        "Same quarter last year ({last_year}): the trend of the last 4 quarters ({trend}) "
        "goes the wrong way, so the target keeps last year's level."
    ),
    PeriodKind.YEAR: N_(
        "Last year ({last_year}): the trend of the last 3 years ({trend}) "
        "goes the wrong way, so the target keeps last year's level."
    ),
}

_NEEDED_TEMPLATES = {
    PeriodKind.WEEK: N_(
        "A suggestion needs a value for the same week last year and for at least {count} "
        "of the last {window} weeks."
    ),
    PeriodKind.MONTH: N_(
        "A suggestion needs a value for the same month last year and for at least {count} "
        "of the last {window} months."
    ),
    PeriodKind.QUARTER: N_(
        "A suggestion needs a value for the same quarter last year and for at least {count} "
        "of the last {window} quarters."
    ),
    PeriodKind.YEAR: N_("A suggestion needs values for at least the last {window} years."),
}

BEST_UNIT_NEEDED = N_(
    "A suggestion from other units needs recent values of other units, and a KPI where "
    "higher or lower is better."
)


def history_needed(kind: PeriodKind) -> tuple[str, dict[str, Any]]:
    """What "last year plus trend" needs for a KPI measured by ``kind``: template, params."""
    window, count, _per_year = _WINDOW[kind]
    return _NEEDED_TEMPLATES[kind], {"count": count, "window": window}


def round_sensibly(value: float, significant: int = 3) -> float:
    """``value`` to ``significant`` digits: 1 234 567 → 1 230 000, 42.37 → 42.4."""
    if value == 0 or not math.isfinite(value):
        return value
    digits = significant - 1 - math.floor(math.log10(abs(value)))
    return float(f"{round(value, digits):.12g}")


def _last_year_plus_trend(
    history: Mapping[Period, float], period: Period, direction: Direction
) -> TargetSuggestion | None:
    window, needed, per_year = _WINDOW[period.kind]
    past = {
        key: float(value)
        for key, value in history.items()
        if key.kind is period.kind and key < period and value is not None and math.isfinite(value)
    }
    last_year_period = period.same_period_last_year()
    if last_year_period not in past:
        return None
    latest = max(past)
    first = latest.shift(-(window - 1))
    recent = {key: value for key, value in past.items() if key >= first}
    if len(recent) < needed:
        return None
    origin = period_index(latest)
    trend = linear_trend([(period_index(key) - origin, value) for key, value in recent.items()])
    mean = math.fsum(recent.values()) / len(recent)
    if trend is None or mean <= 0:
        return None
    growth = trend.slope * per_year / mean
    last_year = past[last_year_period]
    value = last_year * (1 + growth)
    wrong_way = (direction is Direction.HIGHER_IS_BETTER and value < last_year) or (
        direction is Direction.LOWER_IS_BETTER and value > last_year
    )
    template = _TREND_TEMPLATES[period.kind]
    if wrong_way:
        value = last_year
        template = _HOLD_TEMPLATES[period.kind]
    value = round_sensibly(value)
    return TargetSuggestion(
        value,
        SuggestionMethod.LAST_YEAR_PLUS_TREND,
        template,
        {
            "last_year": last_year,
            "last_year_period": last_year_period,
            "trend": growth,
            "value": value,
        },
    )


def _best_unit(
    other_units_levels: Mapping[str, float] | None, direction: Direction
) -> TargetSuggestion | None:
    if not other_units_levels or direction is Direction.WITHIN_BAND:
        return None
    levels = {
        str(unit): float(level)
        for unit, level in other_units_levels.items()
        if level is not None and math.isfinite(level)
    }
    if not levels:
        return None
    if direction is Direction.HIGHER_IS_BETTER:
        unit = min(levels, key=lambda name: (-levels[name], name))
    else:
        unit = min(levels, key=lambda name: (levels[name], name))
    level = levels[unit]
    return TargetSuggestion(
        level,
        SuggestionMethod.BEST_UNIT,
        N_("The level of the best unit, {unit} ({level})."),
        {"unit": unit, "level": level, "value": level},
    )


def suggest_targets(
    history: Mapping[Period, float],
    period: Period,
    direction: Direction | str,
    *,
    other_units_levels: Mapping[str, float] | None = None,
) -> list[TargetSuggestion]:
    """Every suggestion that can be made, "last year plus trend" first."""
    direction = Direction(direction)
    found = [
        _last_year_plus_trend(history, period, direction),
        _best_unit(other_units_levels, direction),
    ]
    return [suggestion for suggestion in found if suggestion is not None]


def suggest_target(
    history: Mapping[Period, float],
    period: Period,
    direction: Direction | str,
    *,
    other_units_levels: Mapping[str, float] | None = None,
    method: SuggestionMethod | None = None,
) -> TargetSuggestion | None:
    """A suggested target for ``period`` from the KPI's own ``history`` or other units.

    "Last year plus trend": the value of the same period last year times one plus the
    yearly trend, the least-squares slope over the last year of history (52 weeks, 12
    months, 4 quarters; 3 years for yearly KPIs) as a share of its mean, rounded to three
    significant digits. If the trend goes the wrong way for the KPI's direction, last
    year's level is kept. Needs what :func:`history_needed` says, and a positive mean.

    "Best unit's level": the best of ``other_units_levels`` (unit name → recent level) in the
    KPI's direction; none for band KPIs.

    Without ``method``, the first that can be made; None when neither can.
    """
    suggestions = suggest_targets(history, period, direction, other_units_levels=other_units_levels)
    for suggestion in suggestions:
        if method is None or suggestion.method is method:
            return suggestion
    return None
