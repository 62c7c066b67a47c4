"""Year to date and every roll-up follow the KPI's aggregation, wherever a figure is shown.

One KPI per aggregation (sum, average, last, min, max), measured by month, with values for
two stores over 2025, and the same again measured by week. The expected figures are worked
out here with plain Python from the raw values; the scorecard (value and year to date), the
chart, the unit comparison, a review's agenda and the pack/PDF content must all show them,
for a month, a quarter and a year, and for weeks rolled up into months by their Thursday.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable

import pytest

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.services import charts, comparison, reviews
from kpidesk.services.report_content import build_report_content
from kpidesk.services.scorecard import build_scorecard
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

M, Q, Y = Period.month, Period.quarter, Period.whole_year
STORES = ("Store A", "Store B")
AGGREGATIONS = ("sum", "average", "last", "min", "max")

# A value per store and month: different shapes so that every aggregation differs.
RAW = {
    "Store A": [10, 40, 20, 50, 30, 60, 35, 25, 45, 15, 55, 5],
    "Store B": [7, 3, 9, 1, 8, 2, 6, 4, 11, 13, 12, 10],
}

PLAIN: dict[str, Callable[[list[float]], float]] = {
    "sum": lambda values: float(sum(values)),
    "average": statistics.fmean,
    "last": lambda values: values[-1],
    "min": min,
    "max": max,
}
ACROSS_UNITS = {**PLAIN, "last": PLAIN["sum"]}  # a stock adds up across units


def over_time(how: str, store: str, months: range) -> float:
    return PLAIN[how]([float(RAW[store][m - 1]) for m in months])


def whole(how: str, months: range) -> float:
    """The company's figure: each month combined across the stores, then over time."""
    per_month = [ACROSS_UNITS[how]([float(RAW[store][m - 1]) for store in STORES]) for m in months]
    return PLAIN[how](per_month)


def weeks_of(month: int) -> list[Period]:
    return M(2025, month).subperiods(PeriodKind.WEEK)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """Company → Store A, Store B; a monthly and a weekly KPI per aggregation."""
    path = tmp_path_factory.mktemp("aggregation") / "chain.kpidesk"
    with Workspace.create(path, "Company") as workspace, workspace.atomic():
        company = models.Unit.get()
        stores = {name: models.Unit.create(name=name, parent=company) for name in STORES}
        rows = []
        for how in AGGREGATIONS:
            for kind in ("month", "week"):
                kpi = models.Kpi.create(
                    code=f"{how.upper()}_{kind.upper()}",
                    name=f"{how} by {kind}",
                    frequency=kind,
                    time_aggregation=how,
                    unit_aggregation="sum" if how == "last" else how,
                )
                for store, unit in stores.items():
                    for month in range(1, 13):
                        value = float(RAW[store][month - 1])
                        if kind == "month":
                            rows.append((kpi.id, unit.id, M(2025, month).key, value))
                            continue
                        # weeks: the month's value spread so that the month rolls up to it
                        weeks = weeks_of(month)
                        for index, week in enumerate(weeks):
                            rows.append(
                                (
                                    kpi.id,
                                    unit.id,
                                    week.key,
                                    _week_value(how, value, index, len(weeks)),
                                )
                            )
        # a calculated share: promoters / responses, averaged by month
        promoters = models.Kpi.create(code="PROM", name="Promoters", time_aggregation="sum")
        responses = models.Kpi.create(code="RESP", name="Responses", time_aggregation="sum")
        models.Kpi.create(
            code="SHARE",
            name="Share of promoters",
            measure_unit="percent",
            formula="PROM / RESP * 100",
            time_aggregation="average",
            unit_aggregation="average",
        )
        for month in range(1, 13):
            rows.append((promoters.id, stores["Store A"].id, M(2025, month).key, 10.0 * month))
            rows.append((responses.id, stores["Store A"].id, M(2025, month).key, 100.0 + month))
        models.Measurement.insert_many(
            [
                {"kpi": k, "unit": u, "period": p, "value": v, "source": "typed"}
                for k, u, p, v in rows
            ]
        ).execute()
    workspace = Workspace.open(path)
    yield workspace, {name: unit.id for name, unit in stores.items()}, company.id
    workspace.close()


def _week_value(how: str, month_value: float, index: int, count: int) -> float:
    """Week values whose roll-up by ``how`` is ``month_value``."""
    if how == "sum":
        return month_value / count
    if how == "average":
        return month_value + (index - (count - 1) / 2)  # symmetric around the month's value
    if how == "last":
        return month_value if index == count - 1 else month_value + 100 + index
    if how == "min":
        return month_value if index == 1 else month_value + 1 + index
    return month_value if index == 1 else month_value - 1 - index  # max


def kpi_id(code: str) -> int:
    return models.Kpi.get(models.Kpi.code == code).id


CASES = [
    # (the view, the months it covers, the months its year to date covers)
    (M(2025, 5), range(5, 6), range(1, 6)),
    (Q(2025, 2), range(4, 7), range(1, 7)),
    (Y(2025), range(1, 13), None),
]


@pytest.mark.parametrize("how", AGGREGATIONS)
@pytest.mark.parametrize("kind", ["month", "week"])
@pytest.mark.parametrize(("view", "months", "ytd_months"), CASES, ids=["month", "quarter", "year"])
def test_scorecard_value_and_year_to_date(chain, how, kind, view, months, ytd_months):
    _workspace, stores, company = chain
    code = f"{how.upper()}_{kind.upper()}"
    for store, unit_id in stores.items():
        row = _row(build_scorecard(view, unit_id), code)
        expected = over_time(how, store, months)
        if kind == "week":  # the view's weeks combined, not its months
            expected = PLAIN[how](week_values(how, store, months))
        assert row.value == pytest.approx(expected)
        if ytd_months is not None and kind == "month":
            assert row.ytd_value == pytest.approx(_ytd(how, store, view, ytd_months))
        elif ytd_months is not None:
            assert row.ytd_value == pytest.approx(_weekly_ytd(how, store, view, ytd_months))
        else:
            assert row.ytd_value is None  # a year is its own year to date
    row = _row(build_scorecard(view, company), code)
    if kind == "month":
        assert row.value == pytest.approx(whole(how, months))
    else:
        per_week = zip(*(week_values(how, store, months) for store in STORES), strict=True)
        combined = [ACROSS_UNITS[how](list(values)) for values in per_week]
        assert row.value == pytest.approx(PLAIN[how](combined))


def week_values(how: str, store: str, months: range) -> list[float]:
    """The store's week values, in order, of the weeks whose Thursday falls in ``months``."""
    values = []
    for month in months:
        count = len(weeks_of(month))
        monthly = float(RAW[store][month - 1])
        values += [_week_value(how, monthly, index, count) for index in range(count)]
    return values


def _weekly_ytd(how: str, store: str, view: Period, months: range) -> float:
    """A weekly KPI's year to date: its weeks from the year's first to the view's last."""
    return PLAIN[how](week_values(how, store, months))


def _ytd(how: str, store: str, view: Period, months: range) -> float:
    """The year to date of ``view``: its own periods from January, each combined by ``how``."""
    if view.kind is PeriodKind.MONTH:
        return over_time(how, store, months)
    quarters = [range(3 * q + 1, 3 * q + 4) for q in range(view.number)]
    return PLAIN[how]([over_time(how, store, quarter) for quarter in quarters])


def _row(card, code: str):
    return next(row for row in card.rows if row.kpi.code == code)


@pytest.mark.parametrize("how", AGGREGATIONS)
@pytest.mark.parametrize("kind", [PeriodKind.QUARTER, PeriodKind.YEAR])
def test_the_chart_rolls_up_by_the_kpis_aggregation(chain, how, kind):
    _workspace, stores, _company = chain
    data = charts.chart_data(
        kpi_id(f"{how.upper()}_MONTH"), stores.values(), kind, until=M(2025, 12)
    )
    for series in data.series:
        values = dict(zip(series.periods, series.actuals, strict=True))
        if kind is PeriodKind.QUARTER:
            for number in range(1, 5):
                months = range(3 * number - 2, 3 * number + 1)
                assert values[Q(2025, number)] == pytest.approx(
                    over_time(how, series.unit_name, months)
                )
        else:
            assert values[Y(2025)] == pytest.approx(over_time(how, series.unit_name, range(1, 13)))


@pytest.mark.parametrize("how", AGGREGATIONS)
def test_weeks_roll_up_into_the_month_of_their_thursday_in_the_chart(chain, how):
    _workspace, stores, _company = chain
    data = charts.chart_data(
        kpi_id(f"{how.upper()}_WEEK"), [stores["Store A"]], PeriodKind.MONTH, until=M(2025, 12)
    )
    values = dict(zip(data.series[0].periods, data.series[0].actuals, strict=True))
    for month in (1, 6, 12):
        assert values[M(2025, month)] == pytest.approx(
            over_time(how, "Store A", range(month, month + 1))
        )
    # 2025-W01 runs from Monday 30 December 2024: its Thursday is in January 2025
    assert Period.week(2025, 1).start == dt.date(2024, 12, 30)
    assert Period.week(2025, 1).to(PeriodKind.MONTH) == M(2025, 1)


@pytest.mark.parametrize("how", AGGREGATIONS)
def test_the_unit_comparison_ranks_the_rolled_up_values(chain, how):
    _workspace, _stores, company = chain
    ranking = comparison.rank_units(kpi_id(f"{how.upper()}_MONTH"), Q(2025, 2), company)
    got = {unit.name: unit.value for unit in ranking.units}
    assert got == {store: pytest.approx(over_time(how, store, range(4, 7))) for store in STORES}


@pytest.mark.parametrize("how", AGGREGATIONS)
def test_the_pack_and_the_pdf_show_the_same_roll_ups(chain, how):
    _workspace, stores, company = chain
    content = build_report_content(Q(2025, 2), [stores["Store A"], company])
    code = f"{how.upper()}_MONTH"
    lines = {line.unit: line for line in content.scorecard if line.kpi.code == code}
    assert lines["Store A"].value == pytest.approx(over_time(how, "Store A", range(4, 7)))
    assert lines["Store A"].ytd_value == pytest.approx(
        _ytd(how, "Store A", Q(2025, 2), range(1, 7))
    )
    assert lines["Company"].value == pytest.approx(whole(how, range(4, 7)))
    section = next(s for s in content.sections if s.kpi.code == code)
    rows = {row.period: row.value for row in section.series[0].rows}
    assert rows[Q(2025, 1)] == pytest.approx(over_time(how, "Store A", range(1, 4)))


@pytest.mark.parametrize("how", AGGREGATIONS)
def test_a_quarterly_review_shows_the_rolled_up_figures(chain, how):
    workspace, stores, _company = chain
    review_id = reviews.start_review(workspace, Q(2025, 2), list(stores.values()))
    try:
        item = reviews.agenda(review_id).item(kpi_id(f"{how.upper()}_MONTH"))
        assert item is not None
        for figures in item.figures:
            assert figures.value == pytest.approx(over_time(how, figures.unit, range(4, 7)))
            assert figures.previous_value == pytest.approx(
                over_time(how, figures.unit, range(1, 4))
            )
    finally:
        reviews.delete_review(workspace, review_id)


def test_a_calculated_share_to_date_is_the_formula_of_its_inputs_to_date(chain):
    _workspace, stores, _company = chain
    row = _row(build_scorecard(M(2025, 4), stores["Store A"]), "SHARE")
    promoters = sum(10.0 * month for month in range(1, 5))
    responses = sum(100.0 + month for month in range(1, 5))
    assert row.value == pytest.approx(40 / 104 * 100)
    assert row.ytd_value == pytest.approx(promoters / responses * 100)
    monthly = statistics.fmean(10.0 * m / (100.0 + m) * 100 for m in range(1, 5))
    assert row.ytd_value != pytest.approx(monthly)  # not the average of the monthly shares
