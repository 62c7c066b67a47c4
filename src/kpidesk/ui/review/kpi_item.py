"""One KPI of the agenda: its status, figures per unit, chart, comment, decisions, actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPalette,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.naming import kpi_title
from kpidesk.domain.status import AGENDA_ORDER
from kpidesk.i18n import _
from kpidesk.palette import (
    FILL_COLORS,
    SYMBOL_COLORS,
)
from kpidesk.services.reviews import (
    Agenda,
    AgendaItem,
)
from kpidesk.ui.action_status import (
    OVERDUE_COLOR,
)
from kpidesk.ui.forms import heading
from kpidesk.ui.kpi_cells import SPARK, STATUS, SparklineDelegate, status_text
from kpidesk.ui.review.chart import KpiChart
from kpidesk.ui.review.common import (
    ROW_ID,
    TREND,
    _fit_height,
    _html,
    _tree,
    change_parts,
    period_label,
    target_text,
    value_formatter,
)
from kpidesk.ui.review.record_panel import RecordPanel
from kpidesk.ui.review.tips import TipsPanel

if TYPE_CHECKING:
    from kpidesk.ui.review.meeting import ReviewMeeting


class KpiItemView(QWidget):
    """One KPI of the agenda: status, figures per unit, chart, comment, decisions, actions."""

    def __init__(self, meeting: ReviewMeeting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meeting = meeting
        self.item: AgendaItem | None = None
        self.currency = "SEK"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.subtitle = QLabel()
        self.subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.subtitle)

        numbers = QHBoxLayout()
        self.figures = _tree(
            [_("Status"), _("Unit"), _("Actual"), _("Target"), _("vs previous"), _("Trend")],
            _("Figures"),
        )
        self.figures.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.figures.header().setSectionResizeMode(TREND, QHeaderView.ResizeMode.Fixed)
        self.figures.header().resizeSection(TREND, 96)
        self.figures.header().setStretchLastSection(False)
        self.figures.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.figures.setItemDelegateForColumn(TREND, SparklineDelegate(self.figures))
        self.figures.setToolTip(_("Choose a unit to chart it"))
        self.figures.currentItemChanged.connect(self._chart_selected_unit)
        numbers.addWidget(self.figures, 5)
        chart_box = QVBoxLayout()
        self.chart = KpiChart()
        chart_box.addWidget(self.chart, 1)
        self.chart_caption = QLabel()
        self.chart_caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.chart_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        chart_box.addWidget(self.chart_caption)
        numbers.addLayout(chart_box, 4)
        layout.addLayout(numbers)
        self.best_practice = TipsPanel(meeting)
        layout.addWidget(self.best_practice)
        layout.addSpacing(6)

        layout.addWidget(heading(_("Comment")))
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText(_("Why is it here, and what now?"))
        self.comment.setAccessibleName(_("Comment"))
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(64)
        self.comment.installEventFilter(self)
        layout.addWidget(self.comment)
        layout.addSpacing(6)
        self.records = RecordPanel(meeting)
        layout.addWidget(self.records)
        layout.addStretch()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.comment and event.type() == QEvent.Type.FocusOut:
            self.save_comment()
        return False

    def save_comment(self) -> None:
        if self.item is None or self.comment.isReadOnly():
            return
        saved = self.item.comment.text if self.item.comment else ""
        text = self.comment.toPlainText().strip()
        if text != saved:
            self.meeting.set_comment(self.item.kpi_id, text, read_text=saved)

    def show_item(self, item: AgendaItem, agenda: Agenda, *, writable: bool) -> None:
        changed = self.item is None or self.item.kpi_id != item.kpi_id
        self.item = item
        self.currency = agenda.currency
        status = item.status
        warning = any(w.kpi_id == item.kpi_id for w in agenda.warnings)
        code = "" if kpi_title(item.name, item.code) == item.name else f" ({_html(item.code)})"
        self.title.setText(
            f"<span style='color:{SYMBOL_COLORS[status]}'><b>{status_text(status)}</b></span>"
            f"&nbsp;&nbsp;<b>{_html(item.name)}</b>{code}"
            + (
                f"&nbsp;&nbsp;<span style='color:{OVERDUE_COLOR}'>⚠ {_html(_('No action'))}</span>"
                if warning
                else ""
            )
        )
        parts = [period_label(item.figures[0].period)] if item.figures else []
        if item.owner:
            parts.append(_("Owner: {owner}").format(owner=item.owner))
        self.subtitle.setText(" · ".join(parts))
        fmt = value_formatter(item, agenda.currency)
        previous_unit = self._selected_unit()
        self.figures.blockSignals(True)
        self.figures.clear()
        for figures in item.figures:
            change, color = change_parts(item, figures)
            row = QTreeWidgetItem(
                [
                    status_text(figures.status),
                    figures.unit,
                    fmt(figures.value),
                    target_text(figures, fmt),
                    change,
                    "",
                ]
            )
            row.setBackground(0, QBrush(QColor(FILL_COLORS[figures.status])))
            row.setForeground(0, QBrush(QColor(SYMBOL_COLORS[figures.status])))
            if color:
                row.setForeground(4, QBrush(QColor(color)))
            for column in (2, 3, 4):
                row.setTextAlignment(
                    column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
            row.setData(TREND, SPARK, figures.sparkline)
            row.setData(TREND, STATUS, figures.status.value)
            row.setData(0, ROW_ID, figures.unit_id)
            self.figures.addTopLevelItem(row)
        _fit_height(self.figures)
        self.figures.setMinimumHeight(140)
        # every column whole: the table is never narrower than its figures
        header = self.figures.header()
        widths = sum(header.sectionSizeHint(c) for c in range(header.count()))
        self.figures.setMinimumWidth(max(widths, header.length()) + 2 * self.figures.frameWidth())
        self.figures.blockSignals(False)
        target_unit = previous_unit if not changed else None
        rows = [self.figures.topLevelItem(i) for i in range(self.figures.topLevelItemCount())]
        chosen = next((r for r in rows if r.data(0, ROW_ID) == target_unit), None)
        if chosen is None and rows:
            order = {status: index for index, status in enumerate(AGENDA_ORDER)}
            chosen = rows[
                min(range(len(item.figures)), key=lambda i: order[item.figures[i].status])
            ]
        if chosen is not None:
            self.figures.setCurrentItem(chosen)
        self._chart_selected_unit()

        saved = item.comment.text if item.comment else ""
        if changed or (self.comment.toPlainText().strip() != saved and not self.comment.hasFocus()):
            self.comment.setPlainText(saved)
        self.comment.setReadOnly(not writable)
        self.comment.setPlaceholderText(
            _("Why is it here, and what now?") if writable else _("No comment.")
        )
        self.best_practice.fill(
            item, agenda.currency, review_id=agenda.review.id, kpi_changed=changed
        )
        held_on = agenda.review.held_on
        self.records.fill(
            item.kpi_id,
            item.decisions,
            item.actions,
            writable=writable,
            held_on=held_on,
            owner=item.owner,
            goal_ids=item.goal_ids,
            kpi_changed=changed,
            review_id=agenda.review.id,
        )

    def _selected_unit(self) -> int | None:
        current = self.figures.currentItem()
        return current.data(0, ROW_ID) if current is not None else None

    def _chart_selected_unit(self) -> None:
        if self.item is None:
            return
        unit_id = self._selected_unit()
        figures = next(
            (f for f in self.item.figures if f.unit_id == unit_id),
            self.item.figures[0] if self.item.figures else None,
        )
        if figures is None:
            return
        self.chart.set_series(self.item, figures, self.currency)
        first = period_label(figures.periods[0], short=True) if figures.periods else ""
        last = period_label(figures.periods[-1], short=True) if figures.periods else ""
        self.chart_caption.setText(f"{figures.unit}: {first} – {last}")
