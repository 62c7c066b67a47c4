"""The PDF report: the review pack's content on A4 pages, drawn with QPainter on QPdfWriter.

A cover, a contents page with page numbers, the scorecard, a page (or more) per KPI with its
chart and table per unit, the meeting's comments (for a review), decisions and actions.
Every page but the cover has a header (workspace, report, period) and a footer with the
page number. Layout happens first (font metrics of the PDF device), so the contents page
knows where everything lands; then the pages are painted one by one, reporting progress.

Uses no widgets; call it on the GUI thread (the app does) with a QGuiApplication running.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from kpidesk import palette
from kpidesk.domain.numbers import MEASURE_UNIT_LABELS, format_deviation, format_value
from kpidesk.domain.periods import format_period
from kpidesk.domain.status import DIRECTION_LABELS, STATUS_LABELS, Direction, Status
from kpidesk.domain.strategy_layout import StrategyMap
from kpidesk.domain.terms import action_status_label
from kpidesk.i18n import gettext_for
from kpidesk.io.report_model import FREQUENCY_LABELS, KpiInfo, KpiSection, ReportContent, UnitSeries
from kpidesk.ui.render.charts import MUTED_COLOR, TEXT_COLOR, draw_kpi_chart, ui_font
from kpidesk.ui.render.pdf_layout import (
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    RESOLUTION,
    RULE_COLOR,
    Cell,
    Column,
    Page,
    _Layout,
    mm,
)
from kpidesk.ui.render.strategy_map import fit_into

Progress = Callable[[int, int], None]


class _Report:
    def __init__(self, content: ReportContent, language: str, writer: QPdfWriter) -> None:
        self.content = content
        self.language = language
        self._ = gettext_for(language)
        self.layout = _Layout(writer)
        self.period_text = format_period(content.period, language)
        self.body = ui_font(8.5)
        self.small = ui_font(7.5)
        self.bold = ui_font(8.5, bold=True)
        self.heading = ui_font(16, bold=True)
        self.subheading = ui_font(11, bold=True)
        self.muted = ui_font(8.5)
        self.muted.setItalic(True)
        self.contents: list[tuple[str, int, int]] = []  # text, page index, level

    @property
    def title(self) -> str:
        if self.content.review is not None:
            return self.content.review.title
        return self._("Review pack")

    def value(self, kpi: KpiInfo, value: float | None, *, signed: bool = False) -> str:
        if value is None:
            return "–"
        if signed:  # a deviation: percentage points for a percent KPI, as the app says
            return format_deviation(
                value,
                kpi.measure_unit,
                decimals=kpi.decimals,
                language=self.language,
                currency=self.content.currency,
                unit_label=kpi.unit_label,
            )
        return format_value(
            value,
            kpi.measure_unit,
            decimals=kpi.decimals,
            language=self.language,
            currency=self.content.currency,
            unit_label=kpi.unit_label,
        )

    def status_cell(self, status: Status) -> Cell:
        return Cell(
            f"{status.symbol} {self._(STATUS_LABELS[status])}",
            color=palette.SYMBOL_COLORS[status],
            fill=palette.FILL_COLORS[status],
            bold=True,
        )

    def section_heading(self, text: str, subtitle: str = "") -> None:
        layout = self.layout
        layout.paragraph(text, self.heading, color=palette.ACTUAL_LINE, gap=mm(1))
        if subtitle:
            layout.paragraph(subtitle, self.body, color=MUTED_COLOR, gap=mm(4))
        else:
            layout.space(mm(3))

    # building -----------------------------------------------------------------------------
    def build(self) -> list[Page]:
        _ = self._
        content = self.content
        layout = self.layout
        layout.new_page(decorated=False)  # the cover, drawn last when counts are known
        if content.strategy is not None:
            layout.new_page()
            self.contents.append((_("Strategy map"), layout.page_index, 0))
            self.build_strategy(content.strategy)
        entries = (
            3
            + len(content.sections)
            + (1 if content.review is not None else 0)
            + (1 if content.strategy is not None else 0)
        )
        per_page = max(1, int((layout.bottom - layout.top - mm(20)) / mm(6.5)))
        contents_pages = math.ceil(entries / per_page)
        first_contents = len(layout.pages)
        for _index in range(contents_pages):
            layout.new_page()

        layout.new_page()
        self.contents.append((_("Scorecard"), layout.page_index, 0))
        self.build_scorecard()
        for section in content.sections:
            layout.new_page()
            self.contents.append((f"{section.kpi.code} · {section.kpi.name}", layout.page_index, 1))
            self.build_section(section)
        if content.review is not None:
            layout.new_page()
            self.contents.append((_("Comments from the meeting"), layout.page_index, 0))
            self.build_comments()
        if content.review is None:
            layout.new_page()
        else:  # after the meeting's comments, on the same page if there is room
            layout.space(mm(8))
            if layout.room() < mm(60):
                layout.new_page()
        self.contents.append((_("Decisions"), layout.page_index, 0))
        self.build_decisions()
        layout.space(mm(8))
        if layout.room() < mm(60):
            layout.new_page()
        self.contents.append((_("Actions"), layout.page_index, 0))
        self.build_actions()
        self.build_contents(first_contents, contents_pages, per_page)
        self.build_cover()
        return layout.pages

    def build_strategy(self, smap: StrategyMap) -> None:
        """The strategy on one page: the map scaled to the page, under its heading."""
        _ = self._
        self.section_heading(
            _("Strategy map"), " · ".join(p for p in (smap.unit, self.period_text) if p)
        )
        layout = self.layout
        area = QRectF(layout.left, layout.y, layout.width, layout.bottom - layout.y)
        language = self.language
        layout.add(lambda painter: fit_into(painter, smap, area, language))
        layout.y = layout.bottom

    def build_cover(self) -> None:
        _ = self._
        content = self.content
        layout = self.layout
        page = layout.pages[0]
        left, width = layout.left, layout.width
        title_font = ui_font(28, bold=True)
        name_font = ui_font(16)
        label_font = ui_font(10, bold=True)
        value_font = ui_font(10)
        count_font = ui_font(24, bold=True)
        facts: list[tuple[str, str]] = [
            (_("Period"), self.period_text),
            (_("Units"), ", ".join(content.units)),
        ]
        if content.review is not None:
            review = content.review
            if review.held_on:
                facts.append((_("Meeting held on"), review.held_on.isoformat()))
            if review.participants:
                facts.append((_("Participants"), review.participants))
            facts.append((_("Review status"), _("Closed") if review.closed else _("Open")))
        facts.append((_("Created"), content.generated_on.isoformat()))
        counts = content.status_counts()
        title = self.title
        heading = status_heading(content, _)
        label_width = mm(42)
        measure = layout.metrics(value_font)
        note_font = ui_font(9)
        note_metrics = layout.metrics(note_font)
        notes = [f"! {note}" for note in content.notes]

        def draw(painter: QPainter) -> None:
            painter.fillRect(QRectF(0, 0, mm(PAGE_WIDTH_MM), mm(16)), QColor(palette.ACTUAL_LINE))
            y = mm(62)
            painter.setFont(title_font)
            painter.setPen(QColor(palette.ACTUAL_LINE))
            rect = QRectF(left, y, width, mm(40))
            bounds = painter.boundingRect(rect, int(Qt.TextFlag.TextWordWrap), title)
            painter.drawText(rect, int(Qt.TextFlag.TextWordWrap), title)
            y += bounds.height() + mm(3)
            painter.setFont(name_font)
            painter.setPen(QColor(MUTED_COLOR))
            painter.drawText(QRectF(left, y, width, mm(10)), 0, content.workspace_name)
            y += mm(22)
            for label, value in facts:
                painter.setFont(label_font)
                painter.setPen(QColor(MUTED_COLOR))
                painter.drawText(QRectF(left, y, label_width, mm(8)), 0, label)
                painter.setFont(value_font)
                painter.setPen(QColor(TEXT_COLOR))
                box = QRectF(left + label_width, y, width - label_width, mm(40))
                used = measure.boundingRect(box, int(Qt.TextFlag.TextWordWrap), value)
                painter.drawText(box, int(Qt.TextFlag.TextWordWrap), value)
                y += max(used.height(), mm(5)) + mm(2.5)
            y += mm(12)
            painter.setFont(ui_font(12, bold=True))
            painter.setPen(QColor(palette.ACTUAL_LINE))
            painter.drawText(QRectF(left, y, width, mm(8)), 0, heading)
            y += mm(10)
            gap = mm(4)
            tiles = len(Status)
            tile = (width - (tiles - 1) * gap) / tiles
            for index, status in enumerate(Status):
                x = left + index * (tile + gap)
                box = QRectF(x, y, tile, mm(26))
                painter.fillRect(box, QColor(palette.FILL_COLORS[status]))
                painter.setPen(QColor(palette.SYMBOL_COLORS[status]))
                painter.setFont(count_font)
                painter.drawText(
                    box.adjusted(mm(4), mm(2), -mm(4), -mm(11)),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    str(counts[status]),
                )
                painter.setFont(ui_font(9.5, bold=True))
                painter.drawText(
                    box.adjusted(mm(4), mm(15), -mm(2), -mm(2)),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    f"{status.symbol} {_(STATUS_LABELS[status])}",
                )
            y += mm(34)
            painter.setFont(note_font)
            painter.setPen(QColor(palette.SYMBOL_COLORS[Status.RED]))
            for note in notes:
                box = QRectF(left, y, width, mm(30))
                used = note_metrics.boundingRect(box, int(Qt.TextFlag.TextWordWrap), note)
                painter.drawText(box, int(Qt.TextFlag.TextWordWrap), f"{note}")
                y += used.height() + mm(1.5)

        page.ops.append(draw)

    def build_contents(self, first: int, count: int, per_page: int) -> None:
        _ = self._
        layout = self.layout
        font = ui_font(10)
        bold = ui_font(10, bold=True)
        line = mm(6.5)
        title = _("Contents")
        for page_offset in range(count):
            page = layout.pages[first + page_offset]
            chunk = self.contents[page_offset * per_page : (page_offset + 1) * per_page]

            def draw(painter: QPainter, chunk=chunk, show_title=page_offset == 0) -> None:
                y = layout.top
                if show_title:
                    painter.setFont(self.heading)
                    painter.setPen(QColor(palette.ACTUAL_LINE))
                    painter.drawText(QRectF(layout.left, y, layout.width, mm(10)), 0, title)
                    y += mm(16)
                for text, page_index, level in chunk:
                    painter.setFont(bold if level == 0 else font)
                    painter.setPen(QColor(TEXT_COLOR))
                    indent = mm(6) * level
                    number = str(page_index + 1)
                    metrics = QFontMetricsF(painter.font(), painter.device())
                    number_width = metrics.horizontalAdvance(number)
                    available = layout.width - indent - number_width - mm(8)
                    shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, available)
                    text_width = metrics.horizontalAdvance(shown)
                    painter.drawText(QPointF(layout.left + indent, y + metrics.ascent()), shown)
                    painter.drawText(
                        QPointF(layout.left + layout.width - number_width, y + metrics.ascent()),
                        number,
                    )
                    dots = QPen(QColor(RULE_COLOR), mm(0.35))
                    dots.setStyle(Qt.PenStyle.DotLine)
                    painter.setPen(dots)
                    baseline = y + metrics.ascent()
                    painter.drawLine(
                        QPointF(layout.left + indent + text_width + mm(2), baseline),
                        QPointF(layout.left + layout.width - number_width - mm(2), baseline),
                    )
                    y += line

            page.ops.append(draw)

    def build_scorecard(self) -> None:
        _ = self._
        content = self.content
        self.section_heading(
            _("Scorecard – {period}").format(period=self.period_text), self.units_line()
        )
        right = Qt.AlignmentFlag.AlignRight
        with_ytd = any(line.ytd_value is not None for line in content.scorecard)
        columns = [
            Column(_("Status"), 27),
            Column(_("KPI"), 38),
            Column(_("Period"), 17),
            Column(_("Actual"), 24, right),
            Column(_("Target"), 23, right),
            Column(_("Deviation"), 21, right),
            Column(_("Year to date") if with_ytd else _("Previous period"), 24, right),
        ]
        rows: list[Sequence[Cell] | str] = []
        several = len(content.units) > 1
        current_unit = None
        for line in content.scorecard:
            if several and line.unit != current_unit:
                rows.append(line.unit)
                current_unit = line.unit
            kpi = line.kpi
            deviation = line.deviation
            deviation_color = None
            if deviation:
                good = (deviation > 0) == (kpi.direction is Direction.HIGHER_IS_BETTER)
                if kpi.direction is Direction.WITHIN_BAND:
                    good = False
                deviation_color = palette.GOOD_CHANGE if good else palette.BAD_CHANGE
            rows.append(
                [
                    self.status_cell(line.status),
                    Cell(kpi.name),
                    Cell(format_period(line.period, self.language, short=True)),
                    Cell(self.value(kpi, line.value), bold=True),
                    Cell(self.target_text(kpi, line.target, line.target_high)),
                    Cell(self.value(kpi, deviation, signed=True), color=deviation_color),
                    Cell(self.value(kpi, line.ytd_value if with_ytd else line.previous_value)),
                ]
            )
        self.layout.table(columns, rows, font=self.body, header_font=self.bold)
        if not content.scorecard:
            self.layout.paragraph(_("No KPIs to show."), self.muted, color=MUTED_COLOR)

    def target_text(self, kpi: KpiInfo, low: float | None, high: float | None) -> str:
        if low is None:
            return "–"
        if kpi.direction is Direction.WITHIN_BAND and high is not None:
            return f"{self.value(kpi, low)}–{self.value(kpi, high)}"
        return self.value(kpi, low)

    def units_line(self) -> str:
        names = [self.content.workspace_name]
        names += [u for u in self.content.units if u != self.content.workspace_name]
        return " · ".join([names[0], ", ".join(names[1:])]) if len(names) > 1 else names[0]

    def build_section(self, section: KpiSection) -> None:
        _ = self._
        kpi = section.kpi
        layout = self.layout
        unit_label = MEASURE_UNIT_LABELS.get(kpi.measure_unit)  # type: ignore[call-overload]
        facts = [
            kpi.code,
            _(unit_label) if unit_label else kpi.measure_unit,
            _(DIRECTION_LABELS[kpi.direction]),
            _(FREQUENCY_LABELS[kpi.frequency]),
        ]
        if kpi.owner:
            facts.append(_("Owner: {owner}").format(owner=kpi.owner))
        layout.paragraph(kpi.name, self.heading, color=palette.ACTUAL_LINE, gap=mm(1))
        layout.paragraph(" · ".join(facts), self.body, color=MUTED_COLOR, gap=mm(2))
        layout.paragraph(kpi.definition, self.muted, color=MUTED_COLOR, gap=mm(2))
        for comment in section.comments:
            author = f" ({comment.author})" if comment.author else ""
            layout.paragraph(
                f"{_('Comment from the meeting')}{author}: {comment.text}",
                self.body,
                gap=mm(1.5),
            )
        layout.space(mm(3))
        compact = len(section.series) > 1
        for series in section.series:
            if not (compact and self.build_series_compact(kpi, series)):
                self.build_series(kpi, series)

    def build_series_compact(self, kpi: KpiInfo, series: UnitSeries) -> bool:
        """Chart and table side by side, so three units fit on a page; False if too long."""
        _ = self._
        layout = self.layout
        band = kpi.direction is Direction.WITHIN_BAND
        font = ui_font(7.5)
        header_font = ui_font(7.5, bold=True)
        padding = mm(0.8)
        line = layout.metrics(font).height() + 2 * padding
        table_height = line * (len(series.rows) + 1 + (1 if band else 0)) + mm(1)
        heading_height = layout.metrics(self.subheading).height() + mm(2)
        block = max(table_height, mm(58))
        if heading_height + block > layout.bottom - layout.top - mm(30):
            return False
        layout.ensure(heading_height + block + mm(2))
        layout.paragraph(series.unit, self.subheading, color=TEXT_COLOR, gap=mm(2))
        half = (layout.width - mm(6)) / 2
        top = layout.y
        rect = QRectF(layout.left, top, half, block)
        rows = series.rows
        language, currency = self.language, self.content.currency

        def draw(painter: QPainter) -> None:
            draw_kpi_chart(painter, rect, kpi, rows, language=language, currency=currency)

        layout.add(draw)
        right = Qt.AlignmentFlag.AlignRight
        columns = [Column(_("Period"), 18), Column(_("Actual"), 22, right)]
        columns += (
            [Column(_("Target (low)"), 20, right), Column(_("Target (high)"), 20, right)]
            if band
            else [Column(_("Target"), 22, right)]
        )
        columns.append(Column(_("Status"), 24))
        table_rows: list[Sequence[Cell] | str] = []
        for row in rows:
            cells = [
                Cell(format_period(row.period, self.language, short=True)),
                Cell(self.value(kpi, row.value), bold=True),
                Cell(self.value(kpi, row.target)),
            ]
            if band:
                cells.append(Cell(self.value(kpi, row.target_high)))
            cells.append(self.status_cell(row.status))
            table_rows.append(cells)
        layout.table(
            columns,
            table_rows,
            font=font,
            header_font=header_font,
            padding=padding,
            left=layout.left + half + mm(6),
            width=half,
        )
        layout.y = max(layout.y, top + block) + mm(2)
        for row in rows:
            if row.comment:
                layout.paragraph(
                    f"{format_period(row.period, self.language, short=True)}: {row.comment}",
                    self.small,
                    color=MUTED_COLOR,
                    gap=mm(1),
                )
        layout.space(mm(5))
        return True

    def build_series(self, kpi: KpiInfo, series: UnitSeries) -> None:
        _ = self._
        layout = self.layout
        chart_height = mm(62)
        heading_height = layout.metrics(self.subheading).height() + mm(2)
        layout.ensure(heading_height + chart_height + mm(25))
        layout.paragraph(series.unit, self.subheading, color=TEXT_COLOR, gap=mm(2))
        rect = QRectF(layout.left, layout.y, layout.width, chart_height)
        rows = series.rows
        language, currency = self.language, self.content.currency

        def draw(painter: QPainter) -> None:
            draw_kpi_chart(painter, rect, kpi, rows, language=language, currency=currency)

        layout.add(draw)
        layout.y += chart_height + mm(4)
        band = kpi.direction is Direction.WITHIN_BAND
        right = Qt.AlignmentFlag.AlignRight
        columns = [Column(_("Period"), 24), Column(_("Actual"), 28, right)]
        columns += (
            [Column(_("Target (low)"), 26, right), Column(_("Target (high)"), 26, right)]
            if band
            else [Column(_("Target"), 28, right)]
        )
        columns += [Column(_("Status"), 26), Column(_("Comment"), 66 - (24 if band else 0))]
        table_rows: list[Sequence[Cell] | str] = []
        for row in rows:
            cells = [
                Cell(format_period(row.period, self.language, short=True)),
                Cell(self.value(kpi, row.value), bold=True),
                Cell(self.value(kpi, row.target)),
            ]
            if band:
                cells.append(Cell(self.value(kpi, row.target_high)))
            cells += [self.status_cell(row.status), Cell(row.comment)]
            table_rows.append(cells)
        layout.table(columns, table_rows, font=self.body, header_font=self.bold)
        layout.space(mm(8))

    def build_comments(self) -> None:
        _ = self._
        review = self.content.review
        comments = review.comments if review is not None else ()
        self.section_heading(_("Comments from the meeting"), self.subtitle())
        if not comments:
            self.layout.paragraph(_("No comments were written."), self.muted, color=MUTED_COLOR)
            return
        columns = [Column(_("KPI"), 44), Column(_("Comment"), 100), Column(_("By"), 30)]
        rows = [[Cell(c.kpi or "–"), Cell(c.text), Cell(c.author)] for c in comments]
        self.layout.table(columns, rows, font=self.body, header_font=self.bold)

    def subtitle(self) -> str:
        return f"{self.content.workspace_name} · {self.period_text}"

    def build_decisions(self) -> None:
        _ = self._
        decisions = self.content.decisions
        self.section_heading(_("Decisions"), self.subtitle())
        if not decisions:
            self.layout.paragraph(
                _("No decisions were recorded for this period."), self.muted, color=MUTED_COLOR
            )
            return
        columns = [
            Column(_("Date"), 20),
            Column(_("Decision"), 66),
            Column(_("KPI or goal"), 36),
            Column(_("Decided by"), 22),
            Column(_("Review"), 30),
        ]
        rows = [
            [
                Cell(_iso(d.decided_on)),
                Cell(d.text),
                Cell("\n".join(t for t in (d.kpi, d.goal) if t)),
                Cell(d.decided_by),
                Cell(d.review),
            ]
            for d in decisions
        ]
        self.layout.table(columns, rows, font=self.body, header_font=self.bold)

    def build_actions(self) -> None:
        _ = self._
        actions = self.content.actions
        self.section_heading(_("Actions"), self.subtitle())
        if not actions:
            self.layout.paragraph(_("No actions are open or due."), self.muted, color=MUTED_COLOR)
            return
        columns = [
            Column(_("Status"), 28),
            Column(_("Action"), 62),
            Column(_("Owner"), 24),
            Column(_("Due"), 20),
            Column(_("KPI or goal"), 40),
        ]
        rows = []
        for action in actions:
            label = _(action_status_label(action.status))
            status_cell = Cell(label)
            if action.overdue:
                status_cell = Cell(
                    _("{status}, overdue").format(status=label),
                    color=palette.SYMBOL_COLORS[Status.RED],
                    fill=palette.FILL_COLORS[Status.RED],
                    bold=True,
                )
            elif action.status == "done":
                status_cell = Cell(
                    label,
                    color=palette.SYMBOL_COLORS[Status.GREEN],
                    fill=palette.FILL_COLORS[Status.GREEN],
                    bold=True,
                )
            elif action.status == "cancelled":
                status_cell = Cell(label, color=palette.SYMBOL_COLORS[Status.NO_DATA])
            title = action.title + (f"\n{action.description}" if action.description else "")
            rows.append(
                [
                    status_cell,
                    Cell(title),
                    Cell(action.owner),
                    Cell(_iso(action.due_date)),
                    Cell("\n".join(t for t in (action.kpi, action.goal) if t)),
                ]
            )
        self.layout.table(columns, rows, font=self.body, header_font=self.bold)

    # painting -----------------------------------------------------------------------------
    def decorate(self, painter: QPainter, index: int, total: int) -> None:
        _ = self._
        layout = self.layout
        painter.setFont(self.small)
        painter.setPen(QColor(MUTED_COLOR))
        top = QRectF(layout.left, mm(10), layout.width, mm(5))
        painter.drawText(
            top,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
            self.content.workspace_name,
        )
        painter.drawText(
            top,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
            f"{self.title} · {self.period_text}",
        )
        painter.setPen(QPen(QColor(RULE_COLOR), mm(0.25)))
        painter.drawLine(QPointF(layout.left, mm(16)), QPointF(layout.left + layout.width, mm(16)))
        bottom = QRectF(layout.left, mm(PAGE_HEIGHT_MM - 13), layout.width, mm(5))
        painter.setPen(QColor(MUTED_COLOR))
        painter.drawText(
            bottom,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
            _("Made with KPI Desk on {date}").format(date=self.content.generated_on.isoformat()),
        )
        painter.drawText(
            bottom,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
            _("Page {page} of {pages}").format(page=index + 1, pages=total),
        )


def status_heading(content: ReportContent, _: Callable[[str], str]) -> str:
    kpis = len({line.kpi.id for line in content.scorecard})
    if len(content.units) > 1:
        return _("Status of {count} KPIs in {units} units").format(
            count=kpis, units=len(content.units)
        )
    return _("Status of {count} KPIs").format(count=kpis)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else "–"


def render_pdf_report(
    content: ReportContent,
    path: Path | str,
    language: str,
    progress: Progress | None = None,
) -> int:
    """Draw the report into a PDF at ``path``; returns the number of pages.

    ``progress(done, total)`` is called after each page and may raise to stop (the painter
    is ended first; the caller removes the file).
    """
    progress = progress or (lambda _done, _total: None)
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setCreator("KPI Desk")
    report = _Report(content, language, writer)
    writer.setTitle(f"{report.title} – {report.period_text} – {content.workspace_name}")
    pages = report.build()
    total = len(pages)
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"could not write {path}")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for index, page in enumerate(pages):
            if index:
                writer.newPage()
            if page.decorated:
                report.decorate(painter, index, total)
            for op in page.ops:
                painter.save()
                op(painter)
                painter.restore()
            progress(index + 1, total)
    finally:
        painter.end()
    return total
