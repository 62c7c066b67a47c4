from dataclasses import replace
from datetime import date

import pytest

from kpidesk.domain.health import (
    GoalFacts,
    KpiFacts,
    Rule,
    Severity,
    SubjectKind,
    health_findings,
    periods_behind,
)
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.terms import Indicator

TODAY = date(2026, 6, 15)


def kpi(id_, code, *, goal=1, **changes):
    base = KpiFacts(
        id=id_,
        code=code,
        name=f"KPI {code}",
        owner="Anna",
        definition="Share of customers who would recommend us.",
        has_target=True,
        last_period_with_data=Period.month(2026, 5),
        frequency=PeriodKind.MONTH,
        indicator=Indicator.LEADING,
        goal_ids=frozenset({goal}) if goal is not None else frozenset(),
    )
    return replace(base, **changes)


def goal(id_, title, kpi_ids=(), **changes):
    return replace(GoalFacts(id_, title, frozenset(kpi_ids)), **changes)


def healthy():
    """A goal measured by one leading and one lagging KPI, both in good order."""
    kpis = [kpi(1, "NPS"), kpi(2, "REV", indicator=Indicator.LAGGING)]
    return kpis, [goal(1, "Happy customers")]


def rules(findings, subject_id=None):
    return {f.rule for f in findings if subject_id is None or f.subject_id == subject_id}


def test_a_healthy_model_has_no_findings():
    kpis, goals = healthy()
    assert health_findings(kpis, goals, TODAY) == []


def test_too_many_kpis_in_all():
    kpis = [kpi(n, f"K{n:02d}") for n in range(21)]
    kpis[0] = replace(kpis[0], indicator=Indicator.LAGGING)
    goals = [goal(1, "Grow")]
    found = health_findings(kpis, goals, TODAY, max_kpis_per_goal=100)
    assert rules(found) == {Rule.TOO_MANY_KPIS}
    (finding,) = found
    assert finding.subject_kind is SubjectKind.WORKSPACE
    assert finding.severity is Severity.WARNING
    assert finding.params == {"count": 21, "limit": 20}
    assert health_findings(kpis[:20], goals, TODAY, max_kpis_per_goal=100) == []
    # archived KPIs do not count
    kpis[20] = replace(kpis[20], archived=True)
    assert health_findings(kpis, goals, TODAY, max_kpis_per_goal=100) == []
    assert rules(health_findings(kpis, goals, TODAY, max_kpis_total=5, max_kpis_per_goal=100)) == {
        Rule.TOO_MANY_KPIS
    }


def test_too_many_kpis_for_one_goal():
    kpis = [kpi(n, f"K{n}") for n in range(1, 7)]
    found = health_findings(kpis, [goal(1, "Grow")], TODAY)
    assert rules(found) == {Rule.TOO_MANY_KPIS_FOR_GOAL}
    assert found[0].params == {"title": "Grow", "count": 6, "limit": 5}
    assert health_findings(kpis[:5], [goal(1, "Grow")], TODAY) == []
    assert health_findings(kpis, [goal(1, "Grow")], TODAY, max_kpis_per_goal=6) == []


@pytest.mark.parametrize("owner", [None, "", "   "])
def test_a_kpi_without_owner(owner):
    kpis, goals = healthy()
    kpis[0] = replace(kpis[0], owner=owner)
    found = health_findings(kpis, goals, TODAY)
    assert [(f.rule, f.subject_id) for f in found] == [(Rule.KPI_WITHOUT_OWNER, 1)]
    assert found[0].message == "“KPI NPS” has no owner."


@pytest.mark.parametrize("definition", [None, "", "\n"])
def test_a_kpi_without_definition(definition):
    kpis, goals = healthy()
    kpis[1] = replace(kpis[1], definition=definition)
    found = health_findings(kpis, goals, TODAY)
    assert [(f.rule, f.subject_id) for f in found] == [(Rule.KPI_WITHOUT_DEFINITION, 2)]


def test_a_kpi_without_target():
    kpis, goals = healthy()
    kpis[0] = replace(kpis[0], has_target=False)
    assert [(f.rule, f.subject_id) for f in health_findings(kpis, goals, TODAY)] == [
        (Rule.KPI_WITHOUT_TARGET, 1)
    ]


def test_a_kpi_without_any_data():
    kpis, goals = healthy()
    kpis[0] = replace(kpis[0], last_period_with_data=None)
    assert rules(health_findings(kpis, goals, TODAY)) == {Rule.KPI_WITHOUT_DATA}
    kpis[0] = replace(kpis[0], is_calculated=True)
    assert health_findings(kpis, goals, TODAY) == []


@pytest.mark.parametrize(
    ("frequency", "latest_fresh", "first_stale"),
    [
        (PeriodKind.MONTH, Period.month(2026, 4), Period.month(2026, 3)),
        (PeriodKind.WEEK, Period.week(2026, 22), Period.week(2026, 21)),  # today is in week 25
        (PeriodKind.QUARTER, Period.quarter(2025, 4), Period.quarter(2025, 3)),
        (PeriodKind.YEAR, Period.whole_year(2024), Period.whole_year(2023)),
    ],
)
def test_data_too_old_for_the_frequency(frequency, latest_fresh, first_stale):
    kpis, goals = healthy()
    kpis[0] = replace(kpis[0], frequency=frequency, last_period_with_data=latest_fresh)
    assert health_findings(kpis, goals, TODAY) == []
    kpis[0] = replace(kpis[0], last_period_with_data=first_stale)
    found = health_findings(kpis, goals, TODAY)
    assert [(f.rule, f.subject_id) for f in found] == [(Rule.KPI_STALE_DATA, 1)]
    assert found[0].params["last_period"] == first_stale
    assert "measured" in found[0].message_template
    # a calculated KPI has no data of its own to be stale
    kpis[0] = replace(kpis[0], is_calculated=True)
    assert health_findings(kpis, goals, TODAY) == []


def test_periods_behind_with_data_of_another_kind():
    assert periods_behind(Period.month(2026, 3), TODAY, PeriodKind.MONTH) == 3
    assert periods_behind(Period.month(2026, 3), TODAY, PeriodKind.QUARTER) == 1
    assert periods_behind(Period.quarter(2026, 1), TODAY, PeriodKind.MONTH) == 3
    assert periods_behind(Period.week(2026, 24), TODAY, PeriodKind.WEEK) == 1
    assert periods_behind(Period.month(2026, 7), TODAY, PeriodKind.MONTH) == -1


def test_a_goal_without_kpis():
    kpis, goals = healthy()
    goals.append(goal(2, "Lower costs"))
    found = health_findings(kpis, goals, TODAY)
    assert [(f.rule, f.subject_kind, f.subject_id) for f in found] == [
        (Rule.GOAL_WITHOUT_KPIS, SubjectKind.GOAL, 2)
    ]
    assert found[0].params == {"title": "Lower costs"}
    # a goal measured through its sub-goals needs no KPI of its own
    goals[1] = replace(goals[1], child_ids=frozenset({1}))
    assert health_findings(kpis, goals, TODAY) == []


def test_a_goal_whose_only_kpi_is_archived_has_none():
    kpis, goals = healthy()
    kpis = [replace(k, archived=True) for k in kpis]
    assert rules(health_findings(kpis, goals, TODAY)) == {Rule.GOAL_WITHOUT_KPIS}


def test_a_goal_with_lagging_kpis_only():
    kpis, goals = healthy()
    kpis[0] = replace(kpis[0], indicator="lagging")
    found = health_findings(kpis, goals, TODAY)
    assert [(f.rule, f.severity, f.subject_id) for f in found] == [
        (Rule.GOAL_LAGGING_ONLY, Severity.INFO, 1)
    ]
    # leading only is not flagged
    kpis = [replace(k, indicator=Indicator.LEADING) for k in kpis]
    assert health_findings(kpis, goals, TODAY) == []


def test_links_may_be_given_on_either_side():
    kpis, _goals = healthy()
    kpis = [replace(k, goal_ids=frozenset()) for k in kpis]
    goals = [goal(1, "Happy customers", kpi_ids={1, 2})]
    assert health_findings(kpis, goals, TODAY) == []


def test_a_kpi_that_measures_no_goal():
    kpis, goals = healthy()
    kpis.append(kpi(3, "CHURN", goal=None))
    kpis.append(kpi(4, "CES", goal=99))  # a goal that does not exist
    found = health_findings(kpis, goals, TODAY)
    assert [(f.rule, f.severity, f.subject_id) for f in found] == [
        (Rule.KPI_WITHOUT_GOAL, Severity.INFO, 4),
        (Rule.KPI_WITHOUT_GOAL, Severity.INFO, 3),
    ]


def test_archived_kpis_are_ignored_entirely():
    kpis, goals = healthy()
    kpis.append(
        kpi(3, "OLD", goal=None, owner=None, definition=None, has_target=False, archived=True)
    )
    assert health_findings(kpis, goals, TODAY) == []


def test_findings_are_sorted_by_severity_then_subject():
    kpis = [
        kpi(1, "ZETA", owner=None, indicator=Indicator.LAGGING),
        kpi(2, "ALPHA", has_target=False, indicator=Indicator.LAGGING, goal=None),
    ]
    goals = [goal(1, "Grow"), goal(2, "Another goal")]
    kpis += [kpi(10 + n, f"K{n}", indicator=Indicator.LAGGING) for n in range(20)]
    found = health_findings(kpis, goals, TODAY)
    assert [(f.severity, f.subject_kind, f.rule, f.subject_id) for f in found] == [
        (Severity.WARNING, SubjectKind.WORKSPACE, Rule.TOO_MANY_KPIS, None),
        (Severity.WARNING, SubjectKind.GOAL, Rule.GOAL_WITHOUT_KPIS, 2),
        (Severity.WARNING, SubjectKind.KPI, Rule.KPI_WITHOUT_TARGET, 2),
        (Severity.WARNING, SubjectKind.KPI, Rule.KPI_WITHOUT_OWNER, 1),
        (Severity.INFO, SubjectKind.GOAL, Rule.GOAL_LAGGING_ONLY, 1),
        (Severity.INFO, SubjectKind.GOAL, Rule.TOO_MANY_KPIS_FOR_GOAL, 1),
        (Severity.INFO, SubjectKind.KPI, Rule.KPI_WITHOUT_GOAL, 2),
    ]
    for finding in found:
        assert finding.message  # every template fills in from its params
