"""Comparing units: which units, ranked best first by the KPI's direction, and the heat map."""

import pytest

from kpidesk.domain.periods import Period
from kpidesk.domain.status import Status
from kpidesk.services import comparison
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace

M = Period.month


@pytest.fixture
def chain(workspace_location):
    """Company → North (Store A, Store B, Store C), South (Store D); values for March 2026.

    REV (higher is better): A 300, B 100, C 200, D 250. CHURN (lower): A 2.0, B 1.0, C 1.0,
    D 3.0. TEMP (within 18–22): A 25, B 20, C 17, D 21. ENG quarterly: Q1 2026 only. B has
    no sales target; OLD is archived; NEW has no values.
    """
    ws = Workspace.create(workspace_location, "Company", language="en")
    with ws.atomic():
        company = models.Unit.get()
        north = models.Unit.create(name="North", parent=company, sort_order=0)
        south = models.Unit.create(name="South", parent=company, sort_order=1)
        units = {
            name: models.Unit.create(name=f"Store {name}", parent=parent, sort_order=index)
            for index, (name, parent) in enumerate(
                [("A", north), ("B", north), ("C", north), ("D", south)]
            )
        }
        rev = models.Kpi.create(
            code="REV", name="Revenue", measure_unit="currency", benchmark_value=220.0
        )
        churn = models.Kpi.create(
            code="CHURN",
            name="Churn",
            direction="lower",
            unit_aggregation="average",
            time_aggregation="average",
        )
        temp = models.Kpi.create(
            code="TEMP",
            name="Temperature",
            direction="band",
            unit_aggregation="average",
            time_aggregation="average",
        )
        eng = models.Kpi.create(
            code="ENG",
            name="Engagement",
            frequency="quarter",
            unit_aggregation="average",
            time_aggregation="average",
        )
        models.Kpi.create(code="NEW", name="New", sort_order=5)
        models.Kpi.create(code="OLD", name="Old", archived_at=models.utcnow())
        key = M(2026, 3).key
        values = {
            rev: {"A": 300, "B": 100, "C": 200, "D": 250},
            churn: {"A": 2.0, "B": 1.0, "C": 1.0, "D": 3.0},
            temp: {"A": 25, "B": 20, "C": 17, "D": 21},
        }
        rows = [
            (kpi.id, units[name].id, key, float(value), "", "t", None)
            for kpi, by_unit in values.items()
            for name, value in by_unit.items()
        ]
        rows += [(eng.id, units[n].id, "2026-Q1", v, "", "t", None) for n, v in (("A", 4.0),)]
        queries.insert_measurements(rows)
        for name in ("A", "C", "D"):
            models.Target.create(kpi=rev, unit=units[name], period=key, value=220.0)
        models.Target.create(kpi=churn, unit=None, period=key, value=1.5)
        models.Target.create(kpi=temp, unit=None, period=key, value=18.0, value_high=22.0)
    ids = {name: unit.id for name, unit in units.items()}
    ids |= {
        "company": company.id,
        "north": north.id,
        "south": south.id,
        "rev": rev.id,
        "churn": churn.id,
        "temp": temp.id,
        "eng": eng.id,
    }
    yield ws, ids
    ws.close()


def names(ranking):
    return [unit.name for unit in ranking.units]


def test_compared_units_are_the_children_or_a_leafs_siblings(chain):
    _ws, ids = chain
    assert comparison.compared_units(ids["company"]) == [
        (ids["north"], "North"),
        (ids["south"], "South"),
    ]
    north = [(ids[n], f"Store {n}") for n in "ABC"]
    assert comparison.compared_units(ids["north"]) == north
    assert comparison.compared_units(ids["B"]) == north  # a store among its peers
    assert comparison.compared_units(ids["D"]) == [(ids["D"], "Store D")]
    assert comparison.compared_units(None) == comparison.compared_units(ids["company"])


def test_higher_is_better_ranks_the_highest_first(chain):
    _ws, ids = chain
    ranking = comparison.rank_units(ids["rev"], M(2026, 3), ids["north"])
    assert names(ranking) == ["Store A", "Store C", "Store B"]
    assert [u.rank for u in ranking.units] == [1, 2, 3]
    assert [u.name for u in ranking.best] == ["Store A"]
    assert ranking.benchmark == 220.0
    a, c, b = ranking.units
    assert (a.status, c.status, b.status) == (Status.GREEN, Status.AMBER, Status.NO_TARGET)
    assert a.target == 220.0 and b.target is None
    assert ranking.format(a.value) == "SEK\u00a0300"


def test_lower_is_better_ranks_the_lowest_first_and_ties_share_a_rank(chain):
    _ws, ids = chain
    ranking = comparison.rank_units(ids["churn"], M(2026, 3), ids["north"])
    assert names(ranking) == ["Store B", "Store C", "Store A"]
    assert [u.rank for u in ranking.units] == [1, 1, 3]
    assert {u.name for u in ranking.best} == {"Store B", "Store C"}


def test_within_a_range_ranks_by_distance_from_the_range(chain):
    _ws, ids = chain
    ranking = comparison.rank_units(ids["temp"], M(2026, 3), ids["company"])
    # North averages 20.67 (inside), South is 21 (inside, further from the middle).
    assert names(ranking) == ["North", "South"]
    stores = comparison.rank_units(ids["temp"], M(2026, 3), ids["A"])
    assert names(stores) == ["Store B", "Store C", "Store A"]  # 20, 17 (1 out), 25 (3 out)


def test_units_without_a_value_come_last_unranked(chain):
    _ws, ids = chain
    ranking = comparison.rank_units(ids["eng"], M(2026, 3), ids["north"])
    assert ranking.period == Period.quarter(2026, 1)  # a quarterly KPI shows its quarter
    assert names(ranking) == ["Store A", "Store B", "Store C"]
    assert [u.rank for u in ranking.units] == [1, None, None]
    assert ranking.units[1].value is None


def test_sort_key_orders_by_direction():
    from kpidesk.domain.status import Direction, Thresholds
    from kpidesk.services.scorecard import KpiSpec

    def spec(direction):
        return KpiSpec(
            1, "K", "K", "", "count", "", 0, Direction(direction), "month", "sum", "sum",
            "lagging", Thresholds(), None, None, (), 0,
        )  # fmt: skip

    higher, lower, band = spec("higher"), spec("lower"), spec("band")
    assert comparison.sort_key(higher, 5, None, None) < comparison.sort_key(higher, 3, None, None)
    assert comparison.sort_key(lower, 3, None, None) < comparison.sort_key(lower, 5, None, None)
    assert comparison.sort_key(band, 20, 18, 22) < comparison.sort_key(band, 21.5, 18, 22)
    assert comparison.sort_key(band, 21.5, 18, 22) < comparison.sort_key(band, 23, 18, 22)
    assert comparison.sort_key(higher, -1e9, None, None) < comparison.sort_key(
        higher, None, None, None
    )


def test_heat_map_has_every_active_kpi_by_unit_with_status_and_best(chain):
    _ws, ids = chain
    heat = comparison.heat_map(M(2026, 3), ids["north"])
    assert [spec.code for spec in heat.kpis] == ["CHURN", "ENG", "REV", "TEMP", "NEW"]
    assert heat.units == tuple((ids[n], f"Store {n}") for n in "ABC")
    assert heat.shown[ids["eng"]] == Period.quarter(2026, 1)
    cell = heat.cell(ids["churn"], ids["A"])
    assert (cell.value, cell.target, cell.status, cell.rank) == (2.0, 1.5, Status.RED, 3)
    assert heat.cell(ids["temp"], ids["B"]).status is Status.GREEN
    assert heat.best_units(ids["rev"]) == [ids["A"]]
    assert heat.best_units(ids["churn"]) == [ids["B"], ids["C"]]
    new = next(spec for spec in heat.kpis if spec.code == "NEW")
    assert heat.best_units(new.id) == []
    assert {heat.cell(new.id, ids[n]).status for n in "ABC"} == {Status.NO_DATA}
