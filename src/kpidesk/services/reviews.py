"""Follow-up meetings: an agenda built for the user, and a record kept as it was presented.

A review is held for one period (month, quarter or year) and a set of units. Its agenda
has one item per active KPI, with that KPI's figures for each of the review's units (value,
target, status, the recent periods and their targets). Items are ordered off target first:
KPIs red in any unit, then amber in any unit, then the rest, each group in the KPIs' own
order. A comment, decisions and actions belong to a KPI (the data model has no unit on
them), which is why an item is a KPI and not a KPI in one unit.

The agenda also brings up what earlier reviews left to do (``follow_up``: every action of
the last review, whatever became of it, and the still unfinished actions of older ones) and
warns about every KPI that is red without an action (none from this review, and no
unfinished one elsewhere).

Closing writes a snapshot of what was presented (see ``SNAPSHOT_FORMAT``) into the review;
from then on the agenda's figures come from the snapshot, never from live data, and the
review is read-only. Reopening is explicit, needs a note and leaves a ``ReviewEvent``; a
reopened review keeps the figures that were presented unless it is asked to show today's
numbers (``refresh=True``, which leaves an event of its own).

Every write runs in one transaction; functions that change something return what is
needed to undo it.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period, PeriodKind, format_period
from kpidesk.domain.status import Status
from kpidesk.domain.terms import UNFINISHED, ActionStatus
from kpidesk.i18n import N_, _
from kpidesk.services import actions as action_service
from kpidesk.services.actions import ActionData, ActionRow
from kpidesk.services.overview import unit_tree
from kpidesk.services.scorecard import SPARKLINE_LENGTH, build_scorecard, load_rollup
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

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


# What a review holds ----------------------------------------------------------------------


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

    def item(self, kpi_id: int) -> AgendaItem | None:
        return next((item for item in self.items if item.kpi_id == kpi_id), None)


def split_participants(text: str) -> tuple[str, ...]:
    parts = text.replace(";", ",").replace("\n", ",").split(",")
    return tuple(p.strip() for p in parts if p.strip())


def default_title(period: Period) -> str:
    return _("Review {period}").format(period=format_period(period))


# Starting, editing, closing -----------------------------------------------------------------


def _review(review_id: int) -> models.Review:
    review = models.Review.get_or_none(models.Review.id == review_id)
    if review is None:
        raise ReviewError(N_("The review no longer exists."))
    return review


def _require_open(review_id: int) -> models.Review:
    review = _review(review_id)
    if review.status == "closed":
        raise ReviewClosedError()
    return review


def start_review(
    workspace: Workspace,
    period: Period,
    unit_ids: list[int] | tuple[int, ...],
    title: str | None = None,
    *,
    participants: str = "",
    held_on: date | None = None,
    now: datetime | None = None,
    review_id: int | None = None,
) -> int:
    """Open a review for ``period`` and the units given; return its id.

    ``review_id`` brings back a start that was undone under the same id (for redo).
    """
    unit_ids = list(dict.fromkeys(unit_ids))
    if not unit_ids:
        raise ReviewError(N_("Choose at least one unit."))
    known = {u.id for u in unit_tree()}
    if any(u not in known for u in unit_ids):
        raise ReviewError(N_("A chosen unit no longer exists."))
    title = (title or "").strip() or default_title(period)
    now = now or models.utcnow()
    with workspace.atomic():
        extra = {"id": review_id} if review_id is not None else {}
        review = models.Review.create(
            **extra,
            title=title,
            period=period.key,
            held_on=held_on or now.date(),
            participants=participants.strip(),
            status="open",
            created_at=now,
        )
        for unit_id in unit_ids:
            models.ReviewUnit.create(review=review, unit=unit_id)
        models.ReviewEvent.create(review=review, event="opened", at=now)
    return review.id


def delete_review(workspace: Workspace, review_id: int) -> None:
    """Delete an open review with everything recorded in it, its actions too."""
    with workspace.atomic():
        review = _require_open(review_id)
        models.Action.delete().where(models.Action.review == review_id).execute()
        review.delete_instance(recursive=False)


@dataclass(frozen=True)
class ReviewDetails:
    title: str
    participants: str
    held_on: date | None


def update_details(workspace: Workspace, review_id: int, details: ReviewDetails) -> ReviewDetails:
    """Change the title, participants and meeting date; return what they were, for undo."""
    if not details.title.strip():
        raise ReviewError(N_("A review needs a title."))
    with workspace.atomic():
        review = _require_open(review_id)
        before = ReviewDetails(review.title, review.participants, review.held_on)
        models.Review.update(
            title=details.title.strip(),
            participants=details.participants.strip(),
            held_on=details.held_on,
        ).where(models.Review.id == review_id).execute()
    return before


def close_review(
    workspace: Workspace,
    review_id: int,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> None:
    """Close the review, keeping what was presented (figures, follow-up, warnings)."""
    now = now or models.utcnow()
    with workspace.atomic():
        review = _require_open(review_id)
        current = agenda(review_id, today=today or now.date())
        snapshot = _snapshot_of(current, now)
        models.Review.update(
            status="closed",
            snapshot=json.dumps(snapshot, ensure_ascii=False),
            closed_at=now,
            held_on=review.held_on or now.date(),
        ).where(models.Review.id == review_id).execute()
        models.ReviewEvent.create(review=review_id, event="closed", at=now)


def reopen_review(
    workspace: Workspace,
    review_id: int,
    note: str,
    *,
    refresh: bool = False,
    now: datetime | None = None,
) -> None:
    """Reopen a closed review; ``note`` says why and is kept with the time.

    The figures presented stay, unless ``refresh``: then the agenda shows today's numbers
    again until the review is closed anew (an event records that too).
    """
    note = note.strip()
    if not note:
        raise ReviewError(N_("Say why the review is reopened."))
    now = now or models.utcnow()
    with workspace.atomic():
        review = _review(review_id)
        if review.status != "closed":
            raise ReviewError(N_("The review is already open."))
        values: dict[str, Any] = {"status": "open", "closed_at": None}
        if refresh:
            values["snapshot"] = ""
        models.Review.update(**values).where(models.Review.id == review_id).execute()
        models.ReviewEvent.create(review=review_id, event="reopened", note=note, at=now)
        if refresh:
            models.ReviewEvent.create(review=review_id, event="refreshed", note="", at=now)


# Comments, decisions and actions ------------------------------------------------------------


def set_comment(
    workspace: Workspace, review_id: int, kpi_id: int | None, text: str, author: str = ""
) -> tuple[str, str]:
    """The review's one comment on a KPI (empty text removes it); returns (text, author) before."""
    with workspace.atomic():
        _require_open(review_id)
        kpi_match = (
            models.ReviewComment.kpi.is_null()
            if kpi_id is None
            else models.ReviewComment.kpi == kpi_id
        )
        existing = list(
            models.ReviewComment.select()
            .where((models.ReviewComment.review == review_id) & kpi_match)
            .order_by(models.ReviewComment.id)
        )
        before = ("\n\n".join(c.text for c in existing), existing[0].author if existing else "")
        text = text.strip()
        if existing:
            first, rest = existing[0], existing[1:]
            for extra in rest:
                extra.delete_instance()
            if text:
                models.ReviewComment.update(text=text, author=author.strip()).where(
                    models.ReviewComment.id == first.id
                ).execute()
            else:
                first.delete_instance()
        elif text:
            models.ReviewComment.create(
                review=review_id, kpi=kpi_id, text=text, author=author.strip()
            )
    return before


def add_comment(
    workspace: Workspace, review_id: int, kpi_id: int | None, text: str, author: str = ""
) -> tuple[str, str]:
    """The same as ``set_comment``: a review keeps one comment per KPI."""
    return set_comment(workspace, review_id, kpi_id, text, author)


def _validate_decision(data: DecisionData) -> None:
    if not data.text.strip():
        raise ReviewError(N_("A decision needs a text."))


def add_decision(workspace: Workspace, review_id: int, data: DecisionData) -> int:
    _validate_decision(data)
    with workspace.atomic():
        _require_open(review_id)
        decision = models.Decision.create(
            review=review_id,
            kpi=data.kpi_id,
            goal=data.goal_id,
            text=data.text.strip(),
            decided_on=data.decided_on,
            decided_by=data.decided_by.strip(),
        )
    return decision.id


def update_decision(workspace: Workspace, decision_id: int, data: DecisionData) -> DecisionData:
    _validate_decision(data)
    with workspace.atomic():
        decision = models.Decision.get_by_id(decision_id)
        _require_open(decision.review_id)
        before = _decision_data(decision)
        models.Decision.update(
            kpi=data.kpi_id,
            goal=data.goal_id,
            text=data.text.strip(),
            decided_on=data.decided_on,
            decided_by=data.decided_by.strip(),
        ).where(models.Decision.id == decision_id).execute()
    return before


@dataclass(frozen=True)
class DeletedDecision:
    id: int
    review_id: int
    data: DecisionData


def delete_decision(workspace: Workspace, decision_id: int) -> DeletedDecision:
    with workspace.atomic():
        decision = models.Decision.get_by_id(decision_id)
        _require_open(decision.review_id)
        deleted = DeletedDecision(decision.id, decision.review_id, _decision_data(decision))
        decision.delete_instance()
    return deleted


def restore_decision(workspace: Workspace, deleted: DeletedDecision) -> int:
    with workspace.atomic():
        _require_open(deleted.review_id)
        data = deleted.data
        models.Decision.insert(
            id=deleted.id,
            review=deleted.review_id,
            kpi=data.kpi_id,
            goal=data.goal_id,
            text=data.text,
            decided_on=data.decided_on,
            decided_by=data.decided_by,
        ).execute()
    return deleted.id


def add_action(
    workspace: Workspace, review_id: int, data: ActionData, *, now: datetime | None = None
) -> int:
    """An action agreed in the review (which must be open)."""
    with workspace.atomic():
        _require_open(review_id)
        return action_service.create_action(workspace, data, review_id, now=now)


def _require_action_editable(action_id: int) -> None:
    action = models.Action.get_by_id(action_id)
    if action.review_id is not None:
        _require_open(action.review_id)


def update_action(workspace: Workspace, action_id: int, data: ActionData) -> ActionData:
    """Edit an action of an open review; return what it was. Status: see ``set_action_status``."""
    with workspace.atomic():
        _require_action_editable(action_id)
        return action_service.update_action(workspace, action_id, data)


def delete_action(workspace: Workspace, action_id: int) -> action_service.DeletedAction:
    with workspace.atomic():
        _require_action_editable(action_id)
        return action_service.delete_action(workspace, action_id)


def restore_action(workspace: Workspace, deleted: action_service.DeletedAction) -> int:
    with workspace.atomic():
        if deleted.review_id is not None:
            _require_open(deleted.review_id)
        return action_service.restore_action(workspace, deleted)


def set_action_status(
    workspace: Workspace, action_id: int, status: str, *, now: datetime | None = None
) -> action_service.StatusChange:
    """An action's status may change after its review closed: that is what follow-up checks."""
    return action_service.set_status(workspace, action_id, status, now=now)


# Reading ------------------------------------------------------------------------------------


def _info(review: models.Review, unit_names: dict[int, str]) -> ReviewInfo:
    unit_ids = tuple(
        unit_id
        for (unit_id,) in models.ReviewUnit.select(models.ReviewUnit.unit)
        .where(models.ReviewUnit.review == review.id)
        .tuples()
    )
    order = {unit_id: index for index, unit_id in enumerate(unit_names)}
    unit_ids = tuple(sorted(unit_ids, key=lambda u: order.get(u, len(order))))
    return ReviewInfo(
        id=review.id,
        title=review.title,
        period=Period.from_key(review.period),
        held_on=review.held_on,
        participants=review.participants,
        status=review.status,
        created_at=review.created_at,
        closed_at=review.closed_at,
        unit_ids=unit_ids,
        unit_names=tuple(unit_names.get(u, "") for u in unit_ids),
    )


def _unit_names() -> dict[int, str]:
    return {unit.id: unit.name for unit in unit_tree()}


def review_info(review_id: int) -> ReviewInfo:
    return _info(_review(review_id), _unit_names())


def list_reviews() -> list[ReviewInfo]:
    """Every review, the newest period first (and the newest started first within one)."""
    names = _unit_names()
    infos = [_info(review, names) for review in models.Review.select()]
    infos.sort(key=lambda i: (i.period.end, i.created_at or datetime.min, i.id), reverse=True)
    return infos


def events(review_id: int) -> list[ReviewEventRow]:
    return [
        ReviewEventRow(e.event, e.note, e.at)
        for e in models.ReviewEvent.select()
        .where(models.ReviewEvent.review == review_id)
        .order_by(models.ReviewEvent.id)
    ]


def local_time(moment: datetime | None) -> datetime | None:
    """A stored time (UTC, without zone) in the computer's own zone, for showing."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _decision_data(decision: models.Decision) -> DecisionData:
    return DecisionData(
        text=decision.text,
        decided_on=decision.decided_on,
        decided_by=decision.decided_by,
        kpi_id=decision.kpi_id,
        goal_id=decision.goal_id,
    )


def _decisions(review_id: int) -> list[DecisionRow]:
    kpis = {
        kpi_id: (code, name)
        for kpi_id, code, name in models.Kpi.select(
            models.Kpi.id, models.Kpi.code, models.Kpi.name
        ).tuples()
    }
    goals = dict(models.Goal.select(models.Goal.id, models.Goal.title).tuples())
    rows = []
    for decision in (
        models.Decision.select()
        .where(models.Decision.review == review_id)
        .order_by(models.Decision.id)
    ):
        code, name = kpis.get(decision.kpi_id, ("", "")) if decision.kpi_id else ("", "")
        rows.append(
            DecisionRow(
                decision.id,
                _decision_data(decision),
                code,
                name,
                goals.get(decision.goal_id, "") if decision.goal_id else "",
            )
        )
    return rows


def _comments(review_id: int) -> list[CommentRow]:
    return [
        CommentRow(c.id, c.kpi_id, c.text, c.author, c.created_at)
        for c in models.ReviewComment.select()
        .where(models.ReviewComment.review == review_id)
        .order_by(models.ReviewComment.id)
    ]


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return value


def _live_items(info: ReviewInfo, fiscal_start_month: int) -> list[AgendaItem]:
    period = info.period
    years_back = {PeriodKind.YEAR: SPARKLINE_LENGTH[PeriodKind.YEAR] + 1}.get(period.kind, 3)
    rollup = load_rollup(period.start.year - years_back, period.end.year)
    items: dict[int, AgendaItem] = {}
    for unit_id, unit_name in zip(info.unit_ids, info.unit_names, strict=True):
        scorecard = build_scorecard(
            period, unit_id, fiscal_start_month=fiscal_start_month, rollup=rollup
        )
        for row in scorecard.rows:
            spec = row.kpi
            shown = row.shown_period
            periods = [shown.shift(o) for o in range(-len(row.sparkline) + 1, 1)]
            targets = []
            for p in periods:
                target = rollup.target(spec.id, unit_id, p)
                targets.append(_finite(target[0]) if target else None)
            figures = UnitFigures(
                unit_id=unit_id,
                unit=unit_name,
                period=shown.key,
                value=_finite(row.value),
                target=_finite(row.target),
                target_high=_finite(row.target_high),
                status=row.status,
                previous_value=_finite(row.previous_value),
                periods=tuple(p.key for p in periods),
                values=tuple(_finite(v) for v in row.sparkline),
                targets=tuple(targets),
            )
            item = items.get(spec.id)
            if item is None:
                item = items[spec.id] = AgendaItem(
                    kpi_id=spec.id,
                    code=spec.code,
                    name=spec.name,
                    owner=spec.owner,
                    measure_unit=spec.measure_unit,
                    unit_label=spec.unit_label,
                    decimals=spec.decimals,
                    direction=spec.direction.value,
                    goal_ids=spec.goal_ids,
                    status=Status.NO_DATA,
                    figures=[],
                )
            item.figures.append(figures)
    ordered = []
    for item in items.values():
        item.status = worst_status(f.status for f in item.figures)
        ordered.append(item)
    order = {spec_id: index for index, spec_id in enumerate(items)}
    return sort_items(ordered, order)


def worst_status(statuses) -> Status:  # type: ignore[no-untyped-def]
    """Red if any is red, else amber if any is amber, else green if any, else no target if
    any unit has a value, else no data."""
    found = set(statuses)
    for status in (Status.RED, Status.AMBER, Status.GREEN, Status.NO_TARGET):
        if status in found:
            return status
    return Status.NO_DATA


def sort_items(items: list[AgendaItem], kpi_order: dict[int, int]) -> list[AgendaItem]:
    """Off target first: red, then amber, then the rest in the KPIs' own order.

    Among the red (and the amber), a KPI off target in more units comes first.
    """

    def key(item: AgendaItem) -> tuple[int, int, int, int]:
        group = {Status.RED: 0, Status.AMBER: 1}.get(item.status, 2)
        red = sum(1 for f in item.figures if f.status is Status.RED)
        amber = sum(1 for f in item.figures if f.status is Status.AMBER)
        if group == 2:
            red = amber = 0
        return group, -red, -amber, kpi_order.get(item.kpi_id, len(kpi_order))

    return sorted(items, key=key)


def _items_from_snapshot(snapshot: dict[str, Any]) -> list[AgendaItem]:
    items = []
    for raw in snapshot.get("items", []):
        figures = [
            UnitFigures(
                unit_id=f.get("unit_id"),
                unit=f.get("unit", ""),
                period=f.get("period", ""),
                value=f.get("value"),
                target=f.get("target"),
                target_high=f.get("target_high"),
                status=Status(f.get("status", Status.NO_DATA.value)),
                previous_value=f.get("previous_value"),
                periods=tuple(f.get("periods", ())),
                values=tuple(f.get("values", ())),
                targets=tuple(f.get("targets", ())),
            )
            for f in raw.get("figures", [])
        ]
        items.append(
            AgendaItem(
                kpi_id=raw["kpi_id"],
                code=raw.get("code", ""),
                name=raw.get("name", ""),
                owner=raw.get("owner", ""),
                measure_unit=raw.get("measure_unit", "count"),
                unit_label=raw.get("unit_label", ""),
                decimals=raw.get("decimals", 0),
                direction=raw.get("direction", "higher"),
                goal_ids=tuple(raw.get("goal_ids", ())),
                status=Status(raw.get("status", Status.NO_DATA.value)),
                figures=figures,
            )
        )
    return items


def _legacy_snapshot(rows: list[dict[str, Any]], info: ReviewInfo) -> dict[str, Any]:
    """The first demo's flat list of {kpi, unit, period, value, target, status}, as format 2."""
    kpis = {kpi.code: kpi for kpi in models.Kpi.select()}
    links: dict[int, list[int]] = defaultdict(list)
    for kpi_id, goal_id in models.KpiGoal.select(models.KpiGoal.kpi, models.KpiGoal.goal).tuples():
        links[kpi_id].append(goal_id)
    unit_ids = dict(zip(info.unit_names, info.unit_ids, strict=True))
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(str(row.get("kpi", "")), []).append(row)
    items = []
    for code, members in grouped.items():
        kpi = kpis.get(code)
        if kpi is None:
            continue
        figures = [
            {
                "unit_id": unit_ids.get(m.get("unit", "")),
                "unit": m.get("unit", ""),
                "period": m.get("period", ""),
                "value": m.get("value"),
                "target": m.get("target"),
                "status": m.get("status", "none"),
                "periods": [m.get("period", "")],
                "values": [m.get("value")],
                "targets": [m.get("target")],
            }
            for m in members
        ]
        items.append(
            {
                "kpi_id": kpi.id,
                "code": kpi.code,
                "name": kpi.name,
                "owner": kpi.owner,
                "measure_unit": kpi.measure_unit,
                "unit_label": kpi.unit_label,
                "decimals": kpi.decimals,
                "direction": kpi.direction,
                "goal_ids": sorted(links.get(kpi.id, [])),
                "status": worst_status(Status(f["status"]) for f in figures).value,
                "figures": figures,
            }
        )
    return {"format": 1, "items": items}


def _read_snapshot(review: models.Review, info: ReviewInfo) -> dict[str, Any] | None:
    if not review.snapshot:
        return None
    try:
        data = json.loads(review.snapshot)
    except ValueError:
        return None
    if isinstance(data, list):
        return _legacy_snapshot(data, info)
    return data if isinstance(data, dict) else None


def _earlier_reviews(info: ReviewInfo) -> list[models.Review]:
    """Reviews started before this one, the latest first."""
    created = info.created_at or datetime.max
    query = models.Review.select().where(
        (models.Review.id != info.id)
        & (
            (models.Review.created_at < created)
            | ((models.Review.created_at == created) & (models.Review.id < info.id))
        )
    )
    return sorted(query, key=lambda r: (r.created_at or datetime.min, r.id), reverse=True)


def _live_follow_up(info: ReviewInfo, today: date) -> list[FollowUpItem]:
    earlier = _earlier_reviews(info)
    if not earlier:
        return []
    last = earlier[0]
    titles = {r.id: r.title for r in earlier}
    query = models.Action.select().where(
        models.Action.review.in_(list(titles))
        & ((models.Action.review == last.id) | models.Action.status.in_(UNFINISHED))
    )
    rows = action_service.actions_by_id([a.id for a in query], today=today)
    items = [
        FollowUpItem(
            action_id=row.id,
            title=row.data.title,
            owner=row.data.owner,
            due_date=row.data.due_date,
            kpi_id=row.data.kpi_id,
            kpi_name=row.kpi_name,
            from_review_id=row.review_id,
            from_review_title=row.review_title,
            status=row.data.status,
            status_now=row.data.status,
            overdue=row.overdue,
        )
        for row in rows.values()
    ]
    return sort_follow_up(items)


def sort_follow_up(items: list[FollowUpItem]) -> list[FollowUpItem]:
    """Overdue first, then unfinished, then finished; each by due date."""

    def key(item: FollowUpItem) -> tuple[int, date, int]:
        group = 0 if item.overdue else 1 if item.status in UNFINISHED else 2
        return group, item.due_date or date.max, item.action_id

    return sorted(items, key=key)


def _follow_up_from_snapshot(
    snapshot: dict[str, Any], info: ReviewInfo, today: date
) -> list[FollowUpItem]:
    raw = snapshot.get("follow_up", [])
    now_rows = action_service.actions_by_id([r["action_id"] for r in raw], today=today)
    as_of = info.held_on or (info.closed_at.date() if info.closed_at else today)
    items = []
    for r in raw:
        due = date.fromisoformat(r["due_date"]) if r.get("due_date") else None
        now_row = now_rows.get(r["action_id"])
        items.append(
            FollowUpItem(
                action_id=r["action_id"],
                title=r.get("title", ""),
                owner=r.get("owner", ""),
                due_date=due,
                kpi_id=r.get("kpi_id"),
                kpi_name=r.get("kpi_name", ""),
                from_review_id=r.get("review_id"),
                from_review_title=r.get("review_title", ""),
                status=r.get("status", ActionStatus.OPEN.value),
                status_now=now_row.data.status if now_row else None,
                overdue=action_service.is_overdue(due, r.get("status", ""), as_of),
            )
        )
    return items


def _live_warnings(items: list[AgendaItem], review_id: int) -> list[AgendaWarning]:
    red = [item for item in items if item.status is Status.RED]
    if not red:
        return []
    covered = {
        kpi_id
        for (kpi_id,) in models.Action.select(models.Action.kpi)
        .where(
            models.Action.kpi.is_null(False)
            & ((models.Action.review == review_id) | models.Action.status.in_(UNFINISHED))
        )
        .tuples()
    }
    return [
        AgendaWarning(item.kpi_id, item.name, tuple(item.red_units))
        for item in red
        if item.kpi_id not in covered
    ]


def agenda(review_id: int, *, today: date | None = None) -> Agenda:
    """The review's agenda, in order; see the module's docstring.

    For a closed review (and a reopened one that kept its figures) the figures and the
    follow-up come from the snapshot, never from live data; the comments, decisions and
    actions are the review's own (they cannot change while it is closed, except the
    actions' status, which is shown as it is now).
    """
    today = today or date.today()
    review = _review(review_id)
    info = _info(review, _unit_names())
    settings = models.WorkspaceSettings.get()
    snapshot = _read_snapshot(review, info)
    if snapshot is not None:
        kept_units = snapshot.get("units")
        if kept_units:
            info = replace(
                info,
                unit_ids=tuple(u.get("id") for u in kept_units),
                unit_names=tuple(u.get("name", "") for u in kept_units),
            )
        items = _items_from_snapshot(snapshot)
        if snapshot.get("format") == 1:
            items = sort_items(items, {item.kpi_id: i for i, item in enumerate(items)})
        follow_up = _follow_up_from_snapshot(snapshot, info, today)
    else:
        items = _live_items(info, settings.fiscal_year_start_month)
        follow_up = _live_follow_up(info, today)
    comments = _comments(review_id)
    decisions = _decisions(review_id)
    own_actions = action_service.list_actions(
        action_service.ActionFilter(review_id=review_id), today=today
    )
    by_kpi: dict[int, AgendaItem] = {item.kpi_id: item for item in items}
    for comment in comments:
        item = by_kpi.get(comment.kpi_id) if comment.kpi_id is not None else None
        if item is not None and item.comment is None:
            item.comment = comment
    other_decisions, other_actions = [], []
    for decision in decisions:
        item = by_kpi.get(decision.data.kpi_id) if decision.data.kpi_id is not None else None
        (item.decisions if item is not None else other_decisions).append(decision)
    for action in sorted(own_actions, key=lambda a: a.id):
        item = by_kpi.get(action.data.kpi_id) if action.data.kpi_id is not None else None
        (item.actions if item is not None else other_actions).append(action)
    if info.closed and snapshot is not None and "warnings" in snapshot:
        warnings = [
            AgendaWarning(w["kpi_id"], w.get("kpi_name", ""), tuple(w.get("units", ())))
            for w in snapshot["warnings"]
        ]
    else:
        warnings = _live_warnings(items, review_id)
    return Agenda(
        review=info,
        items=items,
        follow_up=follow_up,
        warnings=warnings,
        other_decisions=other_decisions,
        other_actions=other_actions,
        kept=snapshot is not None,
        currency=snapshot.get("currency", settings.currency) if snapshot else settings.currency,
        events=events(review_id),
    )


def _snapshot_of(current: Agenda, now: datetime) -> dict[str, Any]:
    def when(day: date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "format": SNAPSHOT_FORMAT,
        "taken_at": now.isoformat(),
        "period": current.review.period.key,
        "currency": current.currency,
        "units": [
            {"id": unit_id, "name": name}
            for unit_id, name in zip(
                current.review.unit_ids, current.review.unit_names, strict=True
            )
        ],
        "items": [
            {
                "kpi_id": item.kpi_id,
                "code": item.code,
                "name": item.name,
                "owner": item.owner,
                "measure_unit": item.measure_unit,
                "unit_label": item.unit_label,
                "decimals": item.decimals,
                "direction": item.direction,
                "goal_ids": list(item.goal_ids),
                "status": item.status.value,
                "figures": [
                    {
                        "unit_id": f.unit_id,
                        "unit": f.unit,
                        "period": f.period,
                        "value": f.value,
                        "target": f.target,
                        "target_high": f.target_high,
                        "status": f.status.value,
                        "previous_value": f.previous_value,
                        "periods": list(f.periods),
                        "values": list(f.values),
                        "targets": list(f.targets),
                    }
                    for f in item.figures
                ],
            }
            for item in current.items
        ],
        "follow_up": [
            {
                "action_id": f.action_id,
                "title": f.title,
                "owner": f.owner,
                "due_date": when(f.due_date),
                "status": f.status_now or f.status,
                "kpi_id": f.kpi_id,
                "kpi_name": f.kpi_name,
                "review_id": f.from_review_id,
                "review_title": f.from_review_title,
            }
            for f in current.follow_up
        ],
        "actions": [
            {"action_id": a.id, "status": a.data.status}
            for item in current.items
            for a in item.actions
        ]
        + [{"action_id": a.id, "status": a.data.status} for a in current.other_actions],
        "warnings": [
            {"kpi_id": w.kpi_id, "kpi_name": w.kpi_name, "units": list(w.units)}
            for w in current.warnings
        ],
    }


# History and export -------------------------------------------------------------------------


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


def history(*, today: date | None = None) -> list[HistoryEntry]:
    """Every review, newest first, with its decisions and what became of its actions."""
    today = today or date.today()
    entries = []
    for info in list_reviews():
        review = models.Review.get_by_id(info.id)
        then: dict[int, str] = {}
        snapshot = _read_snapshot(review, info) if info.closed else None
        if snapshot is not None:
            then = {a["action_id"]: a["status"] for a in snapshot.get("actions", [])}
        actions = action_service.list_actions(
            action_service.ActionFilter(review_id=info.id), today=today
        )
        entries.append(
            HistoryEntry(
                review=info,
                decisions=_decisions(info.id),
                actions=[HistoryAction(a, then.get(a.id)) for a in actions],
                events=events(info.id),
            )
        )
    return entries


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


def review_content(review_id: int, *, today: date | None = None) -> ReviewContent:
    """The content of one review for the export layer (Excel pack, PDF report).

    - ``review``: id, title, status (``open``/``closed``), ``held_on``, ``closed_at``
      (UTC, without zone; ``local_time`` converts it).
    - ``period`` and ``period_label`` (in the current language), ``units`` (names, in the
      unit tree's order), ``participants`` (split on commas).
    - ``items``: the agenda as presented, in order (off target first). Each has the KPI
      (id, code, name, owner, measure unit, unit label, decimals, direction, goal ids), its
      worst ``status`` across units, and ``figures`` per unit: shown period, value, target
      (and ``target_high`` for a band), status, previous value, and the recent ``periods``
      with their ``values`` and ``targets`` for a chart. For a closed review all of this
      comes from the snapshot taken at closing, never from live data. Each item also holds
      the review's ``comment`` on the KPI, its ``decisions`` and ``actions``.
    - ``follow_up``: earlier reviews' actions brought up (status as presented, and now).
    - ``warnings``: red KPIs without an action.
    - ``comments``, ``decisions`` (text, date, decided by, linked KPI or goal) and
      ``actions`` (title, owner, due date, linked KPI or goal, status **now**, overdue
      against ``today``): everything recorded in the review, including what is not about
      a KPI on the agenda.
    - ``events``: the trace (opened, closed, reopened with its note), oldest first.

    Values are numbers in the KPI's stored unit (percentage points for percent KPIs);
    format them with ``kpidesk.domain.numbers.format_value`` and ``currency``.
    """
    today = today or date.today()
    current = agenda(review_id, today=today)
    info = current.review
    return ReviewContent(
        review=info,
        period=info.period,
        period_label=format_period(info.period),
        units=info.unit_names,
        participants=info.participant_names,
        currency=current.currency,
        kept=current.kept,
        items=current.items,
        follow_up=current.follow_up,
        warnings=current.warnings,
        comments=_comments(review_id),
        decisions=_decisions(review_id),
        actions=action_service.list_actions(
            action_service.ActionFilter(review_id=review_id), today=today
        ),
        events=current.events,
    )
