"""Targets: per period (bands too), paths set and removed, suggestions explained."""

import pytest

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period
from kpidesk.domain.targets import SuggestionMethod
from kpidesk.services import kpis as kpi_service
from kpidesk.services import targets
from kpidesk.services.data_entry import CellChange, set_values
from kpidesk.services.kpis import KpiData
from kpidesk.services.scorecard import load_rollup
from kpidesk.services.targets import (
    PathData,
    TargetChange,
    format_target,
    parse_target_cell,
    set_target_path,
    set_targets,
)
from kpidesk.store import models
from kpidesk.store.workspace import Workspace


@pytest.fixture
def workspace(workspace_location):
    with Workspace.create(workspace_location, "Acme") as ws:
        yield ws


@pytest.fixture
def setup(workspace):
    root = models.Unit.get()
    with workspace.atomic():
        store_a = models.Unit.create(name="Store A", parent=root, sort_order=0).id
        store_b = models.Unit.create(name="Store B", parent=root, sort_order=1).id
        store_c = models.Unit.create(name="Store C", parent=root, sort_order=2).id
    rev = kpi_service.create_kpi(workspace, KpiData("REV", "Revenue", measure_unit="currency"))
    temp = kpi_service.create_kpi(
        workspace,
        KpiData("TEMP", "Temperature", measure_unit="other", unit_label="°C", direction="band"),
    )
    return {
        "ws": workspace,
        "root": root.id,
        "a": store_a,
        "b": store_b,
        "c": store_c,
        "rev": rev,
        "temp": temp,
    }


def all_targets():
    return sorted(
        ((t.kpi_id, t.unit_id, t.period, t.value, t.value_high) for t in models.Target.select()),
        key=lambda row: (row[0], row[1] or 0, row[2]),
    )


def test_set_targets_for_a_unit_and_for_every_unit_with_exact_undo(setup):
    ws, rev, a = setup["ws"], setup["rev"], setup["a"]
    assert set_targets(ws, [TargetChange(rev, None, "2026-01", 100.0)]) == [
        TargetChange(rev, None, "2026-01", None)
    ]
    previous = set_targets(
        ws, [TargetChange(rev, None, "2026-01", 120.0), TargetChange(rev, a, "2026-01", 90.0)]
    )
    assert previous == [
        TargetChange(rev, None, "2026-01", 100.0, None),
        TargetChange(rev, a, "2026-01", None),
    ]
    # a null unit never clashes in the unique index: the old row is replaced, not doubled
    assert all_targets() == [(rev, None, "2026-01", 120.0, None), (rev, a, "2026-01", 90.0, None)]
    set_targets(ws, previous)
    assert all_targets() == [(rev, None, "2026-01", 100.0, None)]
    rollup = load_rollup(2026, 2026)
    assert rollup.target(rev, a, Period.month(2026, 1)) == (100.0, None)


def test_band_targets(setup):
    ws, temp, rev, a = setup["ws"], setup["temp"], setup["rev"], setup["a"]
    set_targets(ws, [TargetChange(temp, a, "2026-02", 20.0, 23.0)])
    assert all_targets() == [(temp, a, "2026-02", 20.0, 23.0)]
    previous = set_targets(ws, [TargetChange(temp, a, "2026-02", None)])
    assert previous == [TargetChange(temp, a, "2026-02", 20.0, 23.0)] and all_targets() == []
    with pytest.raises(DomainError, match="low end"):
        set_targets(ws, [TargetChange(temp, a, "2026-02", 25.0, 23.0)])
    with pytest.raises(DomainError, match="not kept within a range"):
        set_targets(ws, [TargetChange(rev, a, "2026-02", 1.0, 2.0)])
    with pytest.raises(DomainError, match="measured by month"):
        set_targets(ws, [TargetChange(rev, a, "2026-Q1", 1.0)])
    assert all_targets() == []


class Kpi:
    measure_unit, decimals, unit_label = "percent", 1, ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20–23", (20.0, 23.0)),
        ("20 - 23", (20.0, 23.0)),
        ("20,5 % – 23,5 %", (20.5, 23.5)),
        ("1 234,5 – 2 000", (1234.5, 2000.0)),
        ("20..23", (20.0, 23.0)),
        ("20 to 23", (20.0, 23.0)),
        ("-5 – 5", (-5.0, 5.0)),
        ("21,5", (21.5, None)),
        ("-3", (-3.0, None)),
    ],
)
def test_parse_target_cell_for_a_band(text, expected):
    assert parse_target_cell(text, Kpi(), band=True) == pytest.approx(expected)


def test_parse_target_cell_refusals():
    with pytest.raises(DomainError, match="Only a KPI kept within a range"):
        parse_target_cell("20–23", Kpi(), band=False)
    with pytest.raises(DomainError, match="low end"):
        parse_target_cell("23–20", Kpi(), band=True)
    with pytest.raises(DomainError, match="not a number"):
        parse_target_cell("twenty", Kpi(), band=True)
    assert parse_target_cell("81,5 %", Kpi(), band=False) == (81.5, None)


def test_format_target():
    assert format_target(20.0, 23.0, Kpi(), language="en") == "20.0% – 23.0%"
    assert format_target(20.0, None, Kpi(), language="sv") == "20,0\u00a0%"
    assert format_target(1234.5, None, Kpi(), language="sv", with_unit=False) == "1234,5"


def test_paths_set_replace_and_remove(setup):
    ws, rev, a = setup["ws"], setup["rev"], setup["a"]
    path = PathData("2026-01", 100.0, "2026-12", 210.0)
    assert set_target_path(ws, rev, None, path) is None
    assert targets.target_path(rev, None) == path
    other = PathData("2026-01", 50.0, "2027-06", 80.0)
    assert set_target_path(ws, rev, a, other) is None
    assert targets.target_path(rev, a) == other
    newer = PathData("2026-03", 110.0, "2026-12", 200.0)
    assert set_target_path(ws, rev, None, newer) == path
    assert models.TargetPath.select().count() == 2
    rollup = load_rollup(2026, 2026)
    assert rollup.target(rev, setup["b"], Period.month(2026, 12)) == (200.0, None)
    assert rollup.target(rev, a, Period.month(2026, 1)) == (50.0, None)
    assert targets.remove_target_path(ws, rev, None) == newer
    assert targets.target_path(rev, None) is None and targets.target_path(rev, a) == other
    with pytest.raises(DomainError, match="before the baseline"):
        set_target_path(ws, rev, None, PathData("2026-12", 1.0, "2026-01", 2.0))
    with pytest.raises(DomainError, match="measured by month"):
        set_target_path(ws, rev, None, PathData("2026-Q1", 1.0, "2026-Q4", 2.0))


def test_suggestions_by_both_methods_with_explanations(setup):
    ws, rev, a, b, c = setup["ws"], setup["rev"], setup["a"], setup["b"], setup["c"]
    changes = []
    for index, period in enumerate(
        Period.month(2024, 1).shift(n)
        for n in range(27)  # Jan 2024 – Mar 2026
    ):
        changes.append(CellChange(rev, a, period.key, 1000.0 + 10 * index))
        changes.append(CellChange(rev, b, period.key, 2000.0))
        changes.append(CellChange(rev, c, period.key, 500.0))
    set_values(ws, changes)
    period = Period.month(2026, 4)
    found = targets.suggestions(rev, a, period)
    assert [s.method for s in found] == [
        SuggestionMethod.LAST_YEAR_PLUS_TREND,
        SuggestionMethod.BEST_UNIT,
    ]
    trend = found[0]
    assert trend.explanation_params["last_year"] == 1150.0  # April 2025
    assert trend.value > 1150.0
    spec = models.Kpi.get_by_id(rev)
    text = targets.explain(trend, spec, language="en")
    assert text.startswith("Same month last year (SEK\u00a01,150) plus the trend")
    assert "% a year" in text
    best = targets.suggest(rev, a, period, SuggestionMethod.BEST_UNIT)
    assert best.value == 2000.0
    assert targets.explain(best, spec, language="en") == (
        "The level of the best unit, Store B (SEK\u00a02,000)."
    )
    # every unit: the company's rolled-up history, no siblings to compare with
    company = targets.suggestions(rev, None, period)
    assert [s.method for s in company] == [SuggestionMethod.LAST_YEAR_PLUS_TREND]
    assert targets.suggest(rev, b, Period.month(2024, 6)) is None  # too little history
    assert targets.suggest(setup["temp"], a, period) is None
