"""Status of a value against its target: green, amber, red, no target, or no data.

Green is at or better than target in the KPI's direction; amber is worse by no more than the
amber margin (a percentage of the target, or an absolute amount); red is beyond. A band KPI
is green inside its band and judged by its distance outside it. A value without a target is
"no target": a value all the same, neutral, never judged and never "no data".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from kpidesk.i18n import N_


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"
    WITHIN_BAND = "band"


DIRECTION_LABELS = {
    Direction.HIGHER_IS_BETTER: N_("Higher is better"),
    Direction.LOWER_IS_BETTER: N_("Lower is better"),
    Direction.WITHIN_BAND: N_("Within a range"),
}


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_TARGET = "notarget"
    NO_DATA = "none"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


_SYMBOLS = {
    Status.GREEN: "✓",
    Status.AMBER: "!",
    Status.RED: "✕",
    Status.NO_TARGET: "○",
    Status.NO_DATA: "–",
}

STATUS_LABELS = {
    Status.GREEN: N_("On track"),
    Status.AMBER: N_("At risk"),
    Status.RED: N_("Off track"),
    Status.NO_TARGET: N_("No target"),
    Status.NO_DATA: N_("No data"),
}

JUDGED = (Status.GREEN, Status.AMBER, Status.RED)
"""The states that compare a value with a target."""

AGENDA_ORDER = (Status.RED, Status.AMBER, Status.GREEN, Status.NO_TARGET, Status.NO_DATA)
"""The order a meeting goes through its KPIs: off track first, the unjudged last."""


class ThresholdMode(StrEnum):
    PERCENT = "percent"
    ABSOLUTE = "absolute"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """How far a value may fall short of its target and still be amber."""

    amber_margin: float = 10.0
    mode: ThresholdMode = ThresholdMode.PERCENT

    def tolerance(self, reference: float, band_width: float = 0.0) -> float:
        if self.mode is ThresholdMode.ABSOLUTE:
            return abs(self.amber_margin)
        base = abs(reference) if reference else abs(band_width)
        return abs(self.amber_margin) / 100 * base


DEFAULT_THRESHOLDS = Thresholds()


def status_of(
    value: float | None,
    target: float | None,
    direction: Direction | str,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    target_high: float | None = None,
) -> Status:
    """The status of ``value`` against ``target`` (for a band: ``target``..``target_high``).

    No value is :attr:`Status.NO_DATA`; a value without a target is :attr:`Status.NO_TARGET`.
    """
    if value is None:
        return Status.NO_DATA
    if target is None:
        return Status.NO_TARGET
    direction = Direction(direction)
    if direction is Direction.WITHIN_BAND:
        low, high = target, target_high if target_high is not None else target
        if low > high:
            low, high = high, low
        if low <= value <= high:
            return Status.GREEN
        edge = low if value < low else high
        shortfall = abs(value - edge)
        tolerance = thresholds.tolerance(edge, high - low)
    elif direction is Direction.HIGHER_IS_BETTER:
        if value >= target:
            return Status.GREEN
        shortfall = target - value
        tolerance = thresholds.tolerance(target)
    else:
        if value <= target:
            return Status.GREEN
        shortfall = value - target
        tolerance = thresholds.tolerance(target)
    return Status.AMBER if shortfall <= tolerance else Status.RED


def is_improvement(change: float, direction: Direction | str) -> bool | None:
    """Whether a change is good news for the KPI; None where the direction cannot say."""
    direction = Direction(direction)
    if change == 0 or direction is Direction.WITHIN_BAND:
        return None
    return (change > 0) == (direction is Direction.HIGHER_IS_BETTER)


def combine_statuses(statuses: Iterable[Status]) -> tuple[Status, dict[Status, int]]:
    """One state for a goal from its KPIs' statuses, and how many KPIs are in each.

    KPIs without data or without a target do not count. Green scores 1, amber ½, red 0: an
    average of at least 0.75 is on track, at least 0.4 at risk, below that off track.
    """
    counts = dict.fromkeys(Status, 0)
    for status in statuses:
        counts[status] += 1
    scored = counts[Status.GREEN] + counts[Status.AMBER] + counts[Status.RED]
    if scored == 0:
        return Status.NO_DATA, counts
    score = (counts[Status.GREEN] + 0.5 * counts[Status.AMBER]) / scored
    if score >= 0.75:
        return Status.GREEN, counts
    if score >= 0.4:
        return Status.AMBER, counts
    return Status.RED, counts
