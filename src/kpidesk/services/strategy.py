"""The strategy on one page: the workspace's vision and mission, its goals by perspective with
their state for a period and unit, the links between goals, the KPIs under each goal and
the initiatives carrying it. Drawn by :mod:`kpidesk.domain.strategy_layout` and a renderer.

A goal at the top of the tree that has sub-goals and no KPIs of its own is the vision
itself (the demo's, and a common way to start a goal tree): it is not drawn as a box, and
its title stands in for the vision when the workspace has none written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kpidesk.domain.periods import Period
from kpidesk.domain.status import combine_statuses
from kpidesk.domain.strategy_layout import (
    GoalShape,
    MapGoal,
    MapInitiative,
    MapKpi,
    MapLayout,
    Metrics,
    StrategyMap,
    layout_map,
)
from kpidesk.domain.terms import PERSPECTIVE_LABELS, Perspective
from kpidesk.i18n import gettext_for
from kpidesk.services import goals as goal_service
from kpidesk.services.initiatives import list_initiatives
from kpidesk.services.scorecard import build_scorecard
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

PERSPECTIVE_ORDER = (
    Perspective.FINANCIAL,
    Perspective.CUSTOMER,
    Perspective.INTERNAL_PROCESS,
    Perspective.LEARNING_GROWTH,
    Perspective.SUSTAINABILITY,
)
"""Top to bottom, as a balanced scorecard's map reads: results above what drives them."""


@dataclass(frozen=True)
class Statement:
    vision: str
    mission: str


def read_statement() -> Statement:
    settings = models.WorkspaceSettings.get()
    return Statement(settings.vision or "", settings.mission or "")


def set_statement(workspace: Workspace, statement: Statement) -> Statement:
    """Write the vision and mission; returns what they were."""
    with workspace.atomic():
        settings = models.WorkspaceSettings.get()
        before = Statement(settings.vision or "", settings.mission or "")
        settings.vision = statement.vision.strip()
        settings.mission = statement.mission.strip()
        settings.save()
    return before


def _perspective_label(key: str, language: str | None) -> str:
    try:
        return gettext_for(language)(PERSPECTIVE_LABELS[Perspective(key)])
    except ValueError:
        return key


def strategy_map(
    period: Period,
    unit_id: int,
    *,
    fiscal_start_month: int = 1,
    today: date | None = None,
    language: str | None = None,
) -> StrategyMap:
    """The map for ``period`` seen from ``unit_id`` (its goals' states are its KPIs'), its
    bands named in ``language``."""
    statement = read_statement()
    unit = models.Unit.get_or_none(models.Unit.id == unit_id)
    scorecard = build_scorecard(period, unit_id, fiscal_start_month=fiscal_start_month)
    kpis = {row.kpi.id: row for row in scorecard.rows}
    tree = [row for row in goal_service.goal_tree() if row.data.status != "dropped"]
    parents = {row.parent_id for row in tree if row.parent_id is not None}
    vision_goals = {
        row.id
        for row in tree
        if row.parent_id is None and row.id in parents and not any(k in kpis for k in row.kpi_ids)
    }
    vision = statement.vision
    if not vision and vision_goals:
        vision = next(row.data.title for row in tree if row.id in vision_goals)
    initiatives: dict[int, list[MapInitiative]] = {}
    for initiative in list_initiatives(today=today):
        initiatives.setdefault(initiative.goal_id, []).append(
            MapInitiative(
                initiative.id, initiative.data.title, initiative.status.value, len(initiative.late)
            )
        )
    goals = []
    for row in tree:
        if row.id in vision_goals:
            continue
        goal_kpis = tuple(
            MapKpi(kpi_id, kpis[kpi_id].kpi.code, kpis[kpi_id].kpi.name, kpis[kpi_id].status)
            for kpi_id in sorted(
                (k for k in row.kpi_ids if k in kpis),
                key=lambda k: (kpis[k].kpi.sort_order, kpis[k].kpi.code),
            )
        )
        status, _counts = combine_statuses(k.status for k in goal_kpis)
        goals.append(
            MapGoal(
                row.id,
                row.data.title,
                row.data.perspective,
                status,
                goal_kpis,
                tuple(initiatives.get(row.id, ())),
            )
        )
    drawn = {goal.id for goal in goals}
    links = tuple(
        (row.id, row.parent_id) for row in tree if row.id in drawn and row.parent_id in drawn
    )
    used = {goal.perspective for goal in goals}
    order = [p.value for p in PERSPECTIVE_ORDER] + sorted(used - {p.value for p in Perspective})
    perspectives = tuple((key, _perspective_label(key, language)) for key in order if key in used)
    return StrategyMap(
        vision=vision,
        mission=statement.mission,
        period=period,
        unit=unit.name if unit else "",
        perspectives=perspectives,
        goals=tuple(goals),
        links=links,
    )


def layout(
    smap: StrategyMap, *, width: float = 1120.0, metrics: Metrics | None = None
) -> MapLayout:
    """Where each part of ``smap`` goes (see :mod:`kpidesk.domain.strategy_layout`): under
    each goal's title a line per KPI, then one per initiative."""
    shapes = [
        GoalShape(goal.id, goal.perspective, goal.title, len(goal.kpis) + len(goal.initiatives))
        for goal in smap.goals
    ]
    return layout_map(
        smap.vision,
        smap.mission,
        smap.perspectives,
        shapes,
        smap.links,
        width=width,
        metrics=metrics,
    )
