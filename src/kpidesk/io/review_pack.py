"""The Excel review pack: cover, scorecard, a sheet per KPI with a native chart, decisions,
actions (and, for a review, its comments), written with openpyxl.

Every heading comes from ``gettext_for(language)``, so a Swedish pack is Swedish whatever the
app's language. Status is always colour *and* symbol, with the app's one palette. Numbers are
numbers with a format per KPI unit (see :mod:`kpidesk.io.xlsx_formats`); text never becomes a
formula (:mod:`kpidesk.io.xlsx_safety`). Every sheet prints landscape on A4, fitted to the
page width, with its title rows repeated and the page number in the footer.

Charts are set up explicitly, because openpyxl's defaults read differently elsewhere: in
LibreOffice its line series come out smoothed and its axes without labels unless every
series says ``smooth=False`` and both axes say ``delete=False``.

Saving is openpyxl's own, with two changes for speed (see :func:`_save`): sheets are written
in memory instead of through temporary files, and the cells of ``sheetData`` are serialised
by :func:`_rows_xml`, which writes what openpyxl's writer would, byte for byte, without an
element tree per cell.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from openpyxl.cell import Cell
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.axis import NumericAxis, TextAxis
from openpyxl.chart.data_source import AxDataSource, NumDataSource, NumRef, StrRef
from openpyxl.chart.legend import Legend
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import Series, SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from kpidesk import palette
from kpidesk.domain.numbers import MEASURE_UNIT_LABELS
from kpidesk.domain.periods import format_period
from kpidesk.domain.status import DIRECTION_LABELS, Direction, Status
from kpidesk.domain.terms import action_status_label
from kpidesk.io.pack_cells import (
    DATE_FORMAT,
    MUTED_TEXT,
    PackCells,
    Progress,
    _hex,
    _serialised_once,
)
from kpidesk.io.pack_strategy import write_strategy_sheet
from kpidesk.io.report_model import FREQUENCY_LABELS, KpiInfo, KpiSection, ReportContent, UnitSeries
from kpidesk.io.xlsx_formats import (
    axis_format,
    to_cell_value,
)
from kpidesk.io.xlsx_safety import set_text, sheet_title
from kpidesk.io.xlsx_saving import (
    _save,
)

CHART_WIDTH_CM = 17.0
CHART_HEIGHT_CM = 8.0
CHART_ROWS = 16  # rows of default height the chart covers, so the next block starts below it
ROWS_PER_PAGE = 48  # about what a landscape page fitted to width holds, for page breaks


def _no_progress(_done: int, _total: int) -> None:
    return None


class _PackWriter(PackCells):
    def __init__(self, content: ReportContent, language: str, progress: Progress) -> None:
        super().__init__(content, language, progress)
        self._look: _ChartLook | None = None

    # helpers ------------------------------------------------------------------------------

    def new_sheet(self, name: str) -> Worksheet:
        title = sheet_title(name, self.taken, fallback=self._("Sheet"))
        return self.workbook.create_sheet(title)

    # the workbook -------------------------------------------------------------------------
    def write(self, destination: Path) -> None:
        _ = self._
        content = self.content
        total = len(content.sections) + 6
        done = 0
        self.progress(done, total)
        cover = self.workbook.active
        assert cover is not None
        cover.title = sheet_title(_("Overview"), self.taken)
        strategy = self.new_sheet(_("Strategy map")) if content.strategy is not None else None
        scorecard = self.new_sheet(_("Scorecard"))
        # Names for the KPI sheets first, so the scorecard and cover can link to them.
        for section in content.sections:
            self.kpi_sheets[section.kpi.id] = sheet_title(
                f"{section.kpi.code} {section.kpi.name}", self.taken
            )
        comments_name = (
            sheet_title(_("Comments"), self.taken) if content.review is not None else None
        )
        decisions_name = sheet_title(_("Decisions"), self.taken)
        actions_name = sheet_title(_("Actions"), self.taken)

        if strategy is not None and content.strategy is not None:
            seen = " · ".join(p for p in (content.strategy.unit, self.period_text) if p)
            write_strategy_sheet(self, strategy, content.strategy, _("Strategy map"), seen)
        self.write_scorecard(scorecard)
        done += 1
        self.progress(done, total)
        for section in content.sections:
            sheet = self.workbook.create_sheet(self.kpi_sheets[section.kpi.id])
            self.write_kpi_sheet(sheet, section)
            done += 1
            self.progress(done, total)
        if comments_name is not None:
            self.write_comments(self.workbook.create_sheet(comments_name))
        self.write_decisions(self.workbook.create_sheet(decisions_name))
        self.write_actions(self.workbook.create_sheet(actions_name))
        done += 2
        self.progress(done, total)
        self.write_cover(
            cover,
            scorecard.title,
            comments_name,
            decisions_name,
            actions_name,
            strategy.title if strategy is not None else None,
        )
        self.set_properties()
        done += 1
        self.progress(done, total)
        self.workbook.active = 0
        _save(self.workbook, destination)
        self.progress(total, total)

    def set_properties(self) -> None:
        properties = self.workbook.properties
        properties.title = f"{self.document_title()} – {self.period_text}"
        properties.subject = self.content.workspace_name
        properties.creator = "KPI Desk"
        properties.language = self.language

    # cover --------------------------------------------------------------------------------
    def write_cover(
        self,
        sheet: Worksheet,
        scorecard_name: str,
        comments_name: str | None,
        decisions_name: str,
        actions_name: str,
        strategy_name: str | None = None,
    ) -> None:
        _ = self._
        content = self.content
        styles = self.styles
        sheet.sheet_view.showGridLines = False
        self.widths(sheet, [3, 40, 70])
        for column in range(1, 4):
            self.style(sheet.cell(row=1, column=column), ("band",), fill=styles.band_fill)
        sheet.row_dimensions[1].height = 10
        title = content.review.title if content.review is not None else _("Review pack")
        self.put_font_text(sheet.cell(row=3, column=2), title, styles.cover_title)
        sheet.row_dimensions[3].height = 34
        self.put_font_text(
            sheet.cell(row=4, column=2), content.workspace_name, styles.cover_subtitle
        )
        sheet.row_dimensions[4].height = 20

        facts: list[tuple[str, object]] = [
            (_("Period"), self.period_text),
            (_("Units"), ", ".join(content.units)),
        ]
        if content.review is not None:
            review = content.review
            facts.append((_("Meeting held on"), review.held_on))
            if review.participants:
                facts.append((_("Participants"), review.participants))
            facts.append((_("Review status"), _("Closed") if review.closed else _("Open")))
        facts.append((_("Created"), content.generated_on))
        row = 6
        for label, value in facts:
            label_cell = sheet.cell(row=row, column=2)
            self.style(label_cell, ("label",), font=styles.label, alignment=styles.top)
            set_text(label_cell, label)
            value_cell = sheet.cell(row=row, column=3)
            if isinstance(value, date):
                self.style(
                    value_cell,
                    ("fact date",),
                    number_format=DATE_FORMAT,
                    alignment=styles.top_left,
                    font=styles.body,
                )
                value_cell.value = value
            else:
                self.style(value_cell, ("fact",), alignment=styles.wrap, font=styles.body)
                set_text(value_cell, str(value or "–"))
            row += 1

        row += 1
        cell = sheet.cell(row=row, column=2)
        kpis = len({line.kpi.id for line in content.scorecard})
        if len(content.units) > 1:
            heading = _("Status of {count} KPIs in {units} units").format(
                count=kpis, units=len(content.units)
            )
        else:
            heading = _("Status of {count} KPIs").format(count=kpis)
        self.put_font_text(cell, heading, styles.heading)
        row += 1
        for status, count in content.status_counts().items():
            status_cell = sheet.cell(row=row, column=2)
            self.put_status(status_cell, status)
            count_cell = sheet.cell(row=row, column=3)
            self.style(count_cell, ("count",), font=styles.body, alignment=styles.top_left)
            count_cell.value = count
            row += 1

        row += 1
        self.put_font_text(sheet.cell(row=row, column=2), _("Contents"), styles.heading)
        row += 1
        statuses: dict[int, Status] = {}  # the worst of the KPI's units
        for line in content.scorecard:
            known = statuses.get(line.kpi.id)
            if known is None or _SEVERITY[line.status] > _SEVERITY[known]:
                statuses[line.kpi.id] = line.status
        entries: list[tuple[str, str, str, Status | None]] = []
        if strategy_name is not None:
            entries.append(
                (strategy_name, strategy_name, _("Vision, goals and their state on one page"), None)
            )
        entries.append(
            (scorecard_name, scorecard_name, _("Every KPI's value, target and status"), None)
        )
        for section in content.sections:
            worst = statuses.get(section.kpi.id)
            description = self.status_text(worst) if worst is not None else section.kpi.name
            text = f"{section.kpi.code} {section.kpi.name}"
            entries.append((self.kpi_sheets[section.kpi.id], text, description, worst))
        if comments_name is not None:
            entries.append((comments_name, comments_name, _("Comments from the meeting"), None))
        entries.append((decisions_name, decisions_name, _("Decisions from the reviews"), None))
        entries.append((actions_name, actions_name, _("Actions and their status"), None))
        for name, text, description, shown in entries:
            self.link(sheet.cell(row=row, column=2), text, name)
            font = styles.body if shown is None else styles.status_fonts[shown]
            self.put_font_text(sheet.cell(row=row, column=3), description, font)
            row += 1
        for note in content.notes:
            row += 1
            self.put_font_text(sheet.cell(row=row, column=2), note, styles.muted)
        self.print_setup(sheet, None)
        sheet.page_setup.orientation = "portrait"

    # scorecard ----------------------------------------------------------------------------
    def write_scorecard(self, sheet: Worksheet) -> None:
        _ = self._
        content = self.content
        with_comments = any(line.comment for line in content.scorecard)
        titles = [
            _("Status"),
            _("KPI"),
            _("Code"),
            _("Unit"),
            _("Period"),
            _("Actual"),
            _("Target"),
            _("Deviation"),
            _("Previous period"),
            _("Same period last year"),
            _("Year to date"),
            _("Target year to date"),
            _("Owner"),
        ]
        if with_comments:
            titles.append(_("Comment"))
        self.title_rows(
            sheet,
            _("Scorecard – {period}").format(period=self.period_text),
            self.units_line(),
        )
        header = 4
        unit_width = max([len(u) for u in content.units] + [10]) + 2
        name_width = max([len(line.kpi.name) for line in content.scorecard] + [22]) + 2
        code_width = max([len(line.kpi.code) for line in content.scorecard] + [7]) + 2
        widths = [14, min(name_width, 44), min(code_width, 26), min(unit_width, 28), 14]
        widths += [15] * 7 + [16]
        if with_comments:
            widths.append(50)
        self.widths(sheet, widths)
        self.header_row(sheet, header, titles, numeric={6, 7, 8, 9, 10, 11, 12}, lines=2)
        row = header
        for line in content.scorecard:
            row += 1
            kpi = line.kpi
            self.put_status(sheet.cell(row=row, column=1), line.status)
            name_cell = sheet.cell(row=row, column=2)
            target_sheet = self.kpi_sheets.get(kpi.id)
            if target_sheet:
                self.link(name_cell, kpi.name, target_sheet, border=True)
            else:
                self.put_text(name_cell, kpi.name)
            self.put_text(sheet.cell(row=row, column=3), kpi.code)
            self.put_text(sheet.cell(row=row, column=4), line.unit)
            self.put_text(sheet.cell(row=row, column=5), format_period(line.period, self.language))
            self.put_number(sheet.cell(row=row, column=6), line.value, kpi)
            self.put_number(sheet.cell(row=row, column=7), line.target, kpi)
            self.put_number(sheet.cell(row=row, column=8), line.deviation, kpi, signed=True)
            self.put_number(sheet.cell(row=row, column=9), line.previous_value, kpi)
            self.put_number(sheet.cell(row=row, column=10), line.last_year_value, kpi)
            self.put_number(sheet.cell(row=row, column=11), line.ytd_value, kpi)
            self.put_number(sheet.cell(row=row, column=12), line.ytd_target, kpi)
            owner = sheet.cell(row=row, column=13)
            self.style(
                owner, ("owner",), border=self.styles.row_border, alignment=self.styles.indented
            )
            set_text(owner, kpi.owner)
            if with_comments:
                self.put_text(sheet.cell(row=row, column=14), line.comment, wrap=True)
            self.end_row(sheet, row)
        sheet.freeze_panes = sheet.cell(row=header + 1, column=3)
        last_column = get_column_letter(len(titles))
        sheet.auto_filter.ref = f"A{header}:{last_column}{max(row, header + 1)}"
        self.print_setup(sheet, f"{header}:{header}")

    # one KPI ------------------------------------------------------------------------------
    def write_kpi_sheet(self, sheet: Worksheet, section: KpiSection) -> None:
        _ = self._
        kpi = section.kpi
        band = kpi.direction is Direction.WITHIN_BAND
        facts = [
            kpi.code,
            _(MEASURE_UNIT_LABELS.get(kpi.measure_unit, kpi.measure_unit))  # type: ignore[call-overload]
            if kpi.measure_unit in MEASURE_UNIT_LABELS
            else kpi.measure_unit,
            _(DIRECTION_LABELS[kpi.direction]),
            _(FREQUENCY_LABELS[kpi.frequency]),
        ]
        if kpi.owner:
            facts.append(_("Owner: {owner}").format(owner=kpi.owner))
        self.title_rows(sheet, kpi.name, " · ".join(facts))
        row = 3
        if kpi.definition:
            self.put_font_text(sheet.cell(row=row, column=1), kpi.definition, self.styles.muted)
            row += 1
        for comment in section.comments:
            author = f" ({comment.author})" if comment.author else ""
            text = f"{_('Comment from the meeting')}{author}: {comment.text}"
            self.put_font_text(sheet.cell(row=row, column=1), text, self.styles.body)
            row += 1
        if section.best_practice:
            text = "★ " + section.best_practice
            self.put_font_text(sheet.cell(row=row, column=1), text, self.styles.body)
            row += 1
        for tip in section.tips:
            text = _("Tip: {tip}").format(tip=tip)
            self.put_font_text(sheet.cell(row=row, column=1), text, self.styles.muted)
            row += 1
        row += 1
        titles = [_("Period"), _("Actual")]
        titles += [_("Target (low)"), _("Target (high)")] if band else [_("Target")]
        titles += [_("Status"), _("Comment")]
        status_column = len(titles) - 1
        comment_column = len(titles)
        chart_column = comment_column + 2
        page_start = 1
        for series in section.series:
            # a unit's table and chart are never split by a printed page break
            rows = max(len(series.rows) + 2, CHART_ROWS) + 2
            if row > page_start + 4 and row + rows - page_start > ROWS_PER_PAGE:
                sheet.row_breaks.append(Break(id=row - 1))
                page_start = row - 2  # the two title rows repeat on every page
            row = self.write_unit_block(
                sheet, kpi, series, row, titles, status_column, comment_column, chart_column
            )
        widths = [16, 15, 15] + ([15] if band else []) + [15, 46, 2]
        self.widths(sheet, widths)
        self.print_setup(sheet, "1:2")

    def write_unit_block(
        self,
        sheet: Worksheet,
        kpi: KpiInfo,
        series: UnitSeries,
        row: int,
        titles: list[str],
        status_column: int,
        comment_column: int,
        chart_column: int,
    ) -> int:
        """The unit's table from ``row`` and its chart beside it; returns the next free row."""
        band = kpi.direction is Direction.WITHIN_BAND
        self.put_font_text(sheet.cell(row=row, column=1), series.unit, self.styles.heading)
        header = row + 1
        self.header_row(sheet, header, titles, numeric=set(range(2, status_column)))
        current = header
        cell = _new_cell
        text_style = self.text_style(sheet)
        number_style = self.number_style(sheet, kpi)
        unit = kpi.measure_unit
        for line in series.rows:
            current += 1
            set_text(cell(sheet, current, 1, text_style), self.short_period(line.period))
            cell(sheet, current, 2, number_style).value = to_cell_value(line.value, unit)
            cell(sheet, current, 3, number_style).value = to_cell_value(line.target, unit)
            if band:
                cell(sheet, current, 4, number_style).value = to_cell_value(line.target_high, unit)
            status = line.status
            status_cell = cell(sheet, current, status_column, self.status_style(sheet, status))
            status_cell.value = self.status_text(status)
            if line.comment:  # empty comment cells are not written at all
                comment_style = self.style_array(sheet, ("comment",), alignment=self.styles.top)
                set_text(cell(sheet, current, comment_column, comment_style), line.comment)
        if series.rows:
            self.add_chart(sheet, kpi, series, header, current, band, header, chart_column)
        return max(current, header + CHART_ROWS) + 2

    def add_chart(
        self,
        sheet: Worksheet,
        kpi: KpiInfo,
        series: UnitSeries,
        header: int,
        last: int,
        band: bool,
        anchor_row: int,
        anchor_column: int,
    ) -> None:
        look = self._look
        if look is None:
            look = self._look = _ChartLook()
        chart = LineChart()
        chart.width = CHART_WIDTH_CM
        chart.height = CHART_HEIGHT_CM
        chart.title = None
        chart.display_blanks = "gap"
        categories = AxDataSource(
            numRef=NumRef(f=Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
        )
        for index, column in enumerate(range(2, 5 if band else 4)):
            values = Reference(sheet, min_col=column, min_row=header + 1, max_row=last)
            name = f"{values.sheetname}!{get_column_letter(column)}{header}"
            chart.series.append(
                Series(
                    tx=SeriesLabel(strRef=StrRef(name)),
                    spPr=look.target_line if index else look.actual_line,
                    marker=look.target_marker if index else look.actual_marker,
                    cat=categories,
                    val=NumDataSource(numRef=NumRef(f=values)),
                    smooth=False,
                )
            )
        count = last - header
        skip = (3 if count <= 40 else 6) if count > 18 else None
        chart.x_axis = look.x_axis(skip)
        chart.y_axis = look.y_axis(
            axis_format(kpi.measure_unit, self.language, kpi.decimals),
            _unit_title(kpi, self._, self.content.currency),
        )
        chart.legend = look.legend
        sheet.add_chart(chart, f"{get_column_letter(anchor_column)}{anchor_row}")

    # comments, decisions, actions ---------------------------------------------------------
    def write_comments(self, sheet: Worksheet) -> None:
        _ = self._
        review = self.content.review
        comments = review.comments if review is not None else ()
        self.title_rows(sheet, _("Comments from the meeting"), self.subtitle())
        self.widths(sheet, [32, 80, 22])
        self.header_row(sheet, 4, [_("KPI"), _("Comment"), _("By")])
        row = 4
        for comment in comments:
            row += 1
            self.put_text(sheet.cell(row=row, column=1), comment.kpi or "–")
            self.put_text(sheet.cell(row=row, column=2), comment.text, wrap=True)
            self.put_text(sheet.cell(row=row, column=3), comment.author)
            self.end_row(sheet, row)
        if not comments:
            self.empty_note(sheet, 5, _("No comments were written."))
        sheet.freeze_panes = "A5"
        self.print_setup(sheet, "4:4")

    def subtitle(self) -> str:
        return f"{self.content.workspace_name} · {self.period_text}"

    def units_line(self) -> str:
        """The workspace and the units, without saying the same name twice."""
        names = [self.content.workspace_name]
        names += [unit for unit in self.content.units if unit != self.content.workspace_name]
        return names[0] + (" · " + ", ".join(names[1:]) if len(names) > 1 else "")

    def empty_note(self, sheet: Worksheet, row: int, text: str) -> None:
        self.put_font_text(sheet.cell(row=row, column=1), text, self.styles.muted)

    def write_decisions(self, sheet: Worksheet) -> None:
        _ = self._
        decisions = self.content.decisions
        self.title_rows(sheet, _("Decisions"), self.subtitle())
        titles = [_("Date"), _("Decision"), _("KPI"), _("Goal"), _("Decided by"), _("Review")]
        self.widths(sheet, [12, 60, 28, 28, 18, 30])
        self.header_row(sheet, 4, titles)
        row = 4
        for decision in decisions:
            row += 1
            self.put_date(sheet.cell(row=row, column=1), decision.decided_on)
            self.put_text(sheet.cell(row=row, column=2), decision.text, wrap=True)
            self.put_text(sheet.cell(row=row, column=3), decision.kpi, wrap=True)
            self.put_text(sheet.cell(row=row, column=4), decision.goal, wrap=True)
            self.put_text(sheet.cell(row=row, column=5), decision.decided_by)
            self.put_text(sheet.cell(row=row, column=6), decision.review, wrap=True)
            self.end_row(sheet, row)
        if decisions:
            sheet.auto_filter.ref = f"A4:F{row}"
        else:
            self.empty_note(sheet, 5, _("No decisions were recorded for this period."))
        sheet.freeze_panes = "A5"
        self.print_setup(sheet, "4:4")

    def write_actions(self, sheet: Worksheet) -> None:
        _ = self._
        actions = self.content.actions
        self.title_rows(sheet, _("Actions"), self.subtitle())
        titles = [
            _("Status"),
            _("Action"),
            _("Owner"),
            _("Due"),
            _("KPI"),
            _("Goal"),
            _("Review"),
        ]
        self.widths(sheet, [20, 56, 18, 12, 28, 28, 30])
        self.header_row(sheet, 4, titles)
        row = 4
        for action in actions:
            row += 1
            status_cell = sheet.cell(row=row, column=1)
            label = _(action_status_label(action.status))
            if action.overdue:
                label = _("{status}, overdue").format(status=label)
                kind = Status.RED
            elif action.status == "done":
                kind = Status.GREEN
            elif action.status == "cancelled":
                kind = Status.NO_DATA
            else:
                kind = None
            styles = self.styles
            if kind is None:
                self.style(
                    status_cell, ("action", None), border=styles.row_border, alignment=styles.top
                )
            else:
                self.style(
                    status_cell,
                    ("action", kind),
                    border=styles.row_border,
                    alignment=styles.top,
                    font=styles.status_fonts[kind],
                    fill=styles.status_fills[kind],
                )
            set_text(status_cell, label)
            title = action.title
            if action.description:
                title = f"{title}\n{action.description}"
            self.put_text(sheet.cell(row=row, column=2), title, wrap=True)
            self.put_text(sheet.cell(row=row, column=3), action.owner)
            self.put_date(sheet.cell(row=row, column=4), action.due_date)
            self.put_text(sheet.cell(row=row, column=5), action.kpi, wrap=True)
            self.put_text(sheet.cell(row=row, column=6), action.goal, wrap=True)
            self.put_text(sheet.cell(row=row, column=7), action.review, wrap=True)
            self.end_row(sheet, row)
        if actions:
            sheet.auto_filter.ref = f"A4:G{row}"
        else:
            self.empty_note(sheet, 5, _("No actions are open or due."))
        sheet.freeze_panes = "A5"
        self.print_setup(sheet, "4:4")


_SEVERITY = {
    Status.NO_DATA: 0,
    Status.NO_TARGET: 1,
    Status.GREEN: 2,
    Status.AMBER: 3,
    Status.RED: 4,
}


def _new_cell(sheet: Worksheet, row: int, column: int, style: StyleArray) -> Cell:
    """A cell with ``style`` where ``sheet`` has none yet: ``sheet.cell`` without the look-up."""
    cell = Cell(sheet, row=row, column=column)
    cell._style = style
    sheet._add_cell(cell)
    return cell


def _unit_title(kpi: KpiInfo, _: Callable[[str], str], currency: str) -> str:
    if kpi.measure_unit == "percent":
        return "%"
    if kpi.measure_unit == "currency":
        return currency
    if kpi.measure_unit == "days":
        return _("days")
    if kpi.measure_unit == "hours":
        return _("hours")
    return kpi.unit_label


def _axis_text(size: int) -> RichText:
    properties = CharacterProperties(sz=size, solidFill=MUTED_TEXT)
    return RichText(
        p=[Paragraph(pPr=ParagraphProperties(defRPr=properties), endParaRPr=properties)]
    )


class _ChartLook:
    """What every chart shares: line styles, markers, legend and axes (one per format, title
    and label spacing), each serialised once. Nothing changes them once made.
    """

    def __init__(self) -> None:
        actual = _hex(palette.ACTUAL_LINE)
        self.actual_line = GraphicalProperties(ln=LineProperties(solidFill=actual, w=28575))
        marker_fill = GraphicalProperties(solidFill=actual, ln=LineProperties(solidFill=actual))
        self.actual_marker = Marker(symbol="circle", size=6, spPr=marker_fill)
        self.target_line = GraphicalProperties(
            ln=LineProperties(solidFill=_hex(palette.TARGET_LINE), w=19050, prstDash="dash")
        )  # 2.25 and 1.5 pt
        self.target_marker = Marker(symbol="none")
        self.text = _axis_text(900)
        self.legend = Legend(legendPos="b", txPr=self.text)
        for part in (
            self.actual_line,
            self.actual_marker,
            self.target_line,
            self.target_marker,
            self.legend,
        ):
            _serialised_once(part)
        self._x_axes: dict[int | None, TextAxis] = {}
        self._y_axes: dict[tuple[str, str], NumericAxis] = {}

    def x_axis(self, skip: int | None) -> TextAxis:
        """Period labels below the plot, every ``skip``-th one."""
        axis = self._x_axes.get(skip)
        if axis is None:
            axis = TextAxis(delete=False, majorTickMark="out", tickLblPos="low", txPr=self.text)
            axis.tickLblSkip = skip
            axis = self._x_axes[skip] = _serialised_once(axis)
        return axis

    def y_axis(self, number_format: str, title: str) -> NumericAxis:
        key = (number_format, title)
        axis = self._y_axes.get(key)
        if axis is None:
            axis = NumericAxis(delete=False, majorTickMark="out", txPr=self.text)
            axis.number_format = number_format
            axis.numFmt.sourceLinked = False
            axis.title = title
            axis = self._y_axes[key] = _serialised_once(axis)
        return axis


# saving -----------------------------------------------------------------------------------


def write_review_pack(
    content: ReportContent,
    destination: Path | str,
    *,
    language: str,
    progress: Progress | None = None,
) -> None:
    """Write ``content`` as an Excel workbook at ``destination`` (overwritten).

    ``progress(done, total)`` is called after each sheet; it may raise to stop the work
    (the caller then removes the half-written file).
    """
    _PackWriter(content, language, progress or _no_progress).write(Path(destination))
