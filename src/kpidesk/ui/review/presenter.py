"""Presenter mode: the review on a projector, full screen, one KPI at a time.

Larger fonts, one slide per agenda entry (an overview, the follow-up, each KPI off target
first, then anything else decided). The arrow keys (and Page Up/Down, Space) move; Home and
End jump; F11 or Esc leaves. The meeting follows along, so leaving lands on the same KPI.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QPalette,
    QScreen,
)
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.status import AGENDA_ORDER, Status
from kpidesk.i18n import _, ngettext
from kpidesk.palette import SYMBOL_COLORS
from kpidesk.services.actions import ActionRow
from kpidesk.services.reviews import Agenda, AgendaItem, DecisionRow
from kpidesk.services.reviews.best import best_practice_text, milestone_text, tip_text
from kpidesk.ui.action_status import (
    OVERDUE_COLOR,
    action_status_color,
    action_status_text,
    due_text,
    format_day,
)
from kpidesk.ui.kpi_cells import status_text
from kpidesk.ui.review.chart import grid_of_charts
from kpidesk.ui.review.common import (
    FOLLOW_UP_KEY,
    OTHER_KEY,
    change_parts,
    kpi_key,
    period_label,
    target_text,
    value_formatter,
)

OVERVIEW_KEY = ("overview", 0)
FONT_SCALE = 1.7


def base_point_size() -> float:
    """The presenter's body text: the application's font, made larger for a projector."""
    return max(QApplication.font().pointSizeF(), 9.0) * FONT_SCALE


def _label(
    text: str,
    *,
    scale: float = 1.0,
    bold: bool = False,
    color: str | None = None,
    wrap: bool = True,
) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = QFont()
    font.setPointSizeF(base_point_size() * scale)
    font.setBold(bold)
    label.setFont(font)
    if color:
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(color))
        label.setPalette(palette)
    return label


def _muted(text: str, *, scale: float = 1.0, wrap: bool = True) -> QLabel:
    label = _label(text, scale=scale, wrap=wrap)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class PresenterWindow(QWidget):
    keyChanged = Signal(object)
    """The agenda entry now shown, as the meeting's key (``("kpi", id)`` …)."""
    closed = Signal()

    def __init__(self, agenda: Agenda, start: tuple[str, int] | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.agenda = agenda
        self.setWindowTitle(_("{title} – presenter mode").format(title=agenda.review.title))
        self.setAccessibleName(_("Presenter mode"))
        font = QFont(QApplication.font())
        font.setPointSizeF(base_point_size())
        self.setFont(font)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.Base))
        self.setPalette(palette)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.slides: list[tuple[str, int]] = [OVERVIEW_KEY]
        if agenda.follow_up:
            self.slides.append(FOLLOW_UP_KEY)
        self.slides += [kpi_key(item.kpi_id) for item in agenda.items]
        if agenda.other_decisions or agenda.other_actions:
            self.slides.append(OTHER_KEY)
        self.index = self.slides.index(tuple(start)) if start and tuple(start) in self.slides else 0

        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 24, 48, 18)
        top = QHBoxLayout()
        period = period_label(agenda.review.period.key)
        title = agenda.review.title
        # "Review December 2025" says its period already
        heading = title if period.casefold() in title.casefold() else f"{title} · {period}"
        self.review_label = _muted(heading, scale=0.8)
        top.addWidget(self.review_label, 1)
        self.position_label = _muted("", scale=0.8)
        self.position_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        top.addWidget(self.position_label)
        outer.addLayout(top)
        self.content_area = QVBoxLayout()
        outer.addLayout(self.content_area, 1)
        self.content: QWidget | None = None
        hint = _muted(_("← → move   ·   F11 or Esc leaves"), scale=0.7)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(hint)
        self._show()

    # navigation ---------------------------------------------------------------------------
    def current_key(self) -> tuple[str, int]:
        return self.slides[self.index]

    def go(self, index: int) -> None:
        index = max(0, min(index, len(self.slides) - 1))
        if index == self.index and self.content is not None:
            return
        self.index = index
        self._show()
        if self.current_key() != OVERVIEW_KEY:
            self.keyChanged.emit(self.current_key())

    def next(self) -> None:
        self.go(self.index + 1)

    def previous(self) -> None:
        self.go(self.index - 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Space):
            self.next()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace):
            self.previous()
        elif key == Qt.Key.Key_Home:
            self.go(0)
        elif key == Qt.Key.Key_End:
            self.go(len(self.slides) - 1)
        elif key in (Qt.Key.Key_Escape, Qt.Key.Key_F11):
            self.close()
        else:
            super().keyPressEvent(event)

    def show_full_screen(self, screen: QScreen | None = None) -> None:
        """Fill ``screen`` (by default the primary one). The window takes the screen's
        whole geometry itself, without a frame, so it fills the screen also where no
        window manager acts on the full-screen request."""
        screen = screen or QGuiApplication.primaryScreen()
        if screen is not None:
            self.setScreen(screen)
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            self.setGeometry(screen.geometry())
        self.showFullScreen()
        if screen is not None and self.geometry() != screen.geometry():
            self.setGeometry(screen.geometry())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowFullScreen)
        self.raise_()
        self.activateWindow()
        self.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)

    # slides -------------------------------------------------------------------------------
    def _show(self) -> None:
        if self.content is not None:
            self.content_area.removeWidget(self.content)
            self.content.hide()
            self.content.deleteLater()
        kind, kpi_id = self.current_key()
        if kind == "overview":
            self.content = self._overview()
        elif kind == "follow_up":
            self.content = self._follow_up()
        elif kind == "other":
            self.content = self._other()
        else:
            item = next(i for i in self.agenda.items if i.kpi_id == kpi_id)
            self.content = self._kpi(item)
        self.content_area.addWidget(self.content, 1)
        self.position_label.setText(f"{self.index + 1} / {len(self.slides)}")

    def _overview(self) -> QWidget:
        agenda = self.agenda
        review = agenda.review
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.addStretch(1)
        layout.addWidget(_label(review.title, scale=1.8, bold=True))
        layout.addWidget(
            _muted(f"{period_label(review.period.key)} · {', '.join(review.unit_names)}")
        )
        if review.participants:
            layout.addWidget(_muted(", ".join(review.participant_names), scale=0.85))
        layout.addSpacing(24)
        counts = QHBoxLayout()
        statuses = [item.status for item in agenda.items]
        for status in AGENDA_ORDER:
            number = sum(1 for s in statuses if s is status)
            if not number:
                continue
            counts.addWidget(
                _label(
                    f"{status.symbol} {number}  {_(status.label)}",
                    scale=1.3,
                    bold=True,
                    color=SYMBOL_COLORS[status],
                )
            )
            counts.addSpacing(36)
        counts.addStretch()
        layout.addLayout(counts)
        layout.addSpacing(12)
        if agenda.follow_up:
            unfinished = sum(1 for f in agenda.follow_up if f.status in ("open", "in_progress"))
            late = sum(1 for f in agenda.follow_up if f.overdue)
            text = ngettext(
                "{count} earlier action to follow up",
                "{count} earlier actions to follow up",
                len(agenda.follow_up),
            ).format(count=len(agenda.follow_up))
            text += " · " + _("{count} unfinished").format(count=unfinished)
            if late:
                text += " · ⚠ " + _("{count} overdue").format(count=late)
            layout.addWidget(_label(text, color=OVERDUE_COLOR if late else None))
        for warning in agenda.warnings:
            layout.addWidget(_label(f"⚠ {warning.text()}", scale=0.9, color=OVERDUE_COLOR))
        today = date.today()
        for entry in agenda.milestones:
            late = entry.milestone.late
            layout.addWidget(
                _label(
                    ("⚠ " if late else "• ") + milestone_text(entry, today),
                    scale=0.85,
                    color=OVERDUE_COLOR if late else None,
                )
            )
        layout.addStretch(2)
        return widget

    def _follow_up(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.addWidget(_label(_("Follow-up of earlier actions"), scale=1.5, bold=True))
        layout.addSpacing(12)
        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        grid.setVerticalSpacing(10)
        for column, text in enumerate((_("Status"), _("Action"), _("Owner"), _("Due"))):
            grid.addWidget(_muted(text, scale=0.8), 0, column)
        for row, entry in enumerate(self.agenda.follow_up, start=1):
            status = entry.status if self.agenda.review.closed else entry.status_now or entry.status
            grid.addWidget(
                _label(action_status_text(status), color=action_status_color(status), wrap=False),
                row,
                0,
            )
            grid.addWidget(_label(entry.title), row, 1)
            grid.addWidget(_label(entry.owner, wrap=False), row, 2)
            overdue = entry.overdue
            due = format_day(entry.due_date) + ("  ⚠ " + _("Overdue") if overdue else "")
            grid.addWidget(
                _label(due, color=OVERDUE_COLOR if overdue else None, wrap=False), row, 3
            )
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        layout.addStretch()
        return widget

    def _records(self, decisions: list[DecisionRow], actions: list[ActionRow]) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        if decisions:
            layout.addWidget(_muted(_("Decisions"), scale=0.8))
            for decision in decisions:
                by = f" ({decision.data.decided_by})" if decision.data.decided_by else ""
                layout.addWidget(_label(f"• {decision.data.text}{by}", scale=0.85))
        if actions:
            layout.addWidget(_muted(_("Actions"), scale=0.8))
            for action in actions:
                parts = [p for p in (action.data.owner, due_text(action.data.due_date, 0)) if p]
                text = f"{action_status_text(action.data.status)}  {action.data.title}"
                if parts:
                    text += f" — {', '.join(parts)}"
                layout.addWidget(_label(text, scale=0.85))
        if not decisions and not actions:
            layout.addWidget(_muted(_("No decisions or actions yet."), scale=0.85))
        return widget

    def _kpi(self, item: AgendaItem) -> QWidget:
        agenda = self.agenda
        fmt = value_formatter(item, agenda.currency)
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QHBoxLayout()
        title.addWidget(
            _label(status_text(item.status), scale=1.3, bold=True, color=SYMBOL_COLORS[item.status])
        )
        title.addSpacing(16)
        title.addWidget(_label(item.name, scale=1.6, bold=True), 1)
        layout.addLayout(title)
        sub = [period_label(item.figures[0].period)] if item.figures else []
        if item.owner:
            sub.append(_("Owner: {owner}").format(owner=item.owner))
        layout.addWidget(_muted(" · ".join(sub), scale=0.85))
        warned = any(w.kpi_id == item.kpi_id for w in agenda.warnings)
        if warned:
            layout.addWidget(_label("⚠ " + _("Off track without an action"), color=OVERDUE_COLOR))
        layout.addSpacing(10)

        body = QHBoxLayout()
        left = QVBoxLayout()
        grid = QGridLayout()
        grid.setHorizontalSpacing(22)
        grid.setVerticalSpacing(6)
        for column, text in enumerate((_("Unit"), _("Actual"), _("Target"), "", "")):
            grid.addWidget(_muted(text, scale=0.75, wrap=False), 0, column)
        for row, figures in enumerate(item.figures, start=1):
            grid.addWidget(_label(figures.unit, scale=0.9, wrap=False), row, 0)
            value = _label(fmt(figures.value) or "–", scale=1.05, bold=True, wrap=False)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(value, row, 1)
            target = _label(target_text(figures, fmt), scale=0.9, wrap=False)
            target.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(target, row, 2)
            grid.addWidget(
                _label(
                    status_text(figures.status),
                    scale=0.9,
                    color=SYMBOL_COLORS[figures.status],
                    wrap=False,
                ),
                row,
                3,
            )
            change, color = change_parts(item, figures)
            grid.addWidget(_label(change, scale=0.75, color=color, wrap=False), row, 4)
        left.addLayout(grid)
        left.addSpacing(14)
        best = best_practice_text(item, agenda.currency)
        if best:
            label = _label("★ " + best, scale=0.9, color=SYMBOL_COLORS[Status.GREEN])
            label.setObjectName("bestPractice")
            left.addWidget(label)
        for tip in item.tips[:3]:
            left.addWidget(_muted(_("Tip: {tip}").format(tip=tip_text(tip)), scale=0.8))
        if best or item.tips:
            left.addSpacing(10)
        if item.comment:
            comment = _label(f"“{item.comment.text}”", scale=0.95)
            font = QFont(comment.font())
            font.setItalic(True)
            comment.setFont(font)
            left.addWidget(comment)
            left.addSpacing(8)
        left.addWidget(self._records(item.decisions, item.actions))
        left.addStretch()
        body.addLayout(left, 5)
        charts, _charts = grid_of_charts(item, agenda.currency, scale=1.2)
        body.addWidget(charts, 6)
        layout.addLayout(body, 1)
        return widget

    def _other(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.addWidget(_label(_("Other decisions and actions"), scale=1.5, bold=True))
        layout.addSpacing(12)
        layout.addWidget(self._records(self.agenda.other_decisions, self.agenda.other_actions))
        layout.addStretch()
        return widget
