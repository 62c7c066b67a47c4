"""The Reviews page: start a follow-up meeting, hold it, close it; and the history of reviews.

The meeting itself is ``ReviewMeeting``; presenter mode is ``PresenterWindow``. History lists
every review with its decisions and what became of its actions (their status now).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.periods import PERIOD_KIND_NAMES, Period, PeriodKind, format_period
from kpidesk.domain.terms import ACTION_STATUS_LABELS, ActionStatus
from kpidesk.i18n import _, ngettext
from kpidesk.services import follow_up, overview
from kpidesk.services import reviews as review_service
from kpidesk.services.reviews import REVIEW_PERIOD_KINDS, HistoryEntry, ReviewError
from kpidesk.ui.action_status import (
    OVERDUE_COLOR,
    action_status_color,
    action_status_text,
    due_text,
    format_day,
)
from kpidesk.ui.dialogs import confirm_delete
from kpidesk.ui.forms import FieldBox, OptionalDateEdit, buddy_label
from kpidesk.ui.icons import icon
from kpidesk.ui.pages.base import Page
from kpidesk.ui.review.common import describe_event
from kpidesk.ui.review.meeting import ReviewMeeting
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand
from kpidesk.ui.widgets import EmptyState

REVIEW_ID = Qt.ItemDataRole.UserRole

__all__ = ["HistoryView", "ReviewsPage", "StartReviewDialog", "confirm_delete"]


def review_label(review: review_service.ReviewInfo) -> str:
    """``March review · March 2026 (open)``; the period is left out if the title says it."""
    period = format_period(review.period)
    state = _("closed") if review.closed else _("open")
    text = review.title if period in review.title else f"{review.title} · {period}"
    return f"{text} ({state})"


def prefill_next_review(dialog: StartReviewDialog, today: date) -> None:
    """Where the workspace's rhythm of follow-up is set, the next review as it gives it: its
    period, its day, and the units of the review before."""
    upcoming = follow_up.planned_review(today)
    if upcoming is None:
        return
    dialog.set_period(upcoming.period)
    dialog.held_edit.set_value(upcoming.day)
    if upcoming.unit_ids:
        dialog.set_units(list(upcoming.unit_ids))


class StartReviewDialog(QDialog):
    """Choose the period (month, quarter, year), the units, a title and who takes part."""

    def __init__(
        self,
        period: Period | None,
        unit_id: int | None,
        *,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Start a review"))
        self.setMinimumWidth(520)
        self._title_edited = False
        form = QFormLayout(self)
        kind = period.kind if period is not None and period.kind in REVIEW_PERIOD_KINDS else None
        self.kind_combo = QComboBox()
        for member in REVIEW_PERIOD_KINDS:
            self.kind_combo.addItem(_(PERIOD_KIND_NAMES[member]).capitalize(), member.value)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData((kind or PeriodKind.MONTH).value))
        self.period_combo = QComboBox()
        self.period_combo.setAccessibleName(_("Period"))
        row = QHBoxLayout()
        row.addWidget(self.kind_combo)
        row.addWidget(self.period_combo, 1)
        form.addRow(buddy_label(_("&Period:"), self.kind_combo), row)
        self._initial_period = period if kind is not None else None
        self.kind_combo.currentIndexChanged.connect(self._fill_periods)
        self.period_combo.currentIndexChanged.connect(self._period_changed)

        self.units = QTreeWidget()
        self.units.setHeaderHidden(True)
        self.units.setAccessibleName(_("Units"))
        self.units.setMinimumHeight(150)
        for node in overview.unit_tree():
            item = QTreeWidgetItem(["\u2003" * node.depth + node.name])
            item.setData(0, Qt.ItemDataRole.UserRole, node.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                0, Qt.CheckState.Checked if node.id == unit_id else Qt.CheckState.Unchecked
            )
            self.units.addTopLevelItem(item)
        if unit_id is None and self.units.topLevelItemCount():
            self.units.topLevelItem(0).setCheckState(0, Qt.CheckState.Checked)
        self.units_field = FieldBox(
            self.units, _("The agenda shows each KPI for every unit chosen.")
        )
        form.addRow(_("&Units:"), self.units_field)

        self.title_edit = QLineEdit()
        self.title_edit.textEdited.connect(self._title_typed)
        form.addRow(_("&Title:"), self.title_edit)
        self.participants_edit = QLineEdit()
        self.participants_edit.setPlaceholderText(_("Names, separated by commas"))
        form.addRow(_("P&articipants:"), self.participants_edit)
        self.held_edit = OptionalDateEdit()
        self.held_edit.set_value(today)
        form.addRow(_("&Held on:"), FieldBox(self.held_edit, stretch=False))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = self.buttons.addButton(
            _("Start review"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._fill_periods()

    def _fill_periods(self) -> None:
        kind = PeriodKind(self.kind_combo.currentData())
        periods = overview.selectable_periods(kind)
        wanted = self._initial_period if self._initial_period is not None else None
        if wanted is None or wanted.kind is not kind:
            wanted = overview.default_period(kind)
        if wanted not in periods:
            periods = sorted([*periods, wanted], reverse=True)
        with QSignalBlocker(self.period_combo):
            self.period_combo.clear()
            for period in periods:
                self.period_combo.addItem(format_period(period), period.key)
            self.period_combo.setCurrentIndex(max(0, self.period_combo.findData(wanted.key)))
        self._initial_period = None
        self._period_changed()

    def _period_changed(self) -> None:
        if not self._title_edited and self.period() is not None:
            self.title_edit.setText(review_service.default_title(self.period()))

    def _title_typed(self) -> None:
        self._title_edited = True

    def period(self) -> Period | None:
        key = self.period_combo.currentData()
        return Period.from_key(key) if key else None

    def set_period(self, period: Period) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(period.kind.value))
        index = self.period_combo.findData(period.key)
        if index < 0:
            self.period_combo.addItem(format_period(period), period.key)
            index = self.period_combo.count() - 1
        self.period_combo.setCurrentIndex(index)

    def unit_ids(self) -> list[int]:
        return [
            self.units.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
            for i in range(self.units.topLevelItemCount())
            if self.units.topLevelItem(i).checkState(0) == Qt.CheckState.Checked
        ]

    def set_units(self, unit_ids: list[int]) -> None:
        for i in range(self.units.topLevelItemCount()):
            item = self.units.topLevelItem(i)
            checked = item.data(0, Qt.ItemDataRole.UserRole) in unit_ids
            item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def accept(self) -> None:
        if not self.unit_ids():
            self.units_field.set_error(_("Choose at least one unit."))
            return
        self.units_field.set_error(None)
        super().accept()


class HistoryView(QWidget):
    """Earlier reviews with their decisions and what became of their actions."""

    reviewActivated = Signal(int)
    THEN, NOW = 3, 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        intro = QLabel(
            _(
                "Every review, newest first: what was decided, and what became of the actions "
                "(their status when the review closed, and now). Double-click a review to open it."
            )
        )
        intro.setWordWrap(True)
        intro.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(intro)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName(_("History"))
        self.tree.setAlternatingRowColors(True)
        self.tree.setHeaderLabels(
            [_("Review, decision or action"), _("Who"), _("Date"), _("At closing"), _("Now")]
        )
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.tree.itemActivated.connect(self._activated)
        layout.addWidget(self.tree, 1)

    def fill(self, entries: list[HistoryEntry]) -> None:
        expanded = {
            self.tree.topLevelItem(i).data(0, REVIEW_ID)
            for i in range(self.tree.topLevelItemCount())
            if self.tree.topLevelItem(i).isExpanded()
        }
        first_fill = self.tree.topLevelItemCount() == 0
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for index, entry in enumerate(entries):
            review = entry.review
            top = QTreeWidgetItem(
                [
                    review_label(review).rsplit(" (", 1)[0],
                    ", ".join(review.unit_names),
                    format_day(review.held_on),
                    _("Closed") if review.closed else _("Open"),
                    self._summary(entry),
                ]
            )
            top.setIcon(0, icon("lock" if review.closed else "pencil"))
            top.setFont(0, bold)
            top.setData(0, REVIEW_ID, review.id)
            top.setToolTip(0, _("Double-click to open the review"))
            if entry.overdue:
                top.setForeground(self.NOW, QBrush(QColor(OVERDUE_COLOR)))
            self.tree.addTopLevelItem(top)
            decisions = QTreeWidgetItem(
                top, [_("Decisions ({count})").format(count=len(entry.decisions))]
            )
            decisions.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for decision in entry.decisions:
                about = decision.kpi_name or decision.goal_title
                text = decision.data.text + (f"  ({about})" if about else "")
                QTreeWidgetItem(
                    decisions,
                    [text, decision.data.decided_by, format_day(decision.data.decided_on)],
                ).setData(0, REVIEW_ID, review.id)
            actions = QTreeWidgetItem(
                top, [_("Actions ({count})").format(count=len(entry.actions))]
            )
            actions.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for history_action in entry.actions:
                row = history_action.action
                then = history_action.status_then
                now = action_status_text(row.data.status)
                child = QTreeWidgetItem(
                    actions,
                    [
                        row.data.title + (f"  ({row.kpi_name})" if row.kpi_name else ""),
                        row.data.owner,
                        due_text(row.data.due_date, row.days_overdue),
                        action_status_text(then) if then else "",
                        now,
                    ],
                )
                child.setData(0, REVIEW_ID, review.id)
                if color := action_status_color(row.data.status):
                    child.setForeground(self.NOW, QBrush(QColor(color)))
                if then and (color := action_status_color(then)):
                    child.setForeground(self.THEN, QBrush(QColor(color)))
                if row.overdue:
                    child.setForeground(2, QBrush(QColor(OVERDUE_COLOR)))
            traced = [e for e in entry.events if e.event not in ("opened", "closed")]
            if traced:
                trace = QTreeWidgetItem(top, [_("Trace")])
                trace.setFlags(Qt.ItemFlag.ItemIsEnabled)
                for event in traced:
                    QTreeWidgetItem(trace, [describe_event(event)])
            open_it = review.id in expanded or (first_fill and index < 3)
            top.setExpanded(open_it)
            decisions.setExpanded(open_it)
            actions.setExpanded(open_it)
        for column, cap in ((1, 150), (2, 235), (3, 100), (4, 290)):
            self.tree.resizeColumnToContents(column)
            self.tree.setColumnWidth(column, min(self.tree.columnWidth(column), cap))

    @staticmethod
    def _summary(entry: HistoryEntry) -> str:
        counts = entry.counts()
        total = sum(counts.values())
        if not total:
            return _("No actions")
        parts = [
            f"{counts[s.value]} {_(ACTION_STATUS_LABELS[s]).lower()}"
            for s in ActionStatus
            if counts[s.value]
        ]
        text = " · ".join(parts)
        if entry.overdue:
            text += "  ⚠ " + ngettext("{count} overdue", "{count} overdue", entry.overdue).format(
                count=entry.overdue
            )
        return text

    def _activated(self, item: QTreeWidgetItem) -> None:
        review_id = item.data(0, REVIEW_ID)
        if review_id is not None and item.parent() is None:
            self.reviewActivated.emit(int(review_id))


class StartReviewCommand(CallbackCommand):
    """Starting a review; undone by deleting it, unless it has been closed since (then the
    command drops out of the undo history: a closed review is changed only by reopening)."""

    def __init__(self, text: str, created: dict[str, int], do, undo, done) -> None:  # type: ignore[no-untyped-def]
        super().__init__(text, do, undo, done)
        self.created = created

    def undo(self) -> None:
        try:
            closed = review_service.review_info(self.created["id"]).closed
        except (KeyError, ReviewError):
            closed = True
        if closed:
            self.setObsolete(True)
            return
        super().undo()


class ReviewsPage(Page):
    key = "reviews"

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.today: date | None = None
        """The day actions are judged overdue against; None for the real today (tests set it)."""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 4, 0, 0)

        toolbar = QHBoxLayout()
        label = QLabel(_("&Review:"))
        toolbar.addWidget(label)
        self.review_combo = QComboBox()
        self.review_combo.setAccessibleName(_("Review"))
        self.review_combo.setMinimumContentsLength(34)
        self.review_combo.currentIndexChanged.connect(self._review_chosen)
        label.setBuddy(self.review_combo)
        toolbar.addWidget(self.review_combo, 1)
        self.start_button = QPushButton(icon("plus"), _("Start review…"))
        self.start_button.clicked.connect(self.start_review)
        toolbar.addWidget(self.start_button)
        self.delete_button = QPushButton(icon("trash-2"), _("Delete…"))
        self.delete_button.setToolTip(_("Delete an open review and what was recorded in it"))
        self.delete_button.clicked.connect(self.delete_review)
        toolbar.addWidget(self.delete_button)
        toolbar.addStretch()
        outer.addLayout(toolbar)

        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.empty = EmptyState(
            "presentation",
            _("No reviews yet"),
            _(
                "A review is the follow-up meeting for a period: the KPIs off target come "
                "first, and it ends in decisions and actions with owners and due dates."
            ),
        )
        empty_button = QPushButton(icon("plus"), _("Start the first review"))
        empty_button.clicked.connect(self.start_review)
        self.empty.add_button(empty_button)
        self.stack.addWidget(self.empty)

        self.tabs = QTabWidget()
        self.meeting = ReviewMeeting(session)
        self.tabs.addTab(self.meeting, icon("presentation"), _("Meeting"))
        self.history = HistoryView()
        self.history.reviewActivated.connect(self.show_review)
        self.tabs.addTab(self.history, icon("history"), _("History"))
        self.tabs.currentChanged.connect(lambda _index: self._fill_history())
        self.stack.addWidget(self.tabs)
        self._filling = False

    def current_day(self) -> date:
        return self.today or date.today()

    def refresh(self) -> None:
        if not self.session.is_open or self._filling:
            return
        self._filling = True
        try:
            reviews = review_service.list_reviews()
            current = self.review_combo.currentData()
            known = {review.id for review in reviews}
            if current not in known:
                current = next((r.id for r in reviews if not r.closed), None)
                if current is None and reviews:
                    current = reviews[0].id
            with QSignalBlocker(self.review_combo):
                self.review_combo.clear()
                for review in reviews:
                    self.review_combo.addItem(
                        icon("lock" if review.closed else "pencil"),
                        review_label(review),
                        review.id,
                    )
                self.review_combo.setCurrentIndex(max(0, self.review_combo.findData(current)))
        finally:
            self._filling = False
        self.stack.setCurrentIndex(1 if reviews else 0)
        writable = not self.session.read_only
        self.start_button.setEnabled(writable)
        self.meeting.today = self.today
        self.meeting.set_review(self.review_combo.currentData())
        self._update_buttons()
        self._fill_history()

    def _fill_history(self) -> None:
        if self.session.is_open and self.tabs.currentWidget() is self.history:
            today = self.current_day()
            self.history.fill(review_service.history(today=today))

    def _update_buttons(self) -> None:
        agenda = self.meeting.agenda
        self.delete_button.setEnabled(
            not self.session.read_only and agenda is not None and not agenda.review.closed
        )

    def _review_chosen(self) -> None:
        if self._filling:
            return
        self.meeting.set_review(self.review_combo.currentData())
        self._update_buttons()

    def current_review_id(self) -> int | None:
        return self.review_combo.currentData()

    def show_review(self, review_id: int) -> None:
        """Open ``review_id`` in the meeting tab."""
        if self.review_combo.findData(review_id) < 0:
            self.refresh()
        index = self.review_combo.findData(review_id)
        if index >= 0:
            self.review_combo.setCurrentIndex(index)
        self.tabs.setCurrentWidget(self.meeting)

    # commands -----------------------------------------------------------------------------
    def open_start_dialog(self, dialog: StartReviewDialog) -> bool:
        """Show the dialog modally; tests replace this to fill and accept it."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def start_review(self) -> None:
        if not self.session.is_open or self.session.read_only:
            return
        context = self.session.context
        dialog = StartReviewDialog(
            context.period if context else None,
            context.unit_id if context else None,
            today=self.current_day(),
            parent=self,
        )
        prefill_next_review(dialog, self.current_day())
        if not self.open_start_dialog(dialog):
            return
        period, unit_ids = dialog.period(), dialog.unit_ids()
        if period is None or not unit_ids:
            return
        title = dialog.title_edit.text().strip()
        participants = dialog.participants_edit.text()
        held_on = dialog.held_edit.value()
        workspace = self.session.workspace
        created: dict[str, int] = {}

        def do() -> None:
            created["id"] = review_service.start_review(
                workspace,
                period,
                unit_ids,
                title,
                participants=participants,
                held_on=held_on,
                review_id=created.get("id"),
            )

        def undo() -> None:
            review_service.delete_review(workspace, created["id"])

        self.session.undo_stack.push(
            StartReviewCommand(
                _("Start review “{title}”").format(title=title),
                created,
                do,
                undo,
                self.session.dataChanged.emit,
            )
        )
        self.show_review(created["id"])

    def delete_review(self) -> None:
        agenda = self.meeting.agenda
        if agenda is None or agenda.review.closed or self.session.read_only:
            return
        recorded = (
            sum(len(i.decisions) + len(i.actions) for i in agenda.items)
            + len(agenda.other_decisions)
            + len(agenda.other_actions)
        )
        details = _(
            "Its comments, decisions and actions go with it ({count} decisions and actions). "
            "This cannot be undone."
        ).format(count=recorded)
        if not confirm_delete(
            self,
            _("Delete the review “{title}”?").format(title=agenda.review.title),
            details,
        ):
            return
        review_service.delete_review(self.session.workspace, agenda.review.id)
        self.session.dataChanged.emit()
        self.refresh()
