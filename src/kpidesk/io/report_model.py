"""What a review pack or report holds, as plain data: built by a service, written by io or ui.

Nothing here knows the store or Qt. Values are raw numbers as stored (a percent KPI holds
percentage points, 81.5); each writer formats them for its medium and language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kpidesk.domain.numbers import MeasureUnit
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Direction, Status
from kpidesk.domain.strategy_layout import StrategyMap
from kpidesk.i18n import N_

FREQUENCY_LABELS = {
    PeriodKind.WEEK: N_("Weekly"),
    PeriodKind.MONTH: N_("Monthly"),
    PeriodKind.QUARTER: N_("Quarterly"),
    PeriodKind.YEAR: N_("Yearly"),
}


@dataclass(frozen=True, slots=True)
class KpiInfo:
    id: int
    code: str
    name: str
    measure_unit: str
    decimals: int
    direction: Direction
    frequency: PeriodKind
    unit_label: str = ""
    owner: str = ""
    definition: str = ""

    @property
    def is_percent(self) -> bool:
        return self.measure_unit == MeasureUnit.PERCENT


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """One period of a KPI's table: actual, target (a band: ``target``..``target_high``)."""

    period: Period
    value: float | None
    target: float | None
    target_high: float | None
    status: Status
    comment: str = ""


@dataclass(frozen=True, slots=True)
class UnitSeries:
    unit: str
    rows: tuple[PeriodRow, ...]


@dataclass(frozen=True, slots=True)
class CommentLine:
    text: str
    author: str = ""
    kpi: str = ""


@dataclass(frozen=True, slots=True)
class KpiSection:
    """One KPI's sheet or pages: its table and chart per unit, and the review's comments."""

    kpi: KpiInfo
    series: tuple[UnitSeries, ...]
    comments: tuple[CommentLine, ...] = ()
    best_practice: str = ""
    """For a red or amber KPI of a review: the best unit, its value, the gap and its heading."""
    tips: tuple[str, ...] = ()
    """The "what works" tips for the KPI, each with who wrote it, when, and how it went."""


@dataclass(frozen=True, slots=True)
class ScoreLine:
    kpi: KpiInfo
    unit: str
    period: Period
    value: float | None
    target: float | None
    target_high: float | None
    status: Status
    previous_value: float | None = None
    last_year_value: float | None = None
    ytd_value: float | None = None
    ytd_target: float | None = None
    ytd_status: Status = Status.NO_DATA
    comment: str = ""

    @property
    def deviation(self) -> float | None:
        """How far the value is from its target (for a band: outside it; 0 inside)."""
        if self.value is None or self.target is None:
            return None
        if self.kpi.direction is Direction.WITHIN_BAND and self.target_high is not None:
            low, high = sorted((self.target, self.target_high))
            if self.value < low:
                return self.value - low
            if self.value > high:
                return self.value - high
            return 0.0
        return self.value - self.target


@dataclass(frozen=True, slots=True)
class DecisionLine:
    text: str
    decided_on: date | None = None
    decided_by: str = ""
    kpi: str = ""
    goal: str = ""
    review: str = ""


@dataclass(frozen=True, slots=True)
class ActionLine:
    title: str
    status: str = "open"
    owner: str = ""
    due_date: date | None = None
    kpi: str = ""
    goal: str = ""
    review: str = ""
    description: str = ""
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class ReviewInfo:
    """The meeting a review pack is for, as it was presented."""

    title: str
    held_on: date | None = None
    participants: str = ""
    closed: bool = False
    comments: tuple[CommentLine, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportContent:
    workspace_name: str
    period: Period
    units: tuple[str, ...]
    generated_on: date
    currency: str = "SEK"
    scorecard: tuple[ScoreLine, ...] = ()
    sections: tuple[KpiSection, ...] = ()
    decisions: tuple[DecisionLine, ...] = ()
    actions: tuple[ActionLine, ...] = ()
    review: ReviewInfo | None = None
    notes: tuple[str, ...] = field(default=())
    strategy: StrategyMap | None = None
    """The strategy on one page, drawn first (None: the workspace has no goals)."""

    def status_counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for line in self.scorecard:
            counts[line.status] += 1
        return counts
