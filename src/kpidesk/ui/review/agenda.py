"""The agenda's entries other than a KPI: the follow-up of earlier actions, decisions and
actions about anything else, and the warnings above the agenda."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.status import Status
from kpidesk.i18n import _, ngettext
from kpidesk.palette import (
    FILL_COLORS,
    SYMBOL_COLORS,
)
from kpidesk.services import actions as action_service
from kpidesk.services import reviews as review_service
from kpidesk.services.reviews import (
    Agenda,
)
from kpidesk.services.reviews.best import milestone_text
from kpidesk.ui.action_status import (
    OVERDUE_COLOR,
    ActionStatusCombo,
    action_status_color,
    action_status_text,
    due_text,
)
from kpidesk.ui.forms import heading
from kpidesk.ui.icons import icon
from kpidesk.ui.review.common import (
    _html,
    _tree,
    fit_columns,
)
from kpidesk.ui.review.record_panel import RecordPanel

if TYPE_CHECKING:
    from kpidesk.ui.review.meeting import ReviewMeeting


class FollowUpView(QWidget):
    """Earlier reviews' actions: what became of them. Status changes in place while open."""

    def __init__(self, meeting: ReviewMeeting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meeting = meeting
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        title = QLabel(_("Follow-up of earlier actions"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self.intro)
        self.tree = _tree(
            [
                _("Status"),
                _("Action"),
                _("Owner"),
                _("Due"),
                _("KPI"),
                _("From review"),
                _("Status now"),
            ],
            _("Follow-up"),
        )
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.tree.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustIgnored)
        layout.addWidget(self.tree, 1)
        self.milestones_title = heading(_("Initiatives: milestones due or late"))
        layout.addWidget(self.milestones_title)
        self.milestones = QLabel()
        self.milestones.setObjectName("dueMilestones")
        self.milestones.setTextFormat(Qt.TextFormat.RichText)
        self.milestones.setWordWrap(True)
        layout.addWidget(self.milestones)
        layout.addStretch()

    def show_agenda(self, agenda: Agenda, *, writable: bool) -> None:
        today = self.meeting.current_day()
        lines = []
        for entry in agenda.milestones:
            late = entry.milestone.late
            text = _html(milestone_text(entry, today))
            lines.append(
                f"<span style='color:{OVERDUE_COLOR}'>⚠ {text}</span>" if late else f"• {text}"
            )
        self.milestones.setText("<br>".join(lines))
        self.milestones_title.setVisible(bool(lines))
        self.milestones.setVisible(bool(lines))
        self._show_agenda(agenda, writable=writable)
        self.tree.setVisible(bool(agenda.follow_up))
        sources = {entry.from_review_id for entry in agenda.follow_up}
        self.tree.setColumnHidden(5, len(sources) <= 1)
        if len(sources) == 1:
            self.intro.setText(
                self.intro.text()
                + " "
                + _("All from “{review}”.").format(review=agenda.follow_up[0].from_review_title)
            )
        fit_columns(self.tree, {2: 100, 3: 245, 4: 110, 5: 150, 6: 120})
        self.tree.setColumnWidth(0, 130)

    def _show_agenda(self, agenda: Agenda, *, writable: bool) -> None:
        closed = agenda.review.closed
        if not agenda.follow_up:
            self.intro.setText(_("No earlier actions to follow up."))
        elif closed:
            self.intro.setText(
                _(
                    "The status each action had when this review was closed, and what became "
                    "of it since."
                )
            )
        else:
            self.intro.setText(
                _(
                    "Every action of the last review, and the unfinished ones of earlier "
                    "reviews. Change their status here as you go through them."
                )
            )
        self.tree.setColumnHidden(6, not closed)
        self.tree.clear()
        for entry in agenda.follow_up:
            item = QTreeWidgetItem(
                [
                    "",
                    entry.title,
                    entry.owner,
                    due_text(
                        entry.due_date,
                        action_service.days_overdue(
                            entry.due_date, entry.status, self.meeting.current_day()
                        )
                        if entry.overdue
                        else 0,
                    ),
                    entry.kpi_name,
                    entry.from_review_title,
                    action_status_text(entry.status_now) if entry.status_now else _("Deleted"),
                ]
            )
            item.setToolTip(1, entry.title)
            item.setToolTip(4, entry.kpi_name)
            if entry.overdue:
                item.setForeground(3, QBrush(QColor(OVERDUE_COLOR)))
            if entry.status_now and (color := action_status_color(entry.status_now)):
                item.setForeground(6, QBrush(QColor(color)))
            self.tree.addTopLevelItem(item)
            if closed or entry.status_now is None:
                item.setText(0, action_status_text(entry.status))
                if color := action_status_color(entry.status):
                    item.setForeground(0, QBrush(QColor(color)))
            else:
                combo = ActionStatusCombo(entry.status_now)
                combo.setEnabled(writable)
                combo.statusChosen.connect(
                    lambda status, action_id=entry.action_id: self.meeting.set_action_status(
                        action_id, status
                    )
                )
                self.tree.setItemWidget(item, 0, combo)

    def status_combo(self, row: int) -> ActionStatusCombo | None:
        item = self.tree.topLevelItem(row)
        widget = self.tree.itemWidget(item, 0) if item is not None else None
        return widget if isinstance(widget, ActionStatusCombo) else None


class OtherView(QWidget):
    """Decisions and actions not about a KPI on the agenda: goals, the business as a whole."""

    def __init__(self, meeting: ReviewMeeting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        title = QLabel(_("Other decisions and actions"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        intro = QLabel(_("Not about one KPI: link them to a goal, or to nothing."))
        intro.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(intro)
        self.records = RecordPanel(meeting)
        layout.addWidget(self.records)
        layout.addStretch()
        self._shown = False

    def show_agenda(self, agenda: Agenda, *, writable: bool) -> None:
        self.records.fill(
            None,
            agenda.other_decisions,
            agenda.other_actions,
            writable=writable,
            held_on=agenda.review.held_on,
            owner="",
            goal_ids=(),
            kpi_changed=not self._shown,
            review_id=agenda.review.id,
        )
        self._shown = True


class WarningPanel(QFrame):
    """Every red KPI without an action, each a link to its agenda item."""

    kpiChosen = Signal(int)

    def __init__(
        self, warnings: list[review_service.AgendaWarning], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewWarnings")
        self.setStyleSheet(
            f"#reviewWarnings {{ background: {FILL_COLORS[Status.AMBER]};"
            " border: 1px solid rgba(154, 103, 0, 0.4); border-radius: 6px; }"
            f" #reviewWarnings QLabel {{ color: #5c3d00; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        symbol = QLabel()
        symbol.setPixmap(icon("triangle-alert", QColor(SYMBOL_COLORS[Status.AMBER])).pixmap(18, 18))
        layout.addWidget(symbol, 0, Qt.AlignmentFlag.AlignTop)
        heading_text = ngettext(
            "{count} KPI off track without an action:",
            "{count} KPIs off track without an action:",
            len(warnings),
        ).format(count=len(warnings))
        links = "<br>".join(
            f"⚠ <a href='{w.kpi_id}' style='color:#5c3d00'>{_html(w.text())}</a>" for w in warnings
        )
        self.label = QLabel(f"<b>{_html(heading_text)}</b><br>{links}")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.linkActivated.connect(lambda link: self.kpiChosen.emit(int(link)))
        layout.addWidget(self.label, 1)
        self.warnings = warnings

    @property
    def text(self) -> str:
        return "\n".join(w.text() for w in self.warnings)
