"""Writing a review pack: KPI Desk's openpyxl writer beside xlsxwriter alone, same run.

A pack of 50 KPIs × 36 months (cover, scorecard, a sheet with a table and a line chart per
KPI, decisions, actions). The baseline writes the same sheets, number formats, status fills
and fonts, frozen panes, filters, print set-up and charts with xlsxwriter, the fastest
Python writer. xlsxwriter is not a dependency of KPI Desk; without it the bench says so.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

from kpidesk import palette
from kpidesk.domain.periods import Period, PeriodKind, format_period
from kpidesk.domain.status import STATUS_LABELS, Direction, Status
from kpidesk.io.report_model import (
    ActionLine,
    DecisionLine,
    KpiInfo,
    KpiSection,
    PeriodRow,
    ReportContent,
    ScoreLine,
    UnitSeries,
)
from kpidesk.io.review_pack import write_review_pack
from kpidesk.io.xlsx_formats import number_format, to_cell_value

KPIS = 50
MONTHS = 36
GOAL = 1.5
UNITS = ("percent", "currency", "count", "days", "hours")
STATUSES = (Status.GREEN, Status.AMBER, Status.RED, Status.NO_DATA)


def pack_content(kpis: int = KPIS, months: int = MONTHS) -> ReportContent:
    """A pack's content made up in memory (no workspace), the same for both writers."""
    last = Period.month(2026, 10)
    periods = [last.shift(offset) for offset in range(-(months - 1), 1)]
    sections, lines = [], []
    for index in range(kpis):
        unit = UNITS[index % len(UNITS)]
        kpi = KpiInfo(
            id=index + 1,
            code=f"K{index + 1:02d}",
            name=f"Key figure number {index + 1}",
            measure_unit=unit,
            decimals=1 if unit in ("percent", "hours") else 0,
            direction=Direction.HIGHER_IS_BETTER if index % 3 else Direction.LOWER_IS_BETTER,
            frequency=PeriodKind.MONTH,
            owner="Karin Ek",
            definition="How it is counted, and where the numbers come from.",
        )
        rows = tuple(
            PeriodRow(
                period,
                50.0 + (index * 7 + month * 3) % 40,
                60.0,
                None,
                STATUSES[(index + month) % 4],
                "Comment" if month % 9 == 0 else "",
            )
            for month, period in enumerate(periods)
        )
        sections.append(KpiSection(kpi, (UnitSeries("Whole company", rows),)))
        final = rows[-1]
        lines.append(
            ScoreLine(
                kpi, "Whole company", last, final.value, final.target, None, final.status,
                rows[-2].value, rows[-13].value, 600.0, 650.0,
            )
        )  # fmt: skip
    decisions = tuple(
        DecisionLine(f"Decision {i}", date(2026, 10, 9), "Karin Ek", "K01", "", "Review")
        for i in range(10)
    )
    actions = tuple(
        ActionLine(f"Action {i}", "open", "Ali Hassan", date(2026, 11, 1), "K02") for i in range(20)
    )
    return ReportContent(
        "Bench AB", last, ("Whole company",), date(2026, 11, 1), "SEK",
        tuple(lines), tuple(sections), decisions, actions,
    )  # fmt: skip


def write_with_xlsxwriter(content: ReportContent, path: Path, language: str = "en") -> None:
    """The same pack with xlsxwriter: sheets, formats, fills, charts, print set-up."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    base = {"font_name": "Calibri", "valign": "top", "bottom": 1, "bottom_color": "#D0D7DE"}
    header = book.add_format(
        {"bold": True, "font_color": "#FFFFFF", "bg_color": palette.ACTUAL_LINE, "text_wrap": 1}
    )
    title = book.add_format({"bold": True, "font_size": 16, "font_color": palette.ACTUAL_LINE})
    text = book.add_format(base)
    status_formats = {
        status: book.add_format(
            {
                **base,
                "bold": True,
                "font_color": palette.SYMBOL_COLORS[status],
                "bg_color": palette.FILL_COLORS[status],
                "indent": 1,
            }
        )
        for status in Status
    }
    number_formats: dict[str, object] = {}

    def fmt(kpi: KpiInfo) -> object:
        code = number_format(kpi.measure_unit, kpi.decimals, language)
        if code not in number_formats:
            number_formats[code] = book.add_format({**base, "num_format": code})
        return number_formats[code]

    def setup(sheet, rows: str) -> None:
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(*rows)
        sheet.set_header("&L" + content.workspace_name + "&RReview pack")
        sheet.set_footer("&L&A&RPage &P of &N")

    cover = book.add_worksheet("Overview")
    cover.hide_gridlines(2)
    cover.write(2, 1, "Review pack", title)
    for row, section in enumerate(content.sections, start=6):
        name = f"{section.kpi.code} {section.kpi.name}"
        cover.write_url(row, 1, f"internal:'{name}'!A1", string=name)

    card = book.add_worksheet("Scorecard")
    titles = ["Status", "KPI", "Code", "Unit", "Period", "Actual", "Target", "Deviation"]
    titles += ["Previous", "Last year", "YTD", "YTD target", "Owner"]
    card.write_row(3, 0, titles, header)
    for row, line in enumerate(content.scorecard, start=4):
        kpi = line.kpi
        status = f"{line.status.symbol} {STATUS_LABELS[line.status]}"
        card.write(row, 0, status, status_formats[line.status])
        card.write(row, 1, kpi.name, text)
        card.write(row, 2, kpi.code, text)
        card.write(row, 3, line.unit, text)
        card.write(row, 4, format_period(line.period, language), text)
        values = [line.value, line.target, line.deviation, line.previous_value]
        values += [line.last_year_value, line.ytd_value, line.ytd_target]
        for column, value in enumerate(values, start=5):
            card.write(row, column, to_cell_value(value, kpi.measure_unit), fmt(kpi))
        card.write(row, 12, kpi.owner, text)
    card.freeze_panes(4, 2)
    card.autofilter(3, 0, 3 + len(content.scorecard), 12)
    setup(card, (3, 3))

    for section in content.sections:
        kpi = section.kpi
        sheet = book.add_worksheet(f"{kpi.code} {kpi.name}"[:31])
        sheet.write(0, 0, kpi.name, title)
        sheet.write_row(4, 0, ["Period", "Actual", "Target", "Status", "Comment"], header)
        rows = section.series[0].rows
        for row, line in enumerate(rows, start=5):
            sheet.write(row, 0, format_period(line.period, language, short=True), text)
            sheet.write(row, 1, to_cell_value(line.value, kpi.measure_unit), fmt(kpi))
            sheet.write(row, 2, to_cell_value(line.target, kpi.measure_unit), fmt(kpi))
            status = f"{line.status.symbol} {STATUS_LABELS[line.status]}"
            sheet.write(row, 3, status, status_formats[line.status])
            sheet.write(row, 4, line.comment, text)
        last = 4 + len(rows)
        chart = book.add_chart({"type": "line"})
        name = sheet.get_name()
        chart.add_series(
            {
                "name": [name, 4, 1],
                "categories": [name, 5, 0, last, 0],
                "values": [name, 5, 1, last, 1],
                "line": {"color": palette.ACTUAL_LINE, "width": 2.25},
                "marker": {"type": "circle", "size": 6, "fill": {"color": palette.ACTUAL_LINE}},
                "smooth": False,
            }
        )
        chart.add_series(
            {
                "name": [name, 4, 2],
                "categories": [name, 5, 0, last, 0],
                "values": [name, 5, 2, last, 2],
                "line": {"color": palette.TARGET_LINE, "width": 1.5, "dash_type": "dash"},
                "marker": {"type": "none"},
                "smooth": False,
            }
        )
        chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 640, "height": 300})
        sheet.insert_chart(4, 6, chart)
        sheet.set_column(0, 0, 16)
        sheet.set_column(4, 4, 46)
        setup(sheet, (0, 1))

    for name, lines in (("Decisions", content.decisions), ("Actions", content.actions)):
        sheet = book.add_worksheet(name)
        sheet.write_row(3, 0, ["Date", "Text", "KPI", "Owner"], header)
        for row, line in enumerate(lines, start=4):
            sheet.write(row, 1, getattr(line, "text", "") or getattr(line, "title", ""), text)
        setup(sheet, (3, 3))
    book.close()


def _interleaved(first, second, repeats: int = 7) -> tuple[float, float]:
    """The best of ``repeats`` runs of each, taken in turn so both see the same machine."""
    best_first = best_second = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        first()
        best_first = min(best_first, time.perf_counter() - start)
        start = time.perf_counter()
        second()
        best_second = min(best_second, time.perf_counter() - start)
    return best_first, best_second


def bench_export() -> None:
    content = pack_content()
    with tempfile.TemporaryDirectory() as folder:
        ours_path = Path(folder) / "ours.xlsx"
        base_path = Path(folder) / "baseline.xlsx"

        def ours_run() -> None:
            write_review_pack(content, ours_path, language="en")

        try:
            import xlsxwriter  # noqa: F401
        except ImportError:
            ours, _none = _interleaved(ours_run, lambda: None)
            print(
                f"review pack {KPIS} KPIs × {MONTHS} months: openpyxl {ours:.2f} s "
                "(no xlsxwriter baseline: pip install xlsxwriter to compare)"
            )
            return
        ours, baseline = _interleaved(ours_run, lambda: write_with_xlsxwriter(content, base_path))
    ratio = ours / baseline
    verdict = "within" if ratio <= GOAL else "over"
    print(
        f"review pack {KPIS} KPIs × {MONTHS} months: openpyxl {ours:.2f} s, "
        f"xlsxwriter alone {baseline:.2f} s, ratio {ratio:.2f} ({verdict} the goal of {GOAL})"
    )


if __name__ == "__main__":
    bench_export()
