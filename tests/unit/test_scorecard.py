"""The scorecard's roll-ups, targets, statuses and calculated KPIs on a small real workspace."""

import pytest

from kpidesk.domain.periods import Period
from kpidesk.domain.status import Status
from kpidesk.services.scorecard import build_scorecard, shown_period_for, ytd_periods
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace

M = Period.month


@pytest.fixture
def shop(workspace_location):
    """Company → North (Store A, Store B); monthly revenue and CSAT, quarterly staff survey."""
    with Workspace.create(workspace_location, "Company") as ws:
        with ws.atomic():
            company = models.Unit.get()
            north = models.Unit.create(name="North", parent=company)
            a = models.Unit.create(name="Store A", parent=north)
            b = models.Unit.create(name="Store B", parent=north)
            goal = models.Goal.create(title="Grow")
            rev = models.Kpi.create(
                code="REV",
                name="Revenue",
                measure_unit="currency",
                time_aggregation="sum",
                unit_aggregation="sum",
            )
            csat = models.Kpi.create(
                code="CSAT",
                name="CSAT",
                measure_unit="percent",
                time_aggregation="average",
                unit_aggregation="average",
            )
            churn = models.Kpi.create(
                code="CHURN",
                name="Churn",
                direction="lower",
                time_aggregation="average",
                unit_aggregation="average",
            )
            temp = models.Kpi.create(
                code="TEMP",
                name="Temperature",
                direction="band",
                time_aggregation="average",
                unit_aggregation="average",
            )
            survey = models.Kpi.create(
                code="ENG",
                name="Engagement",
                frequency="quarter",
                time_aggregation="average",
                unit_aggregation="average",
            )
            prom = models.Kpi.create(code="PROM", name="Promoters", time_aggregation="sum")
            detr = models.Kpi.create(code="DETR", name="Detractors", time_aggregation="sum")
            resp = models.Kpi.create(code="RESP", name="Responses", time_aggregation="sum")
            nps = models.Kpi.create(
                code="NPS",
                name="NPS",
                formula="(PROM - DETR) / RESP * 100",
                time_aggregation="average",
                unit_aggregation="average",
            )
            old = models.Kpi.create(code="OLD", name="Old", archived_at=models.utcnow())
            for kpi in (rev, csat):
                models.KpiGoal.create(kpi=kpi, goal=goal)
            rows = []
            for month in range(1, 7):
                key = M(2026, month).key
                rows += [
                    (rev.id, a.id, key, 100.0 * month, "", "t", None),
                    (rev.id, b.id, key, 50.0, "", "t", None),
                    (csat.id, a.id, key, 80.0, "", "t", None),
                    (csat.id, b.id, key, 90.0, "", "t", None),
                    (churn.id, a.id, key, 3.0, "", "t", None),
                    (temp.id, a.id, key, 19.0 + month, "", "t", None),
                    (prom.id, a.id, key, 60.0, "", "t", None),
                    (detr.id, a.id, key, 10.0, "", "t", None),
                    (resp.id, a.id, key, 100.0, "", "t", None),
                    (prom.id, b.id, key, 20.0, "", "t", None),
                    (detr.id, b.id, key, 20.0, "", "t", None),
                    (resp.id, b.id, key, 100.0, "", "t", None),
                    (old.id, a.id, key, 1.0, "", "t", None),
                ]
            rows.append((rev.id, north.id, M(2026, 6).key, 999.0, "", "t", None))  # own value
            rows.append((survey.id, a.id, "2026-Q1", 3.5, "", "t", None))
            rows.append((survey.id, a.id, "2026-Q2", 4.0, "", "t", None))
            queries.insert_measurements(rows)
            for month in range(1, 7):
                key = M(2026, month).key
                models.Target.create(kpi=rev, unit=a, period=key, value=300)
                models.Target.create(kpi=rev, unit=b, period=key, value=60)
                models.Target.create(kpi=csat, unit=None, period=key, value=85)
                models.Target.create(kpi=churn, unit=None, period=key, value=2.5)
                models.Target.create(kpi=temp, unit=None, period=key, value=20, value_high=23)
            models.TargetPath.create(
                kpi=nps,
                unit=None,
                baseline_period="2026-01",
                baseline_value=10,
                goal_period="2026-07",
                goal_value=40,
            )
        yield {
            "ws": ws,
            "company": company.id,
            "north": north.id,
            "a": a.id,
            "b": b.id,
            "goal": goal.id,
        }


def rows_by_code(scorecard):
    return {row.kpi.code: row for row in scorecard.rows}


def test_units_roll_up_by_their_aggregation_and_own_values_win(shop):
    march = rows_by_code(build_scorecard(M(2026, 3), shop["company"]))
    assert march["REV"].value == 350  # 300 + 50
    assert march["CSAT"].value == 85  # average of 80 and 90
    june = rows_by_code(build_scorecard(M(2026, 6), shop["north"]))
    assert june["REV"].value == 999  # North entered its own June value
    assert "OLD" not in june


def test_time_rolls_up_and_coarser_kpis_show_their_last_complete_period(shop):
    q1 = rows_by_code(build_scorecard(Period.quarter(2026, 1), shop["a"]))
    assert q1["REV"].value == 600  # 100 + 200 + 300
    assert q1["CSAT"].value == 80
    assert q1["REV"].target == 900
    may = rows_by_code(build_scorecard(M(2026, 5), shop["a"]))
    assert may["ENG"].shown_period == Period.quarter(2026, 1) and may["ENG"].value == 3.5
    assert shown_period_for(M(2026, 6), Period.quarter(2026, 2).kind) == Period.quarter(2026, 2)


def test_targets_roll_up_and_statuses_follow_direction(shop):
    march = rows_by_code(build_scorecard(M(2026, 3), shop["company"]))
    assert march["REV"].target == 360  # 300 + 60 from the stores
    assert march["REV"].status is Status.AMBER  # 350 vs 360, within 10 %
    assert march["CSAT"].target == 85 and march["CSAT"].status is Status.GREEN
    store_a = rows_by_code(build_scorecard(M(2026, 3), shop["a"]))
    assert store_a["CSAT"].status is Status.AMBER  # 80 vs 85
    assert store_a["CHURN"].status is Status.RED  # 3.0 vs 2.5 when lower is better
    assert store_a["TEMP"].target == 20 and store_a["TEMP"].target_high == 23
    assert store_a["TEMP"].status is Status.GREEN  # 22 within 20–23
    june_a = rows_by_code(build_scorecard(M(2026, 6), shop["a"]))
    assert june_a["TEMP"].status is Status.AMBER  # 25, just above the band
    assert june_a["REV"].status is Status.GREEN  # 600 vs 300


def test_calculated_kpis_use_rolled_up_inputs_and_paths(shop):
    march = rows_by_code(build_scorecard(M(2026, 3), shop["company"]))
    assert march["NPS"].value == pytest.approx((80 - 30) / 200 * 100)
    assert march["NPS"].target == pytest.approx(20)  # path 10 → 40 over six months
    assert rows_by_code(build_scorecard(M(2026, 3), shop["a"]))["NPS"].value == 50


def test_changes_ytd_sparkline_and_goal_progress(shop):
    scorecard = build_scorecard(M(2026, 4), shop["a"])
    rev = rows_by_code(scorecard)["REV"]
    assert rev.previous_value == 300 and rev.change == 100
    assert rev.last_year_value is None
    assert rev.ytd_value == 1000 and rev.ytd_target == 1200
    assert rev.sparkline[-4:] == [100, 200, 300, 400] and len(rev.sparkline) == 13
    progress = scorecard.goal_progress[shop["goal"]]
    assert progress.counts[Status.GREEN] == 1  # REV 400 vs 300
    assert progress.counts[Status.AMBER] == 1  # CSAT 80 vs 85


def test_ytd_follows_the_fiscal_year():
    assert [p.key for p in ytd_periods(M(2026, 6), 5)] == ["2026-05", "2026-06"]
    assert len(ytd_periods(M(2026, 4), 5)) == 12
    assert ytd_periods(Period.whole_year(2026), 1) == []


def test_demo_scorecard_has_every_status_colour(demo_copy):
    with Workspace.open(demo_copy, read_only=True):
        scorecard = build_scorecard(M(2026, 10), models.Unit.get(models.Unit.parent.is_null()).id)
    statuses = {row.status for row in scorecard.rows}
    assert {Status.GREEN, Status.AMBER, Status.RED} <= statuses
    assert len(scorecard.rows) >= 12


@pytest.mark.parametrize("fiscal_start", [1, 5])
@pytest.mark.parametrize(
    "period",
    [
        M(2026, 10),
        M(2026, 1),
        Period.quarter(2026, 2),
        Period.whole_year(2025),
        Period.week(2026, 30),
    ],
)
def test_the_scorecard_loads_only_what_it_shows_and_loses_nothing(demo_copy, period, fiscal_start):
    from kpidesk.services.scorecard import load_rollup

    with Workspace.open(demo_copy, read_only=True):
        root = models.Unit.get(models.Unit.parent.is_null()).id
        windowed = build_scorecard(period, root, fiscal_start_month=fiscal_start)
        full = build_scorecard(
            period, root, fiscal_start_month=fiscal_start, rollup=load_rollup(2019, 2027)
        )

    def view(scorecard):
        return [
            (
                r.kpi.code,
                r.shown_period,
                r.value,
                r.target,
                r.status,
                r.previous_value,
                r.last_year_value,
                r.ytd_value,
                r.ytd_target,
                r.sparkline,
            )
            for r in scorecard.rows
        ]

    assert view(windowed) == view(full)
