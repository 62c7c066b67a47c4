"""Writing a review pack: KPI Desk's openpyxl writer beside xlsxwriter alone, same run.

A pack of 50 KPIs × 36 months (cover, scorecard, a sheet with a table and a line chart per
KPI, decisions, actions). The baseline writes the same sheets and cells (8,859 here, as the
pack), number formats, status fills and fonts, links, frozen panes, filters, print set-up
and charts with xlsxwriter, the fastest Python writer. xlsxwriter is not a dependency of
KPI Desk; without it the bench says so.
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
from kpidesk.io.xlsx_formats import axis_format, number_format, to_cell_value

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
    """The same pack with xlsxwriter: every sheet, cell, format, link, chart and print set-up.

    It writes what the pack writes (cover facts and contents, title rows, column widths, row
    heights, hyperlinks, signed deviations, dates, the charts' axis formats, titles and text),
    and makes each format once, as a careful xlsxwriter user would.
    """
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.set_properties(
        {"title": "Review pack – October 2026", "subject": content.workspace_name}
        | {"author": "KPI Desk"}
    )
    font = {"font_name": "Calibri", "font_size": 11}
    rule = {"bottom": 1, "bottom_color": "#D0D7DE", "valign": "top"}
    muted = "#57606A"
    blue = palette.ACTUAL_LINE
    add = book.add_format
    header = add({**font, "bold": True, "font_color": "#FFFFFF", "bg_color": blue} | {
        "text_wrap": True, "valign": "vcenter"})  # fmt: skip
    header_right = add({**font, "bold": True, "font_color": "#FFFFFF", "bg_color": blue} | {
        "text_wrap": True, "valign": "vcenter", "align": "right"})  # fmt: skip
    title = add({**font, "font_size": 16, "bold": True, "font_color": blue})
    subtitle = add({**font, "font_color": muted})
    heading = add({**font, "font_size": 12, "bold": True, "font_color": blue})
    muted_note = add({**font, "font_size": 10, "italic": True, "font_color": muted})
    body = add(font)
    link = add({**font, "font_color": blue, "underline": 1})
    link_rule = add({**font, "font_color": blue, "underline": 1, **rule})
    text = add({**font, **rule})
    wrapped = add({**font, **rule, "text_wrap": True})
    indented = add({**font, **rule, "align": "left", "indent": 1})
    dated = add({**font, **rule, "num_format": "yyyy-mm-dd", "align": "left"})
    comment = add({**font, "valign": "top"})
    status_formats = {
        status: add({**font, **rule, "bold": True, "indent": 1} | {
            "font_color": palette.SYMBOL_COLORS[status], "bg_color": palette.FILL_COLORS[status]})
        for status in Status
    }  # fmt: skip
    number_formats: dict[tuple[int, bool], object] = {}

    def fmt(kpi: KpiInfo, signed: bool = False) -> object:
        key = (kpi.id, signed)
        if key not in number_formats:
            code = number_format(
                kpi.measure_unit, kpi.decimals, language, currency=content.currency,
                unit_label=kpi.unit_label, signed=signed,
            )  # fmt: skip
            number_formats[key] = add({**font, **rule, "num_format": code})
        return number_formats[key]

    status_texts = {s: f"{s.symbol} {STATUS_LABELS[s]}" for s in Status}
    period_text = format_period(content.period, language)
    names = {s.kpi.id: f"{s.kpi.code} {s.kpi.name}"[:31] for s in content.sections}

    def setup(sheet, rows: tuple[int, int] | None, landscape: bool = True) -> None:
        if landscape:
            sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.8)
        if rows:
            sheet.repeat_rows(*rows)
        options = {"margin": 0.3}
        small = "&9&K57606A"
        sheet.set_header(
            f"&L{small}{content.workspace_name}&R{small}Review pack · {period_text}", options
        )
        sheet.set_footer(f"&L{small}&A&R{small}Page &P of &N", options)

    def title_rows(sheet, first: str, second: str) -> None:
        sheet.set_row(0, 24)
        sheet.write_string(0, 0, first, title)
        sheet.write_string(1, 0, second, subtitle)

    def widths(sheet, values: list[float]) -> None:
        for column, width in enumerate(values):
            sheet.set_column(column, column, width)

    cover = book.add_worksheet("Overview")
    card = book.add_worksheet("Scorecard")
    cover.hide_gridlines(2)
    widths(cover, [3, 40, 70])
    cover.set_row(0, 10)
    band = add({"bg_color": blue})
    for column in range(3):
        cover.write_blank(0, column, None, band)
    cover.set_row(2, 34)
    cover.write_string(2, 1, "Review pack", add({**font, "font_size": 24, "bold": True}
        | {"font_color": blue}))  # fmt: skip
    cover.set_row(3, 20)
    cover.write_string(3, 1, content.workspace_name, add({**font, "font_size": 14}
        | {"font_color": muted}))  # fmt: skip
    label = add({**font, "bold": True, "font_color": muted, "valign": "top"})
    value_wrap = add({**font, "text_wrap": True, "valign": "top"})
    value_date = add({**font, "num_format": "yyyy-mm-dd", "align": "left", "valign": "top"})
    row = 5
    for name, value in (("Period", period_text), ("Units", ", ".join(content.units))):
        cover.write_string(row, 1, name, label)
        cover.write_string(row, 2, value, value_wrap)
        row += 1
    cover.write_string(row, 1, "Created", label)
    cover.write_datetime(row, 2, content.generated_on, value_date)
    row += 2
    cover.write_string(row, 1, f"Status of {len(content.scorecard)} KPIs", heading)
    row += 1
    for status, count in content.status_counts().items():
        cover.write_string(row, 1, status_texts[status], status_formats[status])
        cover.write_number(row, 2, count, add({**font, "align": "left", "valign": "top"}))
        row += 1
    row += 1
    cover.write_string(row, 1, "Contents", heading)
    row += 1
    entries = [("Scorecard", "Scorecard", "Every KPI's value, target and status", body)]
    worst = {line.kpi.id: line.status for line in content.scorecard}
    for section in content.sections:
        status = worst[section.kpi.id]
        entries.append((names[section.kpi.id], f"{section.kpi.code} {section.kpi.name}",
                        status_texts[status], add({**font, "bold": True}
                        | {"font_color": palette.SYMBOL_COLORS[status]})))  # fmt: skip
    entries.append(("Decisions", "Decisions", "Decisions from the reviews", body))
    entries.append(("Actions", "Actions", "Actions and their status", body))
    for target, shown, description, style in entries:
        cover.write_url(row, 1, f"internal:'{target}'!A1", link, string=shown)
        cover.write_string(row, 2, description, style)
        row += 1
    setup(cover, None, landscape=False)

    titles = ["Status", "KPI", "Code", "Unit", "Period", "Actual", "Target", "Deviation"]
    titles += ["Previous period", "Same period last year", "Year to date"]
    titles += ["Target year to date", "Owner"]
    title_rows(card, f"Scorecard – {period_text}", content.workspace_name)
    widths(card, [14, 24, 9, 15, 14] + [15] * 7 + [16])
    card.set_row(3, 36)
    for column, name in enumerate(titles):
        card.write_string(3, column, name, header_right if 5 <= column <= 11 else header)
    for row, line in enumerate(content.scorecard, start=4):
        kpi = line.kpi
        card.write_string(row, 0, status_texts[line.status], status_formats[line.status])
        card.write_url(row, 1, f"internal:'{names[kpi.id]}'!A1", link_rule, string=kpi.name)
        card.write_string(row, 2, kpi.code, text)
        card.write_string(row, 3, line.unit, text)
        card.write_string(row, 4, format_period(line.period, language), text)
        values = [line.value, line.target, line.deviation, line.previous_value]
        values += [line.last_year_value, line.ytd_value, line.ytd_target]
        for column, value in enumerate(values, start=5):
            number = to_cell_value(value, kpi.measure_unit)
            style = fmt(kpi, signed=column == 7)
            if number is None:
                card.write_blank(row, column, None, style)
            else:
                card.write_number(row, column, number, style)
        card.write_string(row, 12, kpi.owner, indented)
    card.freeze_panes(4, 2)
    card.autofilter(3, 0, 3 + len(content.scorecard), 12)
    setup(card, (3, 3))

    for section in content.sections:
        kpi = section.kpi
        name = names[kpi.id]
        sheet = book.add_worksheet(name)
        facts = f"{kpi.code} · {kpi.measure_unit} · direction · Monthly · Owner: {kpi.owner}"
        title_rows(sheet, kpi.name, facts)
        sheet.write_string(2, 0, kpi.definition, muted_note)
        series = section.series[0]
        sheet.write_string(4, 0, series.unit, heading)
        sheet.set_row(5, 21)
        for column, name_ in enumerate(["Period", "Actual", "Target", "Status", "Comment"]):
            sheet.write_string(5, column, name_, header_right if column in (1, 2) else header)
        rows = series.rows
        for row, line in enumerate(rows, start=6):
            sheet.write_string(row, 0, format_period(line.period, language, short=True), text)
            sheet.write_number(row, 1, to_cell_value(line.value, kpi.measure_unit), fmt(kpi))
            sheet.write_number(row, 2, to_cell_value(line.target, kpi.measure_unit), fmt(kpi))
            sheet.write_string(row, 3, status_texts[line.status], status_formats[line.status])
            if line.comment:
                sheet.write_string(row, 4, line.comment, comment)
        last = 5 + len(rows)
        chart = book.add_chart({"type": "line"})
        axis_text = {"name": "Calibri", "size": 9, "color": muted}
        for column, look in (
            (1, {"line": {"color": blue, "width": 2.25},
                 "marker": {"type": "circle", "size": 6, "fill": {"color": blue}}
                 | {"border": {"color": blue}}}),
            (2, {"line": {"color": palette.TARGET_LINE, "width": 1.5, "dash_type": "dash"},
                 "marker": {"type": "none"}}),
        ):  # fmt: skip
            chart.add_series(
                {
                    "name": [name, 5, column],
                    "categories": [name, 6, 0, last, 0],
                    "values": [name, 6, column, last, column],
                    "smooth": False,
                    **look,
                }
            )
        chart.set_x_axis(
            {"major_tick_mark": "outside", "label_position": "low", "interval_unit": 3}
            | {"num_font": axis_text}
        )
        chart.set_y_axis(
            {"num_format": axis_format(kpi.measure_unit, language, kpi.decimals)}
            | {"major_gridlines": {"visible": True}, "major_tick_mark": "outside"}
            | {"name": "%" if kpi.measure_unit == "percent" else kpi.unit_label or "SEK"}
            | {"num_font": axis_text}
        )
        chart.set_legend({"position": "bottom", "font": axis_text})
        chart.set_title({"none": True})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 643, "height": 302})  # 17 × 8 cm, as the pack
        sheet.insert_chart(5, 6, chart)
        widths(sheet, [16, 15, 15, 15, 46, 2])
        setup(sheet, (0, 1))

    decisions = book.add_worksheet("Decisions")
    title_rows(decisions, "Decisions", f"{content.workspace_name} · {period_text}")
    widths(decisions, [12, 60, 28, 28, 18, 30])
    for column, name in enumerate(["Date", "Decision", "KPI", "Goal", "Decided by", "Review"]):
        decisions.write_string(3, column, name, header)
    for row, line in enumerate(content.decisions, start=4):
        decisions.write_datetime(row, 0, line.decided_on, dated)
        for column, value in enumerate(
            (line.text, line.kpi, line.goal, line.decided_by, line.review), start=1
        ):
            decisions.write_string(row, column, value, text if column == 4 else wrapped)
    decisions.autofilter(3, 0, 3 + len(content.decisions), 5)
    decisions.freeze_panes(4, 0)
    setup(decisions, (3, 3))

    actions = book.add_worksheet("Actions")
    title_rows(actions, "Actions", f"{content.workspace_name} · {period_text}")
    widths(actions, [20, 56, 18, 12, 28, 28, 30])
    titles = ["Status", "Action", "Owner", "Due", "KPI", "Goal", "Review"]
    for column, name in enumerate(titles):
        actions.write_string(3, column, name, header)
    for row, line in enumerate(content.actions, start=4):
        actions.write_string(row, 0, line.status.capitalize(), text)
        actions.write_string(row, 1, line.title, wrapped)
        actions.write_string(row, 2, line.owner, text)
        actions.write_datetime(row, 3, line.due_date, dated)
        for column, value in enumerate((line.kpi, line.goal, line.review), start=4):
            actions.write_string(row, column, value, wrapped)
    actions.autofilter(3, 0, 3 + len(content.actions), 6)
    actions.freeze_panes(4, 0)
    setup(actions, (3, 3))
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
                "(no xlsxwriter baseline: make bench installs the bench extra)"
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
