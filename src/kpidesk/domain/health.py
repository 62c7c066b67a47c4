"""KPI health: where the goal and KPI model is weak, in the spirit of the source texts.

Few KPIs, each clearly defined and owned, with a target, followed up regularly, measuring
goals with a mix of leading and lagging indicators. The rules work on plain facts
(:class:`KpiFacts`, :class:`GoalFacts`) that the caller gathers; archived KPIs are left out
of every rule, and calculated KPIs need no data of their own.

Data is stale when the latest period with data lies more than :data:`ALLOWED_LAG` periods
of the KPI's frequency before the current one: a monthly KPI in June with data up to March
(three months back) is stale, with April it is not.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.terms import Indicator
from kpidesk.domain.trends import period_index
from kpidesk.i18n import N_, _


class Severity(StrEnum):
    WARNING = "warning"
    INFO = "info"


class SubjectKind(StrEnum):
    WORKSPACE = "workspace"
    GOAL = "goal"
    KPI = "kpi"


class Rule(StrEnum):
    TOO_MANY_KPIS = "too_many_kpis"
    TOO_MANY_KPIS_FOR_GOAL = "too_many_kpis_for_goal"
    KPI_WITHOUT_OWNER = "kpi_without_owner"
    KPI_WITHOUT_DEFINITION = "kpi_without_definition"
    KPI_WITHOUT_TARGET = "kpi_without_target"
    KPI_WITHOUT_DATA = "kpi_without_data"
    KPI_STALE_DATA = "kpi_stale_data"
    KPI_WITHOUT_GOAL = "kpi_without_goal"
    GOAL_WITHOUT_KPIS = "goal_without_kpis"
    GOAL_LAGGING_ONLY = "goal_lagging_only"


#: How many periods of its frequency a KPI's latest data may lie before the current period.
ALLOWED_LAG = {
    PeriodKind.WEEK: 3,
    PeriodKind.MONTH: 2,
    PeriodKind.QUARTER: 2,
    PeriodKind.YEAR: 2,
}

DEFAULT_MAX_KPIS_TOTAL = 20
DEFAULT_MAX_KPIS_PER_GOAL = 5


@dataclass(frozen=True, slots=True)
class KpiFacts:
    id: Hashable
    code: str
    name: str
    owner: str | None
    definition: str | None
    has_target: bool
    last_period_with_data: Period | None
    frequency: PeriodKind
    indicator: Indicator | str
    goal_ids: frozenset[Hashable] = frozenset()
    archived: bool = False
    is_calculated: bool = False


@dataclass(frozen=True, slots=True)
class GoalFacts:
    """A goal and the KPIs linked to it (a link may be given on either side).

    A goal with ``child_ids`` (sub-goals) is measured through them and needs no KPI of
    its own.
    """

    id: Hashable
    title: str
    kpi_ids: frozenset[Hashable] = frozenset()
    child_ids: frozenset[Hashable] = frozenset()


@dataclass(frozen=True, slots=True)
class Finding:
    """One weakness. ``params`` are raw (names, counts, Periods) for the translated template."""

    rule: Rule
    severity: Severity
    subject_kind: SubjectKind
    subject_id: Hashable | None
    message_template: str
    params: dict[str, Any] = field(hash=False)

    @property
    def message(self) -> str:
        return _(self.message_template).format(**self.params)


_STALE_TEMPLATES = {
    PeriodKind.WEEK: N_("“{name}” is measured weekly, but its latest value is for {last_period}."),
    PeriodKind.MONTH: N_(
        "“{name}” is measured monthly, but its latest value is for {last_period}."
    ),
    PeriodKind.QUARTER: N_(
        "“{name}” is measured quarterly, but its latest value is for {last_period}."
    ),
    PeriodKind.YEAR: N_("“{name}” is measured yearly, but its latest value is for {last_period}."),
}


def periods_behind(last: Period, today: date, frequency: PeriodKind) -> int:
    """How many periods of ``frequency`` ``last`` lies before the one holding ``today``."""
    if last.kind is frequency:
        aligned = last
    elif frequency.is_finer_than(last.kind):  # data coarser than the frequency: its last day
        aligned = Period.of(last.end, frequency)
    else:
        aligned = last.to(frequency)
    return period_index(Period.of(today, frequency)) - period_index(aligned)


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _kpi_findings(kpi: KpiFacts, today: date, linked: bool) -> Iterable[Finding]:
    params = {"name": kpi.name, "code": kpi.code}

    def finding(rule: Rule, severity: Severity, template: str, **extra: Any) -> Finding:
        return Finding(rule, severity, SubjectKind.KPI, kpi.id, template, {**params, **extra})

    if _blank(kpi.owner):
        yield finding(Rule.KPI_WITHOUT_OWNER, Severity.WARNING, N_("“{name}” has no owner."))
    if _blank(kpi.definition):
        yield finding(
            Rule.KPI_WITHOUT_DEFINITION,
            Severity.WARNING,
            N_("“{name}” has no definition: say what it measures and how it is calculated."),
        )
    if not kpi.has_target:
        yield finding(Rule.KPI_WITHOUT_TARGET, Severity.WARNING, N_("“{name}” has no target."))
    if not kpi.is_calculated:
        last = kpi.last_period_with_data
        if last is None:
            yield finding(
                Rule.KPI_WITHOUT_DATA, Severity.WARNING, N_("“{name}” has no values yet.")
            )
        elif periods_behind(last, today, kpi.frequency) > ALLOWED_LAG[kpi.frequency]:
            yield finding(
                Rule.KPI_STALE_DATA,
                Severity.WARNING,
                _STALE_TEMPLATES[kpi.frequency],
                last_period=last,
            )
    if not linked:
        yield finding(
            Rule.KPI_WITHOUT_GOAL,
            Severity.INFO,
            N_("“{name}” measures no goal: link it to the goal it shows progress towards."),
        )


def _goal_findings(
    goal: GoalFacts, kpis: Sequence[KpiFacts], max_kpis_per_goal: int
) -> Iterable[Finding]:
    params = {"title": goal.title}

    def finding(rule: Rule, severity: Severity, template: str, **extra: Any) -> Finding:
        return Finding(rule, severity, SubjectKind.GOAL, goal.id, template, {**params, **extra})

    if not kpis:
        if not goal.child_ids:
            yield finding(
                Rule.GOAL_WITHOUT_KPIS,
                Severity.WARNING,
                N_("The goal “{title}” has no KPI to show progress towards it."),
            )
        return
    if len(kpis) > max_kpis_per_goal:
        yield finding(
            Rule.TOO_MANY_KPIS_FOR_GOAL,
            Severity.INFO,
            N_(
                "The goal “{title}” has {count} KPIs; more than {limit} dilutes focus. "
                "Keep the few that show progress best."
            ),
            count=len(kpis),
            limit=max_kpis_per_goal,
        )
    if all(Indicator(kpi.indicator) is Indicator.LAGGING for kpi in kpis):
        yield finding(
            Rule.GOAL_LAGGING_ONLY,
            Severity.INFO,
            N_(
                "The goal “{title}” has only lagging KPIs: add a leading one that shows early "
                "whether it is on the way."
            ),
        )


_SEVERITY_ORDER = {Severity.WARNING: 0, Severity.INFO: 1}
_SUBJECT_ORDER = {SubjectKind.WORKSPACE: 0, SubjectKind.GOAL: 1, SubjectKind.KPI: 2}


def _sort_key(finding: Finding) -> tuple[int, int, str, str, str]:
    label = finding.params.get("code") or finding.params.get("title") or ""
    return (
        _SEVERITY_ORDER[finding.severity],
        _SUBJECT_ORDER[finding.subject_kind],
        str(label).casefold(),
        str(finding.subject_id),
        finding.rule.value,
    )


def health_findings(
    kpis: Iterable[KpiFacts],
    goals: Iterable[GoalFacts],
    today: date,
    *,
    max_kpis_total: int = DEFAULT_MAX_KPIS_TOTAL,
    max_kpis_per_goal: int = DEFAULT_MAX_KPIS_PER_GOAL,
) -> list[Finding]:
    """Every weakness found, warnings first, then by subject (workspace, goals by title,
    KPIs by code)."""
    active = [kpi for kpi in kpis if not kpi.archived]
    goal_list = list(goals)
    by_id = {kpi.id: kpi for kpi in active}

    linked: dict[Hashable, list[KpiFacts]] = {goal.id: [] for goal in goal_list}
    for goal in goal_list:
        for kpi_id in goal.kpi_ids:
            if kpi_id in by_id:
                linked[goal.id].append(by_id[kpi_id])
    for kpi in active:
        for goal_id in kpi.goal_ids:
            if goal_id in linked and kpi not in linked[goal_id]:
                linked[goal_id].append(kpi)
    linked_kpi_ids = {kpi.id for members in linked.values() for kpi in members}

    findings: list[Finding] = []
    if len(active) > max_kpis_total:
        findings.append(
            Finding(
                Rule.TOO_MANY_KPIS,
                Severity.WARNING,
                SubjectKind.WORKSPACE,
                None,
                N_(
                    "There are {count} active KPIs; more than {limit} dilutes focus. Keep the "
                    "few that show progress towards the goals, and archive the rest."
                ),
                {"count": len(active), "limit": max_kpis_total},
            )
        )
    for goal in goal_list:
        findings.extend(_goal_findings(goal, linked[goal.id], max_kpis_per_goal))
    for kpi in active:
        findings.extend(_kpi_findings(kpi, today, kpi.id in linked_kpi_ids))
    return sorted(findings, key=_sort_key)
