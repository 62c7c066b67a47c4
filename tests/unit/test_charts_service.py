"""The chart's data: series, targets over time, bands, trends, forecasts, comments and notes."""

from datetime import date

import pytest

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Direction, Status, ThresholdMode, Thresholds, status_of
from kpidesk.domain.trends import Outlook
from kpidesk.services import charts
from kpidesk.services.chart_model import Bands, ChartError, threshold_bands
from kpidesk.services.charts import chart_data
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace

M = Period.month
Q = Period.quarter


def months(first: Period, count: int) -> list[Period]:
    result = [first]
    while len(result) < count:
        result.append(result[-1].next())
    return result


@pytest.fixture
def shop(workspace_location):
    """Company → Store A, Store B; 24 months of 2025–2026.

    REV: A grows by 2 a month from 100, B is 50; A's target is 110 in 2025 and 130 in 2026,
    B's 40; a goal due mid-2027. CHURN (lower is better) starts in February 2025. TEMP is
    kept within 18–22 with an absolute margin of 2. ENG is quarterly. NET = PRO − DET.
    """
    ws = Workspace.create(workspace_location, "Company", language="en", currency="SEK")
    with ws.atomic():
        company = models.Unit.get()
        a = models.Unit.create(name="Store A", parent=company, sort_order=0)
        b = models.Unit.create(name="Store B", parent=company, sort_order=1)
        goal = models.Goal.create(title="Grow", due_date=date(2027, 6, 30))
        early = models.Goal.create(title="Earlier", due_date=date(2026, 12, 31))
        rev = models.Kpi.create(
            code="REV", name="Revenue", measure_unit="currency", time_aggregation="sum"
        )
        churn = models.Kpi.create(
            code="CHURN",
            name="Churn",
            measure_unit="percent",
            decimals=1,
            direction="lower",
            time_aggregation="average",
            unit_aggregation="average",
        )
        temp = models.Kpi.create(
            code="TEMP",
            name="Temperature",
            direction="band",
            threshold_mode="absolute",
            amber_margin=2.0,
            time_aggregation="average",
            unit_aggregation="average",
        )
        eng = models.Kpi.create(
            code="ENG",
            name="Engagement",
            frequency="quarter",
            decimals=1,
            time_aggregation="average",
            unit_aggregation="average",
        )
        models.Kpi.create(code="PRO", name="Promoters", time_aggregation="sum")
        models.Kpi.create(code="DET", name="Detractors", time_aggregation="sum")
        net = models.Kpi.create(code="NET", name="Net", formula="PRO - DET")
        models.KpiGoal.create(kpi=rev, goal=goal)
        models.KpiGoal.create(kpi=rev, goal=early)
        rows = []
        periods = months(M(2025, 1), 24)
        for index, period in enumerate(periods):
            key = period.key
            comment = "Sold out" if key == "2026-03" else ""
            rows += [
                (rev.id, a.id, key, 100.0 + 2 * index, comment, "t", None),
                (rev.id, b.id, key, 50.0, "", "t", None),
                (temp.id, a.id, key, 17.0 + (index % 8), "", "t", None),
            ]
            if index:
                rows.append((churn.id, a.id, key, 3.0 - 0.05 * index, "", "t", None))
            pro = models.Kpi.get(models.Kpi.code == "PRO").id
            det = models.Kpi.get(models.Kpi.code == "DET").id
            rows += [(pro, a.id, key, 10.0, "", "t", None), (det, a.id, key, 4.0, "", "t", None)]
            models.Target.create(
                kpi=rev, unit=a, period=key, value=110.0 if period.year == 2025 else 130.0
            )
            models.Target.create(kpi=rev, unit=b, period=key, value=40.0)
            models.Target.create(kpi=churn, unit=None, period=key, value=2.5)
            models.Target.create(kpi=temp, unit=None, period=key, value=18.0, value_high=22.0)
        for number, quarter in enumerate(months(Q(2025, 1), 8)):
            rows.append((eng.id, a.id, quarter.key, 3.5 + 0.1 * number, "", "t", None))
        queries.insert_measurements(rows)
    ids = {
        "company": company.id,
        "a": a.id,
        "b": b.id,
        "rev": rev.id,
        "churn": churn.id,
        "temp": temp.id,
        "eng": eng.id,
        "net": net.id,
    }
    yield ws, ids
    ws.close()


def test_series_carry_values_targets_and_status_per_period(shop):
    _ws, ids = shop
    data = chart_data(ids["rev"], [ids["a"]], PeriodKind.MONTH, until=M(2026, 12))
    assert data.kind is PeriodKind.MONTH
    assert data.periods == tuple(months(M(2025, 1), 24))
    (series,) = data.series
    assert series.unit_name == "Store A"
    assert series.values == [100.0 + 2 * i for i in range(24)]
    march = series.point_at(M(2026, 3))
    assert (march.value, march.target, march.target_high) == (128.0, 130.0, None)
    assert march.status is Status.AMBER
    assert series.point_at(M(2026, 4)).status is Status.GREEN
    assert data.axis_label == "SEK"


def test_the_target_series_follows_its_changes_over_time(shop):
    _ws, ids = shop
    series = chart_data(ids["rev"], [ids["a"]], PeriodKind.MONTH, until=M(2026, 12)).series[0]
    targets = [low for low, _high in series.targets]
    assert targets[:12] == [110.0] * 12
    assert targets[12:] == [130.0] * 12


def test_until_ends_the_chart_and_company_values_roll_up(shop):
    _ws, ids = shop
    data = chart_data(ids["rev"], [ids["company"], ids["b"]], PeriodKind.MONTH, until=M(2026, 6))
    assert data.periods[-1] == M(2026, 6)
    company, store_b = data.series
    assert [s.unit_id for s in data.series] == [ids["company"], ids["b"]]
    assert company.values[0] == 150.0  # 100 + 50
    assert company.point_at(M(2025, 1)).target == 150.0  # 110 + 40
    assert store_b.values == [50.0] * 18


def test_quarters_and_years_roll_up_whole_periods_only(shop):
    _ws, ids = shop
    quarters = chart_data(ids["rev"], [ids["a"]], PeriodKind.QUARTER, until=M(2026, 11))
    assert quarters.kind is PeriodKind.QUARTER
    assert quarters.periods == tuple(months(Q(2025, 1), 7))  # Q4 2026 is not over by November
    first = quarters.series[0].points[0]
    assert first.value == 100.0 + 102.0 + 104.0
    assert first.target == 330.0  # a sum KPI's targets add up too
    years = chart_data(ids["rev"], [ids["a"]], PeriodKind.YEAR, until=M(2026, 12))
    assert years.periods == (Period.whole_year(2025), Period.whole_year(2026))
    # Churn is measured from February 2025: its first whole quarter is Q2 2025.
    churn = chart_data(ids["churn"], [ids["a"]], PeriodKind.QUARTER, until=M(2026, 12))
    assert churn.periods[0] == Q(2025, 2)


def test_a_finer_aggregation_than_the_kpi_shows_the_kpis_own_periods(shop):
    _ws, ids = shop
    data = chart_data(ids["eng"], [ids["a"]], PeriodKind.MONTH, until=M(2026, 12))
    assert data.kind is PeriodKind.QUARTER
    assert data.requested is PeriodKind.MONTH
    assert len(data.periods) == 8


def test_threshold_band_edges_match_the_status_rules():
    percent = Thresholds(10.0, ThresholdMode.PERCENT)
    assert threshold_bands(100.0, None, Direction.HIGHER_IS_BETTER, percent) == Bands(
        100.0, None, 90.0, None
    )
    assert threshold_bands(2.0, None, Direction.LOWER_IS_BETTER, percent) == Bands(
        None, 2.0, None, 2.2
    )
    absolute = Thresholds(2.0, ThresholdMode.ABSOLUTE)
    assert threshold_bands(22.0, 18.0, Direction.WITHIN_BAND, absolute) == Bands(
        18.0, 22.0, 16.0, 24.0
    )
    assert threshold_bands(None, None, Direction.HIGHER_IS_BETTER, percent) is None

    def zone(bands: Bands, value: float) -> Status:
        low = bands.green_low if bands.green_low is not None else float("-inf")
        high = bands.green_high if bands.green_high is not None else float("inf")
        if low <= value <= high:
            return Status.GREEN
        amber_low = bands.amber_low if bands.amber_low is not None else low
        amber_high = bands.amber_high if bands.amber_high is not None else high
        return Status.AMBER if amber_low <= value <= amber_high else Status.RED

    cases = [
        (100.0, None, Direction.HIGHER_IS_BETTER, percent),
        (2.0, None, Direction.LOWER_IS_BETTER, percent),
        (18.0, 22.0, Direction.WITHIN_BAND, absolute),
        (18.0, 22.0, Direction.WITHIN_BAND, percent),
    ]
    for target, high, direction, thresholds in cases:
        bands = threshold_bands(target, high, direction, thresholds)
        for step in range(-60, 61):
            value = target + step * 0.25
            expected = status_of(value, target, direction, thresholds, target_high=high)
            assert zone(bands, value) is expected, (direction, value)


def test_series_bands_follow_the_targets(shop):
    _ws, ids = shop
    temp = chart_data(ids["temp"], [ids["a"]], PeriodKind.MONTH, until=M(2026, 12)).series[0]
    assert set(temp.bands()) == {Bands(18.0, 22.0, 16.0, 24.0)}
    statuses = {p.value: p.status for p in temp.points}
    assert statuses[17.0] is Status.AMBER
    assert statuses[20.0] is Status.GREEN
    assert statuses[24.0] is Status.AMBER
    rev = chart_data(ids["rev"], [ids["a"]], PeriodKind.MONTH, until=M(2026, 12)).series[0]
    edges = rev.bands()
    assert edges[0] == Bands(110.0, None, 99.0, None)
    assert edges[-1] == Bands(130.0, None, 117.0, None)


def test_moving_average_and_last_year(shop):
    _ws, ids = shop
    data = chart_data(ids["rev"], [ids["a"]], PeriodKind.MONTH, until=M(2026, 12))
    series = data.series[0]
    assert data.moving_average_window == 3
    assert series.moving_averages[:2] == [None, None]
    assert series.moving_averages[2] == pytest.approx((100 + 102 + 104) / 3)
    # Last year's value sits on this year's period; there is none before the data begins.
    assert series.last_year[:12] == [None] * 12
    assert series.point_at(M(2026, 3)).last_year == series.point_at(M(2025, 3)).value
    quarters = chart_data(ids["rev"], [ids["a"]], PeriodKind.QUARTER, until=M(2026, 12))
    assert quarters.moving_average_window == 2
    assert quarters.series[0].point_at(Q(2026, 1)).last_year == 100.0 + 102.0 + 104.0


def test_forecast_runs_to_the_goals_due_date_with_a_sentence(shop):
    _ws, ids = shop
    data = chart_data(ids["rev"], [ids["a"]], PeriodKind.MONTH, until=M(2026, 12))
    assert data.forecast_to == M(2027, 6)  # the latest due date of the KPI's goals
    series = data.series[0]
    assert series.forecast is not None
    assert [p.period for p in series.forecast_points] == months(M(2027, 1), 6)
    first = series.forecast_points[0]
    assert first.value == pytest.approx(148.0)
    assert first.low <= first.value <= first.high
    assert series.reachability.outlook is Outlook.LIKELY
    assert series.sentence == (
        "At this pace the target of SEK\u00a0130 will be reached by January 2027."
    )


def test_forecast_without_a_goal_reaches_twelve_periods_and_can_be_asked_for(shop):
    _ws, ids = shop
    data = chart_data(ids["churn"], [ids["a"]], PeriodKind.MONTH, until=M(2026, 12))
    assert data.forecast_to == M(2027, 12)
    assert "target of 2.5%" in data.series[0].sentence
    asked = chart_data(
        ids["rev"], [ids["a"]], PeriodKind.MONTH, until=M(2026, 12), forecast_to=M(2027, 3)
    )
    assert asked.forecast_to == M(2027, 3)
    assert len(asked.series[0].forecast_points) == 3


def test_forecasts_only_for_the_units_asked(shop):
    _ws, ids = shop
    data = chart_data(
        ids["rev"],
        [ids["a"], ids["b"]],
        PeriodKind.MONTH,
        until=M(2026, 12),
        forecast_units=[ids["a"]],
    )
    assert data.series[0].forecasted and data.series[0].forecast is not None
    assert not data.series[1].forecasted and data.series[1].forecast is None
    assert data.series[1].sentence == ""


def test_too_little_data_for_a_forecast_says_so(shop):
    _ws, ids = shop
    data = chart_data(ids["rev"], [ids["a"]], PeriodKind.YEAR, until=M(2026, 12))
    assert data.series[0].forecast is None
    assert "three periods" in data.series[0].sentence


def test_hover_shows_period_value_target_status_and_comment(shop):
    _ws, ids = shop
    data = chart_data(ids["rev"], [ids["a"], ids["company"]], PeriodKind.MONTH, until=M(2026, 12))
    shown = data.hover(ids["a"], M(2026, 3))
    assert shown["period"] == "March 2026"
    assert shown["unit"] == "Store A"
    assert shown["value"] == "SEK\u00a0128"
    assert shown["target"] == "SEK\u00a0130"
    assert shown["status"] == "! At risk"
    assert shown["comment"] == "Sold out"
    # The company's point rolls the store's value up, and its comment with whose it is.
    assert data.hover(ids["company"], M(2026, 3))["comment"] == "Store A: Sold out"
    quarters = chart_data(ids["rev"], [ids["a"]], PeriodKind.QUARTER, until=M(2026, 12))
    assert quarters.series[0].point_at(Q(2026, 1)).comment == "Mar 2026: Sold out"
    assert data.hover(ids["a"], M(2030, 1)) is None


def test_calculated_kpis_are_charted_from_their_inputs(shop):
    _ws, ids = shop
    data = chart_data(ids["net"], [ids["a"]], PeriodKind.QUARTER, until=M(2026, 12))
    assert data.series[0].values == [18.0] * 8  # (10 − 4) × 3 months


def test_notes_are_pinned_listed_shown_and_deleted(shop):
    ws, ids = shop
    note_id = charts.add_note(ws, ids["rev"], ids["a"], M(2026, 2), "  New shelving  ")
    other = charts.add_note(ws, ids["rev"], None, "2025-05", "Campaign")
    notes = charts.notes(ids["rev"])
    assert [(n.id, n.unit_id, n.period, n.text) for n in notes] == [
        (other, None, M(2025, 5), "Campaign"),
        (note_id, ids["a"], M(2026, 2), "New shelving"),
    ]
    quarters = chart_data(ids["rev"], [ids["a"]], PeriodKind.QUARTER, until=M(2026, 12))
    shown = {note.id: note.shown_at for note in quarters.notes}
    assert shown == {note_id: Q(2026, 1), other: Q(2025, 2)}
    assert quarters.hover(ids["a"], Q(2026, 1))["notes"] == "New shelving"
    removed = charts.delete_note(ws, note_id)
    assert removed.text == "New shelving" and removed.period == M(2026, 2)
    assert charts.delete_note(ws, note_id) is None
    assert [n.id for n in charts.notes(ids["rev"])] == [other]
    with pytest.raises(ChartError):
        charts.add_note(ws, ids["rev"], ids["a"], M(2026, 2), "   ")


def test_unknown_kpi_is_a_chart_error(shop):
    with pytest.raises(ChartError):
        chart_data(9999, [1], PeriodKind.MONTH, until=M(2026, 12))


def test_chartable_kpis_leave_out_archived_ones(shop):
    ws, ids = shop
    with ws.atomic():
        models.Kpi.update(archived_at=models.utcnow()).where(models.Kpi.id == ids["temp"]).execute()
    codes = [spec.code for spec in charts.chartable_kpis()]
    assert "TEMP" not in codes and "REV" in codes
