"""Reading a review: its record, its agenda from live data or from the snapshot taken when it
was closed, the follow-up of earlier actions and the warnings; and the snapshot itself."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Status
from kpidesk.domain.terms import UNFINISHED, ActionStatus
from kpidesk.i18n import N_
from kpidesk.services import actions as action_service
from kpidesk.services.initiatives import due_milestones
from kpidesk.services.overview import unit_tree
from kpidesk.services.reviews.best import (
    add_best_practice,
    best_from_json,
    best_to_json,
    milestones_from_json,
    milestones_to_json,
)
from kpidesk.services.reviews.model import (
    SNAPSHOT_FORMAT,
    Agenda,
    AgendaItem,
    AgendaWarning,
    CommentRow,
    DecisionData,
    DecisionRow,
    FollowUpItem,
    ReviewError,
    ReviewEventRow,
    ReviewInfo,
    UnitFigures,
)
from kpidesk.services.scorecard import SPARKLINE_LENGTH, build_scorecard, load_rollup
from kpidesk.store import models

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
        row_version=review.row_version,
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
                decision.row_version,
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
                best=best_from_json(raw.get("best")),
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
    add_best_practice(items, live=snapshot is None)
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
        milestones=(
            milestones_from_json(snapshot.get("milestones", []), today)
            if snapshot is not None
            else due_milestones(today)
        ),
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
                "best": best_to_json(item.best),
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
        "milestones": milestones_to_json(current.milestones),
    }


def _review(review_id: int) -> models.Review:
    review = models.Review.get_or_none(models.Review.id == review_id)
    if review is None:
        raise ReviewError(N_("The review no longer exists."))
    return review
