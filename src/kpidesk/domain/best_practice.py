"""Best practice in a follow-up meeting: for a KPI off track, the unit doing best on it, how
far the lagging unit is behind it, and where the best unit is heading.

Pure: the caller hands in each unit's value, target and recent values (oldest first).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kpidesk.domain.status import Direction, is_improvement
from kpidesk.domain.trends import linear_trend
from kpidesk.i18n import N_, _


class Heading(StrEnum):
    """Where a unit's recent values are heading, judged by the KPI's direction."""

    IMPROVING = "improving"
    WORSENING = "worsening"
    STEADY = "steady"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _(HEADING_LABELS[self])

    @property
    def arrow(self) -> str:
        return _HEADING_ARROWS[self]


HEADING_LABELS = {
    Heading.IMPROVING: N_("improving"),
    Heading.WORSENING: N_("worsening"),
    Heading.STEADY: N_("steady"),
    Heading.UNKNOWN: N_("too few values for a trend"),
}
_HEADING_ARROWS = {
    Heading.IMPROVING: "↗",
    Heading.WORSENING: "↘",
    Heading.STEADY: "→",
    Heading.UNKNOWN: "",
}

TREND_LENGTH = 6
"""How many of the latest values the heading is drawn from."""

STEADY_SHARE = 0.01
"""A line that moves less than this share of the values' size per period is steady."""


@dataclass(frozen=True, slots=True)
class UnitResult:
    """One unit's figures for a KPI and period."""

    unit_id: int | None
    name: str
    value: float | None
    target: float | None = None
    target_high: float | None = None
    values: tuple[float | None, ...] = ()
    """Recent values, oldest first, ending with ``value``."""


@dataclass(frozen=True, slots=True)
class BestPractice:
    """The best unit for a KPI and period, and how far ``behind`` is from it."""

    unit_id: int | None
    unit: str
    value: float
    heading: Heading
    behind: str = ""
    """The lagging unit compared with the best one ("" when there is none)."""
    behind_value: float | None = None

    @property
    def gap(self) -> float | None:
        """How much better the best unit is than the lagging one (never negative)."""
        if self.behind_value is None:
            return None
        return abs(self.value - self.behind_value)


def rank_key(
    direction: Direction | str,
    value: float | None,
    target: float | None,
    target_high: float | None,
) -> tuple[float, ...]:
    """Smaller is better: the highest value for higher-is-better, the lowest for
    lower-is-better, and for a range the value nearest it (inside is best, then nearest its
    middle). Units without a value come last, and a range without a target just before."""
    direction = Direction(direction)
    if value is None or not math.isfinite(value):
        return (2.0,)
    if direction is Direction.HIGHER_IS_BETTER:
        return (0.0, -value)
    if direction is Direction.LOWER_IS_BETTER:
        return (0.0, value)
    if target is None:
        return (1.0, 0.0, 0.0)
    low, high = target, target if target_high is None else target_high
    if low > high:
        low, high = high, low
    outside = low - value if value < low else value - high if value > high else 0.0
    return (0.0, outside, abs(value - (low + high) / 2))


def heading(values: Sequence[float | None], direction: Direction | str) -> Heading:
    """Where the latest values (at most :data:`TREND_LENGTH`) are heading: the slope of their
    least-squares line, good or bad by the KPI's direction. For a range, a line towards the
    range would need the target; it is left :attr:`Heading.UNKNOWN` unless steady."""
    recent = list(values)[-TREND_LENGTH:]
    points = [
        (float(x), float(y)) for x, y in enumerate(recent) if y is not None and math.isfinite(y)
    ]
    line = linear_trend(points)
    if line is None:
        return Heading.UNKNOWN
    size = math.fsum(abs(y) for _x, y in points) / len(points)
    if abs(line.slope) <= STEADY_SHARE * size:
        return Heading.STEADY
    good = is_improvement(line.slope, direction)
    if good is None:
        return Heading.UNKNOWN
    return Heading.IMPROVING if good else Heading.WORSENING


def best_practice(
    units: Sequence[UnitResult],
    direction: Direction | str,
    behind: UnitResult | None = None,
) -> BestPractice | None:
    """The best of ``units`` (ties by name), compared with ``behind`` (by default the worst
    unit with a value). None with fewer than two units with a value, or when the lagging
    unit is as good as the best."""
    ranked = sorted(
        (u for u in units if rank_key(direction, u.value, u.target, u.target_high)[0] < 2.0),
        key=lambda u: (rank_key(direction, u.value, u.target, u.target_high), u.name.casefold()),
    )
    if len(ranked) < 2:
        return None
    best = ranked[0]
    lagging = behind if behind is not None else ranked[-1]
    best_key = rank_key(direction, best.value, best.target, best.target_high)
    if (
        lagging.unit_id == best.unit_id
        or rank_key(direction, lagging.value, lagging.target, lagging.target_high) <= best_key
    ):
        return None
    assert best.value is not None
    return BestPractice(
        unit_id=best.unit_id,
        unit=best.name,
        value=best.value,
        heading=heading(best.values or (best.value,), direction),
        behind=lagging.name,
        behind_value=lagging.value,
    )
