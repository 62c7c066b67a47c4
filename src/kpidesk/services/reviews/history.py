"""Every review, newest first, with what became of its actions; and what a review pack or
report of one review holds."""

from __future__ import annotations

from datetime import date

from kpidesk.domain.periods import format_period
from kpidesk.services import actions as action_service
from kpidesk.services.reviews.model import (
    HistoryAction,
    HistoryEntry,
    ReviewContent,
)
from kpidesk.services.reviews.reading import (
    _comments,
    _decisions,
    _read_snapshot,
    agenda,
    events,
    list_reviews,
)
from kpidesk.store import models


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
    - ``milestones``: initiatives' milestones late or due soon (as presented, once closed).

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
        milestones=current.milestones,
        today=today,
    )
