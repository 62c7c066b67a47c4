"""Data entry: parsing cells and clipboard blocks, saving with the exact state before, grids."""

import pytest

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Status
from kpidesk.services import data_entry
from kpidesk.services import kpis as kpi_service
from kpidesk.services.data_entry import (
    CellChange,
    CellOrigin,
    GridMode,
    parse_block,
    parse_cell,
    set_values,
)
from kpidesk.services.kpis import KpiData
from kpidesk.services.targets import TargetChange, set_targets
from kpidesk.store import models
from kpidesk.store.workspace import Workspace


class Kpi:
    def __init__(self, measure_unit):
        self.measure_unit = measure_unit


COUNT, PERCENT, CURRENCY = Kpi("count"), Kpi("percent"), Kpi("currency")


@pytest.mark.parametrize(
    ("text", "kpi", "expected"),
    [
        ("12,5", COUNT, 12.5),
        ("12.5", COUNT, 12.5),
        ("1 234,5", COUNT, 1234.5),
        ("1\u00a0234,5", COUNT, 1234.5),
        ("1,234.5", COUNT, 1234.5),
        ("-3", COUNT, -3.0),
        ("−3", COUNT, -3.0),
        ("1 200 kr", CURRENCY, 1200.0),
        ("SEK 1,200", CURRENCY, 1200.0),
        ("81,5 %", PERCENT, 81.5),
        ("81.5%", PERCENT, 81.5),
        ("81,5", PERCENT, 81.5),  # a percent KPI stores points
        ("12 %", COUNT, 0.12),  # elsewhere the sign means hundredths
    ],
)
def test_parse_cell_swedish_english_and_percent(text, kpi, expected):
    assert parse_cell(text, kpi) == pytest.approx(expected)


def test_parse_cell_decimal_hint_settles_a_thousand():
    assert parse_cell("1,234", COUNT) == pytest.approx(1.234)  # Swedish first
    assert parse_cell("1,234", COUNT, decimal_hint=".") == 1234
    assert parse_cell("12,5", COUNT, decimal_hint=".") == 12.5  # still a decimal comma


@pytest.mark.parametrize("text", ["abc", "", "   ", "12,5,3", "1.2.3,4,5", "12 apples", "--"])
def test_parse_cell_refuses_what_is_no_number(text):
    with pytest.raises(DomainError) as caught:
        parse_cell(text, COUNT)
    assert caught.value.message  # a sentence to show


# Clipboard blocks ---------------------------------------------------------------------------


def test_excel_block_with_crlf_and_trailing_line_end():
    assert parse_block("12,5\t1 234\r\n7\t8,25\r\n") == [["12,5", "1 234"], ["7", "8,25"]]


def test_libreoffice_block_with_lf():
    assert parse_block("1.5\t2\t3\n4\t5\t6\n") == [["1.5", "2", "3"], ["4", "5", "6"]]


def test_no_trailing_line_end_and_single_cell():
    assert parse_block("1\t2\n3\t4") == [["1", "2"], ["3", "4"]]
    assert parse_block("42") == [["42"]]
    assert parse_block("") == [] and parse_block("\r\n") == []


def test_quoted_cells_with_embedded_tab_newline_and_quote():
    text = '"a\tb"\t"two\nlines"\r\n"5"" screen"\t3\r\n'
    assert parse_block(text) == [["a\tb", "two\nlines"], ['5" screen', "3"]]


def test_empty_cells_and_rows_are_kept_and_rows_padded():
    assert parse_block("1\t\t3\r\n\t\t\r\n") == [["1", "", "3"], ["", "", ""]]
    assert parse_block("a\r\n\r\nb\r\n") == [["a"], [""], ["b"]]
    assert parse_block("a\r\n\r\n") == [["a"], [""]]  # the last cell of a column was empty
    assert parse_block("1\t2\n3\n") == [["1", "2"], ["3", ""]]


def test_format_block_round_trips():
    rows = [["1,5", "a\tb"], ['say "hi"', "two\nlines"]]
    assert parse_block(data_entry.format_block(rows)) == rows


# Saving -------------------------------------------------------------------------------------


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
    rev = kpi_service.create_kpi(workspace, KpiData("REV", "Revenue", measure_unit="currency"))
    csat = kpi_service.create_kpi(
        workspace, KpiData("CSAT", "Satisfaction", measure_unit="percent", decimals=1)
    )
    stock = kpi_service.create_kpi(workspace, KpiData("STOCK", "Stock turns", frequency="quarter"))
    double = kpi_service.create_kpi(workspace, KpiData("DBL", "Double", formula="REV * 2"))
    return {
        "ws": workspace,
        "root": root.id,
        "a": store_a,
        "b": store_b,
        "rev": rev,
        "csat": csat,
        "stock": stock,
        "double": double,
    }


def stored(kpi, unit, period):
    row = (
        models.Measurement.select()
        .where(
            (models.Measurement.kpi == kpi)
            & (models.Measurement.unit == unit)
            & (models.Measurement.period == period)
        )
        .first()
    )
    return None if row is None else (row.value, row.comment, row.source, row.batch_id)


def test_set_values_returns_the_exact_state_before(setup):
    ws, rev, a = setup["ws"], setup["rev"], setup["a"]
    with ws.atomic():
        batch = models.ImportBatch.create(file_name="march.xlsx")
    set_values(ws, [CellChange(rev, a, "2026-03", 100.0, "Imported", "import", batch.id)])
    previous = set_values(
        ws,
        [
            CellChange(rev, a, "2026-03", 120.0),  # comment kept, source becomes typed
            CellChange(rev, a, "2026-04", 130.0, "New"),
        ],
    )
    assert previous == [
        CellChange(rev, a, "2026-03", 100.0, "Imported", "import", batch.id),
        CellChange(rev, a, "2026-04", None),
    ]
    assert stored(rev, a, "2026-03") == (120.0, "Imported", "typed", None)
    assert stored(rev, a, "2026-04") == (130.0, "New", "typed", None)
    again = set_values(ws, previous)  # undo
    assert stored(rev, a, "2026-03") == (100.0, "Imported", "import", batch.id)
    assert stored(rev, a, "2026-04") is None
    set_values(ws, again)  # redo
    assert stored(rev, a, "2026-04") == (130.0, "New", "typed", None)


def test_deleting_and_comment_only_changes(setup):
    ws, rev, a = setup["ws"], setup["rev"], setup["a"]
    set_values(ws, [CellChange(rev, a, "2026-01", 5.0, "why")])
    previous = set_values(ws, [CellChange(rev, a, "2026-01", 5.0, "because")])
    assert previous[0].comment == "why" and stored(rev, a, "2026-01")[1] == "because"
    previous = set_values(
        ws, [CellChange(rev, a, "2026-01", None), CellChange(rev, a, "2026-02", None)]
    )
    assert stored(rev, a, "2026-01") is None
    assert previous == [
        CellChange(rev, a, "2026-01", 5.0, "because", "typed", None),
        CellChange(rev, a, "2026-02", None),
    ]


def test_the_last_change_of_a_key_wins(setup):
    ws, rev, a = setup["ws"], setup["rev"], setup["a"]
    previous = set_values(
        ws, [CellChange(rev, a, "2026-01", 1.0), CellChange(rev, a, "2026-01", 2.0)]
    )
    assert previous == [CellChange(rev, a, "2026-01", None)]
    assert stored(rev, a, "2026-01")[0] == 2.0


@pytest.mark.parametrize(
    ("kpi", "period", "value", "words"),
    [
        ("double", "2026-01", 1.0, "calculated"),
        ("stock", "2026-01", 1.0, "measured by quarter"),
        ("rev", "2026-Q1", 1.0, "measured by month"),
        ("rev", "march", 1.0, "not a period"),
        ("rev", "2026-01", float("nan"), "finite"),
    ],
)
def test_refused_changes_store_nothing(setup, kpi, period, value, words):
    ws, a = setup["ws"], setup["a"]
    with pytest.raises(DomainError) as caught:
        set_values(
            ws,
            [CellChange(setup["rev"], a, "2026-02", 7.0), CellChange(setup[kpi], a, period, value)],
        )
    assert words in caught.value.message
    assert models.Measurement.select().count() == 0


# Grids --------------------------------------------------------------------------------------


def test_kpi_grid_rows_periods_origins_and_status(setup):
    ws, rev, csat, a, root = setup["ws"], setup["rev"], setup["csat"], setup["a"], setup["root"]
    set_values(
        ws,
        [
            CellChange(rev, a, "2026-03", 100.0, "Note"),
            CellChange(rev, setup["b"], "2026-03", 50.0),
            CellChange(csat, a, "2026-03", 81.5),
        ],
    )
    set_targets(ws, [TargetChange(rev, a, "2026-03", 110.0)])
    grid = data_entry.kpi_grid(a, Period.month(2026, 3))
    assert [p.key for p in grid.periods][:2] == ["2025-04", "2025-05"] and len(grid.periods) == 12
    assert [row.kpi.code for row in grid.rows] == ["REV", "CSAT", "DBL"]
    assert [k.code for k in grid.hidden[PeriodKind.QUARTER]] == ["STOCK"]
    cell = grid.cell(0, 11)
    assert (cell.origin, cell.value, cell.comment, cell.editable) == (
        CellOrigin.STORED,
        100.0,
        "Note",
        True,
    )
    assert cell.target == (110.0, None) and cell.status is Status.AMBER  # within 10 %
    calculated = grid.cell(2, 11)
    assert (calculated.origin, calculated.shown, calculated.editable) == (
        CellOrigin.CALCULATED,
        200.0,
        False,
    )
    assert grid.cell(0, 0).origin is CellOrigin.EMPTY

    company = data_entry.kpi_grid(root, Period.month(2026, 3))
    rolled = company.cell(0, 11)
    assert (rolled.origin, rolled.value, rolled.shown) == (CellOrigin.ROLLED_UP, None, 150.0)


def test_unit_grid_for_one_kpi_and_targets_mode(setup):
    ws, stock, a = setup["ws"], setup["stock"], setup["a"]
    set_targets(ws, [TargetChange(stock, None, "2026-Q1", 4.0)])
    set_targets(ws, [TargetChange(stock, a, "2026-Q2", 5.0)])
    values = data_entry.unit_grid(stock, Period.month(2026, 5))
    assert values.kind is PeriodKind.QUARTER and values.periods[-1].key == "2026-Q2"
    assert [row.label for row in values.rows] == ["Acme", "Store A", "Store B"]
    assert [row.depth for row in values.rows] == [0, 1, 1]
    targets = data_entry.unit_grid(stock, Period.month(2026, 5), GridMode.TARGETS)
    assert [row.unit_id for row in targets.rows] == [None, setup["root"], a, setup["b"]]
    everyone = targets.cell(0, targets.periods.index(Period.quarter(2026, 1)))
    assert (everyone.origin, everyone.value) == (CellOrigin.STORED, 4.0)
    store_a_q1 = targets.cell(2, targets.periods.index(Period.quarter(2026, 1)))
    assert (store_a_q1.origin, store_a_q1.shown) == (CellOrigin.INHERITED, 4.0)
    store_a_q2 = targets.cell(2, targets.periods.index(Period.quarter(2026, 2)))
    assert (store_a_q2.origin, store_a_q2.value) == (CellOrigin.STORED, 5.0)


def test_kinds_in_use_and_end_period(setup):
    assert data_entry.kinds_in_use() == {PeriodKind.MONTH: 3, PeriodKind.QUARTER: 1}
    assert data_entry.end_period(Period.month(2026, 5), PeriodKind.QUARTER) == Period.quarter(
        2026, 2
    )
    assert data_entry.end_period(Period.whole_year(2026), PeriodKind.MONTH) == Period.month(
        2026, 12
    )
