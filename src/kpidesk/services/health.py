"""KPI health: where the goal-and-KPI model is weak, from the workspace's own facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kpidesk.domain.health import Finding, GoalFacts, KpiFacts, health_findings
from kpidesk.domain.periods import Period, PeriodKind, format_period
from kpidesk.i18n import _
from kpidesk.store import models, queries


@dataclass(frozen=True)
class HealthItem:
    finding: Finding
    message: str


def _facts() -> tuple[list[KpiFacts], list[GoalFacts]]:
    targets = queries.kpis_with_targets()
    latest = queries.last_period_by_kpi()
    links: dict[int, set[int]] = {}
    for kpi_id, goal_id in models.KpiGoal.select(models.KpiGoal.kpi, models.KpiGoal.goal).tuples():
        links.setdefault(kpi_id, set()).add(goal_id)
    kpis = []
    for kpi in models.Kpi.select():
        frequency = PeriodKind(kpi.frequency)
        periods = [Period.from_key(key) for key in latest.get(kpi.id, [])]
        own_kind = [p for p in periods if p.kind is frequency]
        last = max(own_kind or periods, default=None)
        kpis.append(
            KpiFacts(
                id=kpi.id,
                code=kpi.code,
                name=kpi.name,
                owner=kpi.owner,
                definition=kpi.definition or kpi.description,
                has_target=kpi.id in targets,
                last_period_with_data=last,
                frequency=frequency,
                indicator=kpi.indicator_type,
                goal_ids=frozenset(links.get(kpi.id, set())),
                archived=kpi.archived_at is not None,
                is_calculated=bool(kpi.formula.strip()),
            )
        )
    children: dict[int, set[int]] = {}
    goals = list(models.Goal.select())
    for goal in goals:
        if goal.parent_id is not None:
            children.setdefault(goal.parent_id, set()).add(goal.id)
    goal_facts = [
        GoalFacts(id=goal.id, title=goal.title, child_ids=frozenset(children.get(goal.id, set())))
        for goal in goals
    ]
    return kpis, goal_facts


def workspace_health(today: date | None = None) -> list[HealthItem]:
    """Every finding, with its message in the user's language (periods as people say them)."""
    kpis, goals = _facts()
    items = []
    for finding in health_findings(kpis, goals, today or date.today()):
        params = {
            name: format_period(value) if isinstance(value, Period) else value
            for name, value in finding.params.items()
        }
        items.append(HealthItem(finding, _(finding.message_template).format(**params)))
    return items
