"""What a review holds, as plain data: its record, its agenda's items, the follow-up and the
warnings, and its history; the errors a review's use cases raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from kpidesk.domain.best_practice import BestPractice
from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period, PeriodKind, format_period
from kpidesk.domain.status import Status
from kpidesk.domain.terms import ActionStatus
from kpidesk.i18n import N_, _
from kpidesk.services.actions import ActionRow
from kpidesk.services.initiatives import DueMilestone
from kpidesk.services.tips import TipRow

SNAPSHOT_FORMAT = 2
"""The snapshot a closed review keeps, as JSON::

    {"format": 2, "taken_at": "2026-10-09T11:00:00", "period": "2026-09", "currency": "SEK",
     "units": [{"id": 2, "name": "Butik Umeå"}, …],
     "items": [{"kpi_id": 8, "code": "RESP", "name": …, "owner": …, "measure_unit": "hours",
                "unit_label": "", "decimals": 1, "direction": "lower", "goal_ids": [6],
                "status": "red",
                "figures": [{"unit_id": 2, "unit": "Butik Umeå", "period": "2026-09",
                             "value": 12.1, "target": 8.6, "target_high": null,
                             "status": "red", "previous_value": 11.9,
                             "periods": ["2025-09", …], "values": […], "targets": […]}]}],
     "follow_up": [{"action_id": 3, "title": …, "owner": …, "due_date": "2026-10-29",
                    "status": "open", "kpi_id": 6, "kpi_name": …, "review_id": 1,
                    "review_title": …}],
     "actions": [{"action_id": 9, "status": "open"}],
     "warnings": [{"kpi_id": 7, "kpi_name": …, "units": ["Butik Umeå"]}]}

``actions`` holds the status each of the review's own actions had at closing, so history
can show what became of them. The first demo workspaces kept a flat list of
``{kpi, unit, period, value, target, status}``; ``agenda`` still reads that.
"""


REVIEW_PERIOD_KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)


REVIEW_EVENT_LABELS = {
    "opened": N_("Opened"),
    "closed": N_("Closed"),
    "reopened": N_("Reopened"),
    "refreshed": N_("Numbers refreshed"),
}


_STATUS_ORDER = {
    Status.RED: 0,
    Status.AMBER: 1,
    Status.GREEN: 2,
    Status.NO_TARGET: 3,
    Status.NO_DATA: 4,
}


class ReviewError(DomainError):
    pass


class ReviewClosedError(ReviewError):
    def __init__(self) -> None:
        super().__init__(N_("The review is closed; reopen it to change it."))


@dataclass(frozen=True)
class ReviewInfo:
    id: int
    title: str
    period: Period
    held_on: date | None
    participants: str
    status: str
    created_at: datetime | None
    closed_at: datetime | None
    unit_ids: tuple[int, ...]
    unit_names: tuple[str, ...]
    row_version: int | None = None
    """The row's version as it was read, for a save to check (see ``read_version=``)."""

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    @property
    def participant_names(self) -> tuple[str, ...]:
        return split_participants(self.participants)


@dataclass(frozen=True)
class ReviewEventRow:
    event: str
    note: str
    at: datetime

    @property
    def label(self) -> str:
        return _(REVIEW_EVENT_LABELS.get(self.event, self.event))


@dataclass(frozen=True)
class UnitFigures:
    """One KPI in one unit, as the review shows it."""

    unit_id: int | None
    unit: str
    period: str
    value: float | None
    target: float | None
    target_high: float | None
    status: Status
    previous_value: float | None = None
    periods: tuple[str, ...] = ()
    values: tuple[float | None, ...] = ()
    targets: tuple[float | None, ...] = ()

    @property
    def sparkline(self) -> list[float | None]:
        return list(self.values)


@dataclass(frozen=True)
class CommentRow:
    id: int
    kpi_id: int | None
    text: str
    author: str
    created_at: datetime | None


@dataclass
class DecisionData:
    text: str
    decided_on: date | None = None
    decided_by: str = ""
    kpi_id: int | None = None
    goal_id: int | None = None


@dataclass(frozen=True)
class DecisionRow:
    id: int
    data: DecisionData
    kpi_code: str = ""
    kpi_name: str = ""
    goal_title: str = ""
    row_version: int | None = None
    """The row's version as it was read, for a save to check (see ``read_version=``)."""


@dataclass
class AgendaItem:
    """One KPI on the agenda: its figures per unit and what the meeting said about it."""

    kpi_id: int
    code: str
    name: str
    owner: str
    measure_unit: str
    unit_label: str
    decimals: int
    direction: str
    goal_ids: tuple[int, ...]
    status: Status
    figures: list[UnitFigures]
    comment: CommentRow | None = None
    decisions: list[DecisionRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    best: BestPractice | None = None
    """For a red or amber KPI, the unit doing best on it (see ``reviews.best``)."""
    tips: list[TipRow] = field(default_factory=list)
    """The "what works" tips written for the KPI, newest first (live, even when closed)."""

    @property
    def red_units(self) -> list[str]:
        return [f.unit for f in self.figures if f.status is Status.RED]


@dataclass(frozen=True)
class FollowUpItem:
    """An earlier review's action brought up again: what it was and what became of it."""

    action_id: int
    title: str
    owner: str
    due_date: date | None
    kpi_id: int | None
    kpi_name: str
    from_review_id: int | None
    from_review_title: str
    status: str
    """The status now; for a closed review, the status it had when presented."""
    status_now: str | None
    """The status today (None if the action has since been deleted)."""
    overdue: bool


@dataclass(frozen=True)
class AgendaWarning:
    """A KPI off track (red) in some of the review's units, with no action to turn it."""

    kpi_id: int
    kpi_name: str
    units: tuple[str, ...]

    def text(self) -> str:
        return _("{kpi} is off track ({units}) and has no action.").format(
            kpi=self.kpi_name, units=", ".join(self.units)
        )


@dataclass
class Agenda:
    review: ReviewInfo
    items: list[AgendaItem]
    follow_up: list[FollowUpItem]
    warnings: list[AgendaWarning]
    other_decisions: list[DecisionRow]
    """Decisions not about a KPI on the agenda (about a goal, or the business as a whole)."""
    other_actions: list[ActionRow]
    kept: bool
    """True when the figures come from the snapshot (closed, or reopened and kept)."""
    currency: str
    events: list[ReviewEventRow]
    milestones: list[DueMilestone] = field(default_factory=list)
    """Initiatives' milestones late or due before the next follow-up, late first."""

    def item(self, kpi_id: int) -> AgendaItem | None:
        return next((item for item in self.items if item.kpi_id == kpi_id), None)


def split_participants(text: str) -> tuple[str, ...]:
    parts = text.replace(";", ",").replace("\n", ",").split(",")
    return tuple(p.strip() for p in parts if p.strip())


def default_title(period: Period) -> str:
    return _("Review {period}").format(period=format_period(period))


@dataclass(frozen=True)
class ReviewDetails:
    title: str
    participants: str
    held_on: date | None


@dataclass(frozen=True)
class DeletedDecision:
    id: int
    review_id: int
    data: DecisionData


@dataclass(frozen=True)
class HistoryAction:
    action: ActionRow
    status_then: str | None
    """The status when the review was closed; None for an open review (or unknown)."""


@dataclass(frozen=True)
class HistoryEntry:
    review: ReviewInfo
    decisions: list[DecisionRow]
    actions: list[HistoryAction]
    events: list[ReviewEventRow]

    def counts(self) -> dict[str, int]:
        """How many of the review's actions are in each status now."""
        counts = dict.fromkeys((s.value for s in ActionStatus), 0)
        for entry in self.actions:
            counts[entry.action.data.status] = counts.get(entry.action.data.status, 0) + 1
        return counts

    @property
    def overdue(self) -> int:
        return sum(1 for entry in self.actions if entry.action.overdue)


@dataclass(frozen=True)
class ReviewContent:
    """Everything a review pack needs about one review, as it was presented."""

    review: ReviewInfo
    period: Period
    period_label: str
    units: tuple[str, ...]
    participants: tuple[str, ...]
    currency: str
    kept: bool
    items: list[AgendaItem]
    follow_up: list[FollowUpItem]
    warnings: list[AgendaWarning]
    comments: list[CommentRow]
    decisions: list[DecisionRow]
    actions: list[ActionRow]
    events: list[ReviewEventRow]
    milestones: list[DueMilestone] = field(default_factory=list)
    today: date | None = None
