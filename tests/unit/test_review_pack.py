"""The Excel review pack: sheets, charts, formats, print set-up, language and safety."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from kpidesk import palette
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Direction, Status
from kpidesk.files import OutputRefusedError
from kpidesk.io.report_model import (
    ActionLine,
    CommentLine,
    DecisionLine,
    KpiInfo,
    KpiSection,
    PeriodRow,
    ReportContent,
    ReviewInfo,
    ScoreLine,
    UnitSeries,
)
from kpidesk.io.review_pack import write_review_pack
from kpidesk.io.xlsx_formats import number_format, to_cell_value
from kpidesk.io.xlsx_safety import (
    SHEET_TITLE_MAX,
    looks_like_formula,
    safe_file_name,
    set_text,
    sheet_title,
)
from kpidesk.services import exports
from kpidesk.services.exports import ExportFormat, ExportRequest
from kpidesk.services.progress import Cancelled
from kpidesk.services.report_content import build_report_content
from kpidesk.store.workspace import opened

OCTOBER = Period.month(2026, 10)


def argb(color: str) -> str:
    return "00" + color.lstrip("#").upper()


@pytest.fixture(scope="module")
def demo_content(demo_file):
    with opened(demo_file, read_only=True):
        return build_report_content(OCTOBER, generated_on=date(2026, 11, 5))


@pytest.fixture(scope="module")
def pack(demo_content, tmp_path_factory):
    path = tmp_path_factory.mktemp("pack") / "pack.xlsx"
    write_review_pack(demo_content, path, language="en")
    return path


@pytest.fixture(scope="module")
def book(pack):
    return openpyxl.load_workbook(pack)


def test_sheets_are_cover_strategy_scorecard_one_per_kpi_decisions_actions(book, demo_content):
    names = book.sheetnames
    assert names[:3] == ["Overview", "Strategy map", "Scorecard"]
    assert names[-2:] == ["Decisions", "Actions"]
    kpi_sheets = names[3:-2]
    assert len(kpi_sheets) == len(demo_content.sections) == 13
    assert kpi_sheets[0] == "REV Revenue"
    assert all(len(name) <= SHEET_TITLE_MAX for name in names)
    assert len({name.casefold() for name in names}) == len(names)


def test_cover_names_workspace_period_units_and_date(book):
    cover = book["Overview"]
    texts = [cell.value for row in cover.iter_rows() for cell in row if cell.value is not None]
    assert "Review pack" in texts and "Solbacka Hem AB" in texts
    assert "October 2026" in texts
    assert any(isinstance(v, date) and v.isoformat().startswith("2026-11-05") for v in texts)
    links = [cell.hyperlink.location for row in cover.iter_rows() for cell in row if cell.hyperlink]
    assert "'Scorecard'!A1" in links and "'REV Revenue'!A1" in links


def test_scorecard_has_status_colours_symbols_frozen_header_and_filter(book, demo_content):
    sheet = book["Scorecard"]
    header = [cell.value for cell in sheet[4]]
    assert header[:8] == [
        "Status", "KPI", "Code", "Unit", "Period", "Actual", "Target", "Deviation"
    ]  # fmt: skip
    assert sheet.freeze_panes == "C5"
    assert sheet.auto_filter.ref == f"A4:M{4 + len(demo_content.scorecard)}"
    for offset, line in enumerate(demo_content.scorecard):
        status_cell = sheet.cell(row=5 + offset, column=1)
        assert status_cell.value.startswith(line.status.symbol)
        assert status_cell.fill.fgColor.rgb == argb(palette.FILL_COLORS[line.status])
        assert status_cell.font.color.rgb == argb(palette.SYMBOL_COLORS[line.status])
        assert sheet.cell(row=5 + offset, column=3).value == line.kpi.code
    statuses = {line.status for line in demo_content.scorecard}
    assert {Status.GREEN, Status.AMBER, Status.RED} <= statuses


def test_numbers_carry_the_kpi_unit_format(book, demo_content):
    sheet = book["Scorecard"]
    by_code = {sheet.cell(row=r, column=3).value: r for r in range(5, sheet.max_row + 1)}
    gm = next(line for line in demo_content.scorecard if line.kpi.code == "GM")
    row = by_code["GM"]
    actual = sheet.cell(row=row, column=6)
    assert actual.value == pytest.approx(gm.value / 100)  # percentage points as a fraction
    assert actual.number_format == "#,##0.0%"
    rev = sheet.cell(row=by_code["REV"], column=6)
    assert rev.number_format == '"SEK "#,##0'
    resp = sheet.cell(row=by_code["RESP"], column=6)
    assert resp.number_format == '#,##0.0 "h"'
    deviation = sheet.cell(row=by_code["REV"], column=8)
    assert deviation.number_format.startswith('+"SEK "#,##0;-')


def test_formats_per_language_and_unit():
    assert number_format("percent", 1, "sv") == "#,##0.0 %"
    assert number_format("percent", 0, "en") == "#,##0%"
    assert number_format("currency", 0, "sv") == '#,##0 "kr"'
    assert number_format("currency", 2, "en", currency="EUR") == '"EUR "#,##0.00'
    assert number_format("days", 1, "en") == '#,##0.0 "days"'
    assert number_format("other", 0, "en", unit_label='k"Wh') == '#,##0 "kWh"'
    assert number_format("count", 0, "en") == "#,##0"
    assert to_cell_value(81.5, "percent") == 0.815
    assert to_cell_value(81.5, "count") == 81.5


def test_each_kpi_sheet_has_its_table_and_a_native_line_chart(book, demo_content):
    section = demo_content.sections[0]
    sheet = book["REV Revenue"]
    assert sheet["A1"].value == "Revenue"
    header_row = next(r for r in range(1, 12) if sheet.cell(row=r, column=1).value == "Period")
    assert [sheet.cell(row=header_row, column=c).value for c in range(1, 6)] == [
        "Period",
        "Actual",
        "Target",
        "Status",
        "Comment",
    ]
    rows = section.series[0].rows
    first = header_row + 1
    assert sheet.cell(row=first, column=1).value == "Oct 2025"
    assert sheet.cell(row=first + len(rows) - 1, column=1).value == "Oct 2026"
    assert sheet.cell(row=first + len(rows) - 1, column=2).value == rows[-1].value
    charts = sheet._charts
    assert len(charts) == 1
    chart = charts[0]
    assert chart.tagname == "lineChart"
    assert len(chart.series) == 2
    for series in chart.series:
        assert series.smooth is False
    assert chart.y_axis.delete is False and chart.x_axis.delete is False


def test_chart_xml_is_explicit_for_libreoffice(pack):
    with zipfile.ZipFile(pack) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == 13
        xml = archive.read(charts[0]).decode()
    assert len(re.findall(r'<(?:c:)?smooth val="0"\s*/>', xml)) == 2
    assert not re.search(r'<(?:c:)?smooth val="(?:1|true)"', xml)
    assert len(re.findall(r'<(?:c:)?delete val="0"\s*/>', xml)) == 2
    assert re.search(r"<(?:c:)?numFmt ", xml) and "prstDash" in xml


def test_every_sheet_prints_landscape_fitted_to_width_with_titles_and_page_numbers(book):
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.page_setup.orientation == "landscape", name
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows, name
        assert "&P" in sheet.oddFooter.right.text and "&N" in sheet.oddFooter.right.text
    assert book["Scorecard"].print_title_rows == "$4:$4"


def test_decisions_and_actions(book, demo_content):
    decisions = book["Decisions"]
    assert decisions["B4"].value == "Decision"
    texts = [decisions.cell(row=r, column=2).value for r in range(5, 5 + 2)]
    assert any("member discount" in text for text in texts)
    assert isinstance(decisions["A5"].value, date | type(None)) or decisions["A5"].is_date
    actions = book["Actions"]
    statuses = [actions.cell(row=r, column=1).value for r in range(5, actions.max_row + 1)]
    assert "Open, overdue" in statuses and "Done" in statuses
    overdue_row = 5 + statuses.index("Open, overdue")
    assert actions.cell(row=overdue_row, column=1).fill.fgColor.rgb == argb(
        palette.FILL_COLORS[Status.RED]
    )


def test_swedish_pack_is_swedish_whatever_the_ui_language(demo_content, tmp_path):
    path = tmp_path / "sv.xlsx"
    write_review_pack(demo_content, path, language="sv")
    book = openpyxl.load_workbook(path)
    assert "Styrkort" in book.sheetnames  # "Scorecard"
    sheet = book["Styrkort"]
    statuses = {sheet.cell(row=r, column=1).value for r in range(5, sheet.max_row + 1)}
    assert "✓ På rätt kurs" in statuses
    by_code = {sheet.cell(row=r, column=3).value: r for r in range(5, sheet.max_row + 1)}
    assert sheet.cell(row=by_code["REV"], column=6).number_format == '#,##0 "kr"'
    assert sheet.cell(row=by_code["GM"], column=6).number_format == "#,##0.0 %"
    assert sheet.cell(row=by_code["REV"], column=5).value == "oktober 2026"


# Safety ----------------------------------------------------------------------------------

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+2", "-3-4", "@SUM(A1:A2)", "=1+1"]


def hostile_content() -> ReportContent:
    kpi = KpiInfo(
        id=1,
        code="=CODE",
        name='=HYPERLINK("http://example.com","click")',
        measure_unit="count",
        decimals=0,
        direction=Direction.HIGHER_IS_BETTER,
        frequency=PeriodKind.MONTH,
        unit_label="@u",
        owner="+owner",
        definition="-definition",
    )
    rows = tuple(
        PeriodRow(Period.month(2026, m), float(m), 5.0, None, Status.GREEN, DANGEROUS[m % 5])
        for m in range(1, 4)
    )
    series = UnitSeries("@Unit", rows)
    line = ScoreLine(kpi, "@Unit", Period.month(2026, 3), 3.0, 5.0, None, Status.RED, comment="=2")
    return ReportContent(
        workspace_name="=Workspace & Co",
        period=Period.month(2026, 3),
        units=("@Unit",),
        generated_on=date(2026, 4, 1),
        scorecard=(line,),
        sections=(KpiSection(kpi, (series,), (CommentLine("=c", "+a", "-k"),)),),
        decisions=(DecisionLine("=decision", date(2026, 4, 1), "-who", "+kpi", "@goal", "=r"),),
        actions=(ActionLine("=action", "open", "+owner", None, "-k", "@g", "=r", "=d"),),
        review=ReviewInfo("=Review title", date(2026, 4, 2), "+participants", True, ()),
    )


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    path = tmp_path / "hostile.xlsx"
    write_review_pack(hostile_content(), path, language="en")
    book = openpyxl.load_workbook(path)
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    assert cell.quotePrefix, (sheet.title, cell.coordinate)
                    found.append(cell.value)
    assert '=HYPERLINK("http://example.com","click")' in found
    for literal in ["+1+2", "-3-4", "=decision", "-who", "@goal", "=action\n=d", "=Review title"]:
        assert literal in found
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in archive.read(name).decode(), name


def test_sheet_titles_are_legal_unique_and_short():
    taken: set[str] = set()
    assert sheet_title("a/b\\c[d]e:f*g?h", taken) == "a b c d e f g h"
    long = sheet_title("X" * 40, taken)
    assert len(long) == 31
    again = sheet_title("x" * 40, taken)
    assert again != long and len(again) == 31 and again.endswith("(2)")
    assert sheet_title("History", taken) != "History"
    assert sheet_title("'quoted'", taken) == "quoted"
    assert sheet_title("", taken) == "Sheet"
    assert sheet_title("   ", taken) == "Sheet (2)"
    for title in taken:
        assert not re.search(r"[\[\]:*?/\\]", title)


def test_file_names_are_sanitised():
    assert safe_file_name('Kund: "A/B" <test>?', ".xlsx") == "Kund A B test.xlsx"
    assert safe_file_name("../../etc/passwd", ".pdf") == "etc passwd.pdf"
    assert safe_file_name("CON", ".csv") == "_CON.csv"
    assert safe_file_name("report.xlsx", ".xlsx") == "report.xlsx"
    assert safe_file_name("...", ".pdf") == "export.pdf"
    assert len(safe_file_name("x" * 500, ".xlsx")) == 125
    name = exports.suggested_file_name(ExportFormat.PACK, "A/B: C", OCTOBER, "en")
    assert name == "A B C review pack 2026-10.xlsx"


# The service -----------------------------------------------------------------------------


def test_export_service_writes_through_a_temporary_file(demo_copy, tmp_path):
    destination = tmp_path / "out.xlsx"
    destination.write_bytes(b"old")
    steps = []
    with opened(demo_copy, read_only=True) as workspace:
        request = ExportRequest(ExportFormat.PACK, destination, OCTOBER, language="en")
        result = exports.run_export(
            request, workspace=workspace, progress=lambda d, t: steps.append((d, t))
        )
    assert result.count == 13 and result.paths == (destination,)
    assert steps[-1][0] == steps[-1][1]
    assert zipfile.is_zipfile(destination)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.kpidesk", "out.xlsx"]


def test_a_cancelled_export_leaves_the_old_file_and_nothing_else(demo_copy, tmp_path):
    destination = tmp_path / "out.xlsx"
    destination.write_bytes(b"old")
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with opened(demo_copy, read_only=True) as workspace:
        request = ExportRequest(ExportFormat.PACK, destination, OCTOBER, language="en")
        with pytest.raises(Cancelled):
            exports.run_export(request, workspace=workspace, cancelled=cancelled)
    assert destination.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.kpidesk", "out.xlsx"]


def test_the_export_never_writes_over_the_workspace(demo_copy):
    before = demo_copy.read_bytes()
    with opened(demo_copy, read_only=True) as workspace:
        request = ExportRequest(ExportFormat.PACK, demo_copy, OCTOBER, language="en")
        with pytest.raises(OutputRefusedError, match="workspace itself"):
            exports.run_export(request, workspace=workspace)
    assert demo_copy.read_bytes() == before


def test_several_units_give_a_block_and_chart_each(demo_file, tmp_path):
    with opened(demo_file, read_only=True):
        content = build_report_content(OCTOBER, [2, 3], generated_on=date(2026, 11, 5))
    assert content.units == ("Umeå store", "Luleå store")
    assert len(content.scorecard) == 26
    path = tmp_path / "units.xlsx"
    write_review_pack(content, path, language="en")
    sheet = openpyxl.load_workbook(path)["REV Revenue"]
    assert len(sheet._charts) == 2
    headings = [sheet.cell(row=r, column=1).value for r in range(1, sheet.max_row + 1)]
    assert "Umeå store" in headings and "Luleå store" in headings


def test_quarterly_kpis_show_their_latest_complete_quarter(demo_content):
    stock = next(line for line in demo_content.scorecard if line.kpi.code == "STOCK")
    assert stock.period == Period.quarter(2026, 3)
    section = next(s for s in demo_content.sections if s.kpi.code == "STOCK")
    assert section.series[0].rows[-1].period == Period.quarter(2026, 3)
    assert len(section.series[0].rows) == 8


def test_history_length_is_a_choice(demo_file):
    with opened(demo_file, read_only=True):
        content = build_report_content(OCTOBER, history=36)
    rev = next(s for s in content.sections if s.kpi.code == "REV")
    assert len(rev.series[0].rows) == 36
    assert rev.series[0].rows[0].period == Period.month(2023, 11)


def test_pack_file_path_is_a_path(pack):
    assert isinstance(pack, Path)


def test_a_reviews_pack_is_the_review_as_presented(demo_file, tmp_path):
    pytest.importorskip("kpidesk.services.reviews")
    with opened(demo_file, read_only=True):
        content = exports.review_report_content(1, today=date(2026, 11, 5), language="en")
    review = content.review
    assert review is not None and review.closed
    assert review.title == "Monthly review 2026-09"
    assert review.held_on == date(2026, 10, 9)
    assert "Karin Ek" in review.participants
    assert content.period == Period.month(2026, 9)
    assert content.units == ("Umeå store", "Luleå store", "Sundsvall store", "Online shop")
    assert len(content.scorecard) == 13 * 4
    first_unit = [line for line in content.scorecard if line.unit == "Umeå store"]
    assert first_unit[0].status is Status.RED  # off target first, as on the agenda
    assert {c.text for c in review.comments} >= {
        "Response time rose when two people left customer service; recruiting is under way."
    }
    resp = next(s for s in content.sections if s.kpi.code == "RESP")
    assert resp.comments and resp.comments[0].author == "Ali Hassan"
    assert len(resp.series) == 4
    assert {d.text for d in content.decisions} == {
        "Extra staff in customer service until the new year.",
        "Bring back the member discount in Luleå as a trial for a quarter.",
    }
    assert len(content.actions) == 4
    path = tmp_path / "review.xlsx"
    write_review_pack(content, path, language="en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-3:] == ["Comments", "Decisions", "Actions"]
    assert book["Overview"]["B3"].value == "Monthly review 2026-09"
    comments = book["Comments"]
    assert comments["C5"].value in {"Ali Hassan", "Sara Lind"}
    # best practice and the tips beside a red KPI; the strategy drawn with cells
    resp = book[next(name for name in book.sheetnames if name.startswith("RESP"))]
    texts = [cell.value for cell in resp["A"][:12] if isinstance(cell.value, str)]
    best = next(t for t in texts if t.startswith("★ Best: "))
    assert " behind" in best
    assert any(t.startswith("Tip: “Chat templates") and "tried" in t for t in texts)
    strategy = book["Strategy map"]
    assert strategy["A4"].value == "Norrland's best-loved home store – profitable and sustainable"
    cells = [c.value for row in strategy.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.endswith("Fast and accurate customer service") for v in cells)
    assert any("New customer service platform" in v for v in cells)


def test_an_unknown_review_is_refused(demo_file):
    with opened(demo_file, read_only=True), pytest.raises(exports.UnknownReviewError):
        exports.review_report_content(999)


def test_only_formula_like_text_gets_the_quote_prefix(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not looks_like_formula(cell.value):
                    assert not cell.quotePrefix, (sheet.title, cell.coordinate)


def test_shared_styles_stay_apart(tmp_path):
    content = hostile_content()
    plain = ScoreLine(
        content.scorecard[0].kpi, "Plain unit", Period.month(2026, 3), 1.0, 2.0, None,
        Status.GREEN, comment="plain comment",
    )  # fmt: skip
    mixed = ReportContent(
        workspace_name="Plain", period=content.period, units=("@Unit", "Plain unit"),
        generated_on=content.generated_on, scorecard=(content.scorecard[0], plain),
    )  # fmt: skip
    path = tmp_path / "mixed.xlsx"
    write_review_pack(mixed, path, language="en")
    sheet = openpyxl.load_workbook(path)["Scorecard"]
    assert sheet["D5"].value == "@Unit" and sheet["D5"].quotePrefix
    assert sheet["D6"].value == "Plain unit" and not sheet["D6"].quotePrefix
    assert sheet["M5"].alignment.indent == 1 and sheet["D6"].alignment.indent == 0


# Writing speed-ups keep openpyxl's output -------------------------------------------------


def _sheet_with_every_kind_of_cell(formula: bool = False):
    from datetime import datetime, time

    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    book = openpyxl.Workbook()
    sheet = book.active
    values = [
        "plain", " leading space", "trailing space ", "   ", "a & b < c > d \"q\" 'a'",
        "two\nlines", "Åsa · ✓ På rätt kurs", "#N/A", 0, -3, 1.5, 0.1 + 0.2, 1e-20, 12345678901234,
        True, date(2026, 10, 9), datetime(2026, 10, 9, 13, 45), time(8, 30), None, "",
    ]  # fmt: skip
    bold = Font(bold=True)
    for row, value in enumerate(values, start=1):
        sheet.cell(row=row, column=1).value = value
        styled = sheet.cell(row=row, column=3)
        styled.font = bold
        styled.value = value
    for column, text in enumerate(["=SUM(A1)", "+1", "-x", "@y"], start=4):
        set_text(sheet.cell(row=1, column=column), text)
    link = sheet.cell(row=2, column=5, value="Scorecard")
    link.hyperlink = Hyperlink(ref="E2", location="'Scorecard'!A1", display="Scorecard")
    sheet.cell(row=3, column=5, value="site").hyperlink = "https://example.com/?a=1&b=2"
    sheet.row_dimensions[2].height = 30
    sheet.row_dimensions[40].height = 12  # a row with a height and no cells
    sheet.cell(row=41, column=2).font = bold  # styled, empty
    if formula:
        sheet["F5"] = "=A5*2"
    return sheet


def _written(writer_class, sheet) -> bytes:
    from io import BytesIO

    writer = writer_class(sheet, out=BytesIO())
    writer.write()
    return writer.read()


@pytest.mark.parametrize("formula", [False, True], ids=["fast", "formula-falls-back"])
def test_rows_are_written_as_openpyxl_writes_them(formula):
    from xml.etree.ElementTree import canonicalize

    from openpyxl.worksheet._writer import WorksheetWriter

    from kpidesk.io import xlsx_saving

    expected = _written(WorksheetWriter, _sheet_with_every_kind_of_cell(formula))
    sheet = _sheet_with_every_kind_of_cell(formula)
    assert (xlsx_saving._rows_xml(sheet) is None) is formula
    written = _written(xlsx_saving._SheetWriter, sheet)
    if openpyxl.LXML:  # its lxml writer also marks whitespace-only text as preserved
        expected, written = (x.replace(b' xml:space="preserve"', b"") for x in (expected, written))
    else:  # the fast rows are what openpyxl's own serialiser writes, byte for byte
        assert written == expected
    assert canonicalize(written) == canonicalize(expected)
    assert b"kpidesk-rows" not in written


def test_each_chart_keeps_its_own_references_and_axis_format(book, demo_content):
    from kpidesk.io.xlsx_formats import axis_format

    for section in demo_content.sections:
        kpi = section.kpi
        sheet = book[book.sheetnames[3 + demo_content.sections.index(section)]]
        (chart,) = sheet._charts
        quoted = "'" + sheet.title.replace("'", "''") + "'!"
        assert all(s.val.numRef.f.startswith(quoted) for s in chart.series), sheet.title
        assert chart.y_axis.numFmt.formatCode == axis_format(kpi.measure_unit, "en", kpi.decimals)
        assert [s.smooth for s in chart.series] == [False] * len(chart.series)
        assert chart.x_axis.delete is False and chart.y_axis.delete is False


def test_text_that_looks_like_an_excel_error_stays_text():
    book = openpyxl.Workbook()
    cell = book.active.cell(row=1, column=1)
    set_text(cell, "#N/A")
    assert (cell.value, cell.data_type) == ("#N/A", "s")
    set_text(cell, "#DIV/0!")
    assert cell.data_type == "s"
