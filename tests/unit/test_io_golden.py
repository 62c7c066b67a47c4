"""The importer's reading half on golden workbooks (tests/data/import, see make_golden.py).

Each file goes through the real path: a reader process, layout detection, extraction and
the chunked transfer back. Records are compared exactly: label, unit, period key, value,
percent flags, row and column.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kpidesk.io.errors import SpreadsheetError, SpreadsheetErrorKind
from kpidesk.io.extract import RawRecord, read_records
from kpidesk.io.layout import ColumnRole, LayoutKind, YearSourceKind
from kpidesk.io.sniff import SpreadsheetFormat, sniff_format
from kpidesk.io.workbook import open_preview

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "files"


def brief(records: tuple[RawRecord, ...] | list[RawRecord]) -> list[tuple[object, ...]]:
    """(cell, KPI, unit, period key, value, percent marks) of each record."""
    return [
        (
            f"{r.column}{r.row}",
            r.kpi,
            r.unit,
            r.period.key,
            r.value,
            ("T" if r.text_percent else "") + ("F" if r.format_percent else ""),
        )
        for r in records
    ]


def problems(result) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(p.location, p.value, p.reason.template) for p in result.problems]


def test_long_layout_under_a_merged_title_with_swedish_numbers():
    preview = open_preview(DATA / "long_sv.xlsx")
    sheet = preview.sheet("Data")
    layout = sheet.layout
    assert layout is not None
    assert layout.kind is LayoutKind.LONG
    assert layout.header_row_number == 3  # a merged title and a blank row above
    assert dict(layout.roles) == {
        0: ColumnRole.MONTH,
        1: ColumnRole.UNIT,
        2: ColumnRole.KPI,
        3: ColumnRole.VALUE,
        4: ColumnRole.COMMENT,
    }
    assert sheet.rows[0][0] == "Nyckeltal per butik och månad"
    assert sheet.rows[2] == ("Månad", "Butik", "Nyckeltal", "Värde", "Kommentar")

    result = read_records(DATA / "long_sv.xlsx")
    assert result.sheet == "Data"
    assert brief(result.records) == [
        ("D4", "Omsättning (kr)", "Sthlm", "2026-01", 1234.5, ""),
        ("D5", "Kunder (st)", "Sthlm", "2026-01", 312.0, ""),
        ("D6", "Andel nöjda", "Sthlm", "2026-01", 81.5, "T"),
        ("D7", "Omsättning (kr)", "Sthlm", "2026-02", 2000.25, ""),
        ("D8", "Kunder (st)", "Sthlm", "2026-02", 1024.0, ""),  # unit from the row above
        ("D10", "Andel nöjda", "Gbg", "2026-02", 0.815, "F"),  # formatted as a percentage
    ]
    assert [r.comment for r in result.records][:5] == ["Rea", None, None, None, "samma butik"]
    assert problems(result) == [
        ("Data!D11", "#N/A", "The cell holds the Excel error {error}."),
        ("Data!D13", "tolv", "“{text}” is not a number."),
        ("Data!A14", "Q5 2026", "“{text}” is not a period."),
    ]
    assert str(result.problems[0]) == "Data!D11: The cell holds the Excel error #N/A."
    notes = [str(note) for note in result.notes]
    assert "1 total or subtotal rows were left out (rows 9)." in notes
    assert "Empty cells in column B were taken from the row above." in notes
    assert result.rows_read == 11
    assert result.record_count == 6


def test_wide_layout_with_dates_a_percent_column_a_total_column_and_an_error():
    result = read_records(DATA / "wide.xlsx")
    layout = result.layout
    assert layout.kind is LayoutKind.WIDE
    assert [(c.letter, c.label) for c in layout.kpi_columns] == [
        ("C", "Omsättning (kr)"),
        ("D", "Kunder"),
        ("E", "Konvertering"),
    ]
    assert layout.column(ColumnRole.UNIT) == 1
    assert layout.columns_with(ColumnRole.TOTAL) == [5]
    assert brief(result.records) == [
        ("C2", "Omsättning (kr)", "Norr", "2026-01", 1500.0, ""),
        ("D2", "Kunder", "Norr", "2026-01", 30.0, ""),
        ("E2", "Konvertering", "Norr", "2026-01", 0.25, "F"),
        ("C3", "Omsättning (kr)", "Norr", "2026-02", 1600.0, ""),
        ("E3", "Konvertering", "Norr", "2026-02", 0.3, "F"),
        ("D4", "Kunder", "Norr", "2026-03", 35.0, ""),  # C4 is empty: skipped
        ("E4", "Konvertering", "Norr", "2026-03", 0.275, "F"),
        ("C5", "Omsättning (kr)", "Syd", "2026-01", 900.5, ""),
        ("D5", "Kunder", "Syd", "2026-01", 18.0, ""),
        ("E5", "Konvertering", "Syd", "2026-01", 0.2, "F"),
    ]
    assert problems(result) == [
        ("Månadsdata!D3", "#DIV/0!", "The cell holds the Excel error {error}."),
    ]
    assert "Column F (“Totalt”) is a total and was left out." in [str(n) for n in result.notes]
    # The preview shows the error that calamine reads as an empty cell.
    assert open_preview(DATA / "wide.xlsx").sheets[0].rows[2][3] == "#DIV/0!"


def test_across_budget_with_the_year_in_the_sheet_name_and_totals_left_out():
    result = read_records(DATA / "across_budget.xlsx", sheet="Budget 2026")
    layout = result.layout
    assert layout.kind is LayoutKind.ACROSS
    assert [pc.period.key for pc in layout.period_columns if pc.period] == [
        f"2026-{m:02d}" for m in range(1, 13)
    ]
    assert layout.year_source is not None
    assert layout.year_source.kind is YearSourceKind.SHEET
    got = brief(result.records)
    assert got[:3] == [
        ("C2", "Omsättning (kr)", "Sthlm", "2026-01", 100.0, ""),
        ("D2", "Omsättning (kr)", "Sthlm", "2026-02", 200.0, ""),
        ("E2", "Omsättning (kr)", "Sthlm", "2026-03", 300.0, ""),
    ]
    assert got[11] == ("N2", "Omsättning (kr)", "Sthlm", "2026-12", 1200.0, "")
    # The store is written once; the next row repeats it.
    assert got[12] == ("C3", "Kostnader (kr)", "Sthlm", "2026-01", 50.0, "")
    assert got[-2:] == [
        ("C5", "Omsättning (kr)", "Gbg", "2026-01", 10.0, ""),
        ("D5", "Omsättning (kr)", "Gbg", "2026-02", 20.5, ""),
    ]
    assert len(got) == 12 + 12 + 2  # "Summa kostnader" and the Summa column left out
    assert all(r.column != "O" for r in result.records)
    notes = [str(n) for n in result.notes]
    assert "Column O (“Summa”) is a total and was left out." in notes
    assert "1 total or subtotal rows were left out (rows 4)." in notes
    assert "Periods without a year are read as 2026, from the sheet name “Budget 2026”." in notes
    assert result.problems == ()


def test_across_with_the_year_in_a_title_row():
    result = read_records(DATA / "across_budget.xlsx", sheet="Prognos")
    assert result.layout.header_row_number == 3
    assert result.layout.year_source is not None
    assert result.layout.year_source.kind is YearSourceKind.TITLE
    assert brief(result.records) == [
        ("B4", "NPS", None, "2027-01", 40.0, ""),
        ("C4", "NPS", None, "2027-02", 42.0, ""),
        ("B5", "Sjukfrånvaro (%)", None, "2027-01", 4.5, "T"),
        ("C5", "Sjukfrånvaro (%)", None, "2027-02", 3.9, "T"),
        ("D5", "Sjukfrånvaro (%)", None, "2027-03", 4.1, ""),
    ]
    assert problems(result) == [
        ("Prognos!D4", "#DIV/0!", "The cell holds the Excel error {error}."),
    ]


def test_across_with_date_cells_shown_as_mmm_yy():
    layout = open_preview(DATA / "across_budget.xlsx").sheet("Plan").layout
    assert layout is not None and layout.sheet == "Plan"
    result = read_records(DATA / "across_budget.xlsx", layout=layout)  # the layout's sheet
    assert result.sheet == "Plan"
    assert brief(result.records) == [
        ("B2", "Leads", None, "2025-11", 5.0, ""),
        ("C2", "Leads", None, "2025-12", 6.0, ""),
        ("D2", "Leads", None, "2026-01", 7.0, ""),
    ]


def test_months_without_a_year_anywhere_are_a_problem_until_a_year_is_given():
    preview = open_preview(DATA / "across_budget.xlsx")
    sheet = preview.sheet("Utan år")
    assert sheet.layout is not None and not sheet.usable
    (problem,) = sheet.layout.problems
    assert problem.location == "Utan år!B1"
    assert "have no year" in str(problem)

    result = read_records(DATA / "across_budget.xlsx", sheet="Utan år")
    assert result.records == ()
    assert [p.location for p in result.problems] == ["Utan år!B1"]

    result = read_records(
        DATA / "across_budget.xlsx", sheet="Utan år", layout="across", default_year=2024
    )
    assert brief(result.records) == [
        ("B2", "Kunder", None, "2024-01", 1.0, ""),
        ("C2", "Kunder", None, "2024-02", 2.0, ""),
    ]
    assert result.problems == ()


def test_the_preview_lists_every_sheet_and_picks_the_first_with_a_layout():
    preview = open_preview(DATA / "across_budget.xlsx", max_rows=2)
    assert preview.format is SpreadsheetFormat.XLSX
    assert preview.reader == "calamine"
    assert preview.sheet_names == ["Budget 2026", "Prognos", "Plan", "Utan år"]
    assert [s.hidden for s in preview.sheets] == [False] * 4
    assert preview.default_sheet is not None
    assert preview.default_sheet.name == "Budget 2026"
    assert len(preview.sheet("Prognos").rows) == 2
    assert preview.sheet("Plan").rows[0][:2] == ("KPI", "2025-11-01")


def test_csv_with_semicolons_in_windows_1252():
    path = DATA / "semicolon_cp1252.csv"
    assert sniff_format(path) is SpreadsheetFormat.CSV
    result = read_records(path)
    assert result.layout.kind is LayoutKind.LONG
    assert brief(result.records) == [
        ("D2", "Omsättning", "Malmö", "2026-01", 1234.5, ""),
        ("D3", "Omsättning", "Malmö", "2026-02", 2000.0, ""),
        ("D4", "Kundnöjdhet", "Malmö", "2026-02", 81.5, "T"),
    ]
    assert problems(result) == [
        ("semicolon_cp1252!D5", "#DIV/0!", "The cell holds the Excel error {error}."),
    ]


def test_csv_with_commas_and_a_utf8_bom():
    result = read_records(DATA / "comma_utf8_bom.csv")
    assert result.layout.kind is LayoutKind.WIDE
    assert result.layout.label(0) == "Month"  # no BOM left in the first header
    assert brief(result.records) == [
        ("C2", "Revenue", "North", "2026-01", 1234.5, ""),
        ("D2", "Customers", "North", "2026-01", 12.0, ""),
        ("C3", "Revenue", "North", "2026-02", 2500.75, ""),  # "2,500.75": comma file, dot decimal
        ("C4", "Revenue", "South", "2026-03", 99.0, ""),
    ]
    assert problems(result) == [
        ("comma_utf8_bom!D4", "#N/A", "The cell holds the Excel error {error}."),
    ]


def test_ods_with_an_error_stored_as_zero_and_percentage_cells():
    path = DATA / "across_quarters.ods"
    assert sniff_format(path) is SpreadsheetFormat.ODS
    result = read_records(path)
    assert result.layout.kind is LayoutKind.ACROSS
    assert brief(result.records) == [
        ("B4", "Omsättning", None, "2026-Q1", 100.0, ""),
        ("C4", "Omsättning", None, "2026-Q2", 110.5, ""),
        ("B5", "Marginal", None, "2026-Q1", 0.125, "F"),
        ("D5", "Marginal", None, "2026-Q3", 0.14, "F"),
    ]
    # LibreOffice keeps 0 as the value of =1/0: it must not become a zero.
    assert problems(result) == [
        ("Kvartal!D4", "#DIV/0!", "The cell holds the Excel error {error}."),
    ]


def test_binary_junk_named_xlsx_is_not_a_spreadsheet():
    path = DATA / "junk.xlsx"
    with pytest.raises(SpreadsheetError) as caught:
        sniff_format(path)
    assert caught.value.kind is SpreadsheetErrorKind.NOT_SPREADSHEET
    with pytest.raises(SpreadsheetError) as caught:
        open_preview(path)
    assert str(caught.value) == "junk.xlsx is not a spreadsheet KPI Desk can read."
    with pytest.raises(SpreadsheetError):
        read_records(path)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/corpus is not beside the repository")
@pytest.mark.parametrize(
    "name",
    ["pycalamine/tests__data__password.xlsx", "excelize/test__encryptAES.xlsx"],
)
def test_an_encrypted_workbook_says_it_is_password_protected(name: str):
    path = CORPUS / name
    with pytest.raises(SpreadsheetError) as caught:
        open_preview(path)
    assert caught.value.kind is SpreadsheetErrorKind.PASSWORD
    assert str(caught.value) == (
        f"{path.name} is password-protected; save an unprotected copy and import that."
    )


def test_records_stream_in_chunks_with_progress(tmp_path: Path):
    path = tmp_path / "big.csv"
    lines = ["Månad;Butik;Nyckeltal;Värde"]
    lines += [f"2026-{1 + i % 12:02d};B{i % 7};K{i % 5};{i},5" for i in range(120_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    chunks: list[int] = []
    seen: list[tuple[int, int]] = []
    result = read_records(
        path,
        on_chunk=lambda records: chunks.append(len(records)),
        progress=lambda d, t: seen.append((d, t)),
    )
    assert sum(chunks) == result.record_count == 120_000
    assert len(chunks) >= 3  # ~50,000 records a chunk
    assert result.records == ()  # delivered through on_chunk only
    assert seen and seen[-1][0] >= 120_000


@pytest.mark.parametrize("name", ["long_sv.xlsx", "wide.xlsx", "across_budget.xlsx"])
def test_streamed_preview_of_a_large_sheet_finds_the_same_layout(
    name: str, monkeypatch: pytest.MonkeyPatch
):
    """A large .xlsx sheet is previewed by streaming its first rows (openpyxl) instead of
    loading it whole (calamine); both must find the same layout and show the same rows."""
    from kpidesk.io import readers
    from kpidesk.io.workbook import build_preview

    payload = {"path": str(DATA / name), "max_rows": 50}
    loaded = build_preview(payload, None)
    monkeypatch.setattr(readers, "STREAM_PREVIEW", 0)
    streamed = build_preview(payload, None)
    for whole, stream in zip(loaded.sheets, streamed.sheets, strict=True):
        assert stream.layout == whole.layout
        assert stream.rows == whole.rows
