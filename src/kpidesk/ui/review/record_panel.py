"""The decisions and actions recorded about one agenda entry, added in place."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.i18n import _
from kpidesk.services.actions import ActionData, ActionRow
from kpidesk.services.reviews import (
    DecisionData,
    DecisionRow,
)
from kpidesk.ui.action_status import (
    OVERDUE_COLOR,
    ActionStatusCombo,
    due_text,
    format_day,
)
from kpidesk.ui.forms import OptionalDateEdit, error_label, heading
from kpidesk.ui.icons import icon
from kpidesk.ui.review.common import (
    ROW_ID,
    _fit_height,
    _link_text,
    _tree,
)
from kpidesk.ui.review.editors import (
    _goal_choices,
)

if TYPE_CHECKING:
    from kpidesk.ui.review.meeting import ReviewMeeting


class RecordPanel(QWidget):
    """Decisions and actions about one KPI (or, with no KPI, about anything else)."""

    def __init__(self, meeting: ReviewMeeting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meeting = meeting
        self.kpi_id: int | None = None
        self.default_owner = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        layout.addWidget(heading(_("Decisions")))
        self.decisions = _tree(
            [_("Decision"), _("Date"), _("Decided by"), _("About")], _("Decisions")
        )
        self.decisions.itemDoubleClicked.connect(lambda *_args: self.edit_decision())
        self.decisions.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.decisions)
        form = QHBoxLayout()
        self.decision_text = QLineEdit()
        self.decision_text.setPlaceholderText(_("What was decided"))
        self.decision_text.setAccessibleName(_("New decision"))
        self.decision_text.returnPressed.connect(self.add_decision)
        self.decision_date = OptionalDateEdit()
        self.decision_date.setAccessibleName(_("Decided on"))
        self.decision_by = QLineEdit()
        self.decision_by.setPlaceholderText(_("Decided by"))
        self.decision_by.setAccessibleName(_("Decided by"))
        self.decision_by.returnPressed.connect(self.add_decision)
        self.add_decision_button = QPushButton(icon("plus"), _("Add decision"))
        self.add_decision_button.clicked.connect(self.add_decision)
        self.edit_decision_button = QPushButton(_("Edit…"))
        self.edit_decision_button.clicked.connect(self.edit_decision)
        self.remove_decision_button = QPushButton(_("Remove"))
        self.remove_decision_button.clicked.connect(self.remove_decision)
        form.addWidget(self.decision_text, 3)
        form.addWidget(self.decision_date)
        form.addWidget(self.decision_by, 1)
        for button in (
            self.add_decision_button,
            self.edit_decision_button,
            self.remove_decision_button,
        ):
            form.addWidget(button)
        layout.addLayout(form)
        self.decision_error = error_label()
        layout.addWidget(self.decision_error)

        layout.addSpacing(8)
        layout.addWidget(heading(_("Actions")))
        self.actions = _tree(
            [_("Action"), _("Owner"), _("Due"), _("Status"), _("About")], _("Actions")
        )
        self.actions.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.actions.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.actions.header().setStretchLastSection(False)
        self.actions.itemDoubleClicked.connect(lambda *_args: self.edit_action())
        self.actions.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.actions)
        form = QHBoxLayout()
        self.action_title = QLineEdit()
        self.action_title.setPlaceholderText(_("What is to be done"))
        self.action_title.setAccessibleName(_("New action"))
        self.action_title.returnPressed.connect(self.add_action)
        self.action_owner = QLineEdit()
        self.action_owner.setPlaceholderText(_("Owner"))
        self.action_owner.setAccessibleName(_("Owner"))
        self.action_owner.returnPressed.connect(self.add_action)
        self.action_due = OptionalDateEdit()
        self.action_due.setAccessibleName(_("Due"))
        self.action_goal = QComboBox()
        self.action_goal.setAccessibleName(_("Goal"))
        self.action_goal.setMaximumWidth(220)
        self.add_action_button = QPushButton(icon("plus"), _("Add action"))
        self.add_action_button.clicked.connect(self.add_action)
        self.edit_action_button = QPushButton(_("Edit…"))
        self.edit_action_button.clicked.connect(self.edit_action)
        self.remove_action_button = QPushButton(_("Remove"))
        self.remove_action_button.clicked.connect(self.remove_action)
        form.addWidget(self.action_title, 3)
        form.addWidget(self.action_owner, 1)
        form.addWidget(self.action_due)
        form.addWidget(self.action_goal, 1)
        for button in (self.add_action_button, self.edit_action_button, self.remove_action_button):
            form.addWidget(button)
        layout.addLayout(form)
        self.action_error = error_label()
        layout.addWidget(self.action_error)
        self.form_widgets = [
            self.decision_text,
            self.decision_date,
            self.decision_by,
            self.add_decision_button,
            self.action_title,
            self.action_owner,
            self.action_due,
            self.action_goal,
            self.add_action_button,
        ]
        self._decision_rows: dict[int, DecisionRow] = {}
        self._action_rows: dict[int, ActionRow] = {}
        self._writable = False
        self._dated_for: tuple[int | None, date | None] | None = None

    def fill(
        self,
        kpi_id: int | None,
        decisions: list[DecisionRow],
        actions: list[ActionRow],
        *,
        writable: bool,
        held_on: date | None,
        owner: str,
        goal_ids: tuple[int, ...],
        kpi_changed: bool,
        review_id: int | None = None,
    ) -> None:
        """Show the decisions and actions; the forms' dates default to the review's "held
        on" date (and a month after it), set again for another KPI, another review or a
        changed date, so a new decision never takes another review's date."""
        self.kpi_id = kpi_id
        self._writable = writable
        self._decision_rows = {row.id: row for row in decisions}
        self._action_rows = {row.id: row for row in actions}
        selected_decision = self._selected(self.decisions)
        selected_action = self._selected(self.actions)
        self.decisions.clear()
        for row in decisions:
            item = QTreeWidgetItem(
                [
                    row.data.text,
                    format_day(row.data.decided_on),
                    row.data.decided_by,
                    _link_text(row.kpi_name if kpi_id is None else "", row.goal_title),
                ]
            )
            item.setData(0, ROW_ID, row.id)
            item.setToolTip(0, row.data.text)
            self.decisions.addTopLevelItem(item)
        if not decisions:
            placeholder = QTreeWidgetItem([_("No decisions yet.")])
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.decisions.addTopLevelItem(placeholder)
        for column in (1, 2):
            self.decisions.resizeColumnToContents(column)
        self.decisions.setColumnWidth(0, max(self.decisions.columnWidth(0), 320))
        _fit_height(self.decisions)

        self.actions.clear()
        for row in actions:
            item = QTreeWidgetItem(
                [
                    row.data.title,
                    row.data.owner,
                    due_text(row.data.due_date, row.days_overdue),
                    "",
                    _link_text(row.kpi_name if kpi_id is None else "", row.goal_title),
                ]
            )
            item.setData(0, ROW_ID, row.id)
            item.setToolTip(0, row.data.description or row.data.title)
            if row.overdue:
                item.setForeground(2, QBrush(QColor(OVERDUE_COLOR)))
            self.actions.addTopLevelItem(item)
            combo = ActionStatusCombo(row.data.status)
            combo.setEnabled(self.meeting.session_writable())
            combo.statusChosen.connect(
                lambda status, action_id=row.id, read=row.row_version: (
                    self.meeting.set_action_status(action_id, status, read)
                )
            )
            self.actions.setItemWidget(item, 3, combo)
        if not actions:
            placeholder = QTreeWidgetItem([_("No actions yet.")])
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.actions.addTopLevelItem(placeholder)
        _fit_height(self.actions)
        self._select(self.decisions, selected_decision)
        self._select(self.actions, selected_action)

        for widget in self.form_widgets:
            widget.setVisible(writable)
        dated_for = (review_id, held_on)
        if kpi_changed or dated_for != self._dated_for:
            self._dated_for = dated_for
            self.decision_date.set_value(held_on)
            self.action_due.set_value(held_on + timedelta(days=30) if held_on else None)
        if kpi_changed:
            self.action_owner.setText(owner)
            self.decision_error.hide()
            self.action_error.hide()
            self.action_goal.clear()
            self.action_goal.addItem(_("No goal"), None)
            linked = [(t, g) for t, g in _goal_choices() if g in goal_ids]
            for text, goal_id in linked + [c for c in _goal_choices() if c[1] not in goal_ids]:
                self.action_goal.addItem(text.strip(), goal_id)
            if len(goal_ids) == 1:
                self.action_goal.setCurrentIndex(max(0, self.action_goal.findData(goal_ids[0])))
        self._update_buttons()

    @staticmethod
    def _selected(tree: QTreeWidget) -> int | None:
        item = tree.currentItem()
        return item.data(0, ROW_ID) if item is not None else None

    @staticmethod
    def _select(tree: QTreeWidget, row_id: int | None) -> None:
        if row_id is None:
            return
        for index in range(tree.topLevelItemCount()):
            if tree.topLevelItem(index).data(0, ROW_ID) == row_id:
                tree.setCurrentItem(tree.topLevelItem(index))

    def _update_buttons(self) -> None:
        has_decision = self._selected(self.decisions) is not None
        has_action = self._selected(self.actions) is not None
        for button, enabled in (
            (self.edit_decision_button, has_decision),
            (self.remove_decision_button, has_decision),
            (self.edit_action_button, has_action),
            (self.remove_action_button, has_action),
        ):
            button.setVisible(self._writable)
            button.setEnabled(self._writable and enabled)

    # commands -----------------------------------------------------------------------------
    def add_decision(self) -> None:
        text = self.decision_text.text().strip()
        if not text:
            self.decision_error.setText(_("A decision needs a text."))
            self.decision_error.show()
            return
        self.decision_error.hide()
        data = DecisionData(
            text,
            decided_on=self.decision_date.value(),
            decided_by=self.decision_by.text().strip(),
            kpi_id=self.kpi_id,
        )
        self.decision_text.clear()
        self.meeting.add_decision(data)

    def edit_decision(self) -> None:
        row = self._decision_rows.get(self._selected(self.decisions) or -1)
        if row is not None and self._writable:
            self.meeting.edit_decision(row)

    def remove_decision(self) -> None:
        row = self._decision_rows.get(self._selected(self.decisions) or -1)
        if row is not None and self._writable:
            self.meeting.remove_decision(row.id)

    def add_action(self) -> None:
        title = self.action_title.text().strip()
        if not title:
            self.action_error.setText(_("An action needs to say what is to be done."))
            self.action_error.show()
            return
        self.action_error.hide()
        data = ActionData(
            title,
            owner=self.action_owner.text().strip(),
            due_date=self.action_due.value(),
            kpi_id=self.kpi_id,
            goal_id=self.action_goal.currentData(),
        )
        self.action_title.clear()
        self.meeting.add_action(data)

    def edit_action(self) -> None:
        row = self._action_rows.get(self._selected(self.actions) or -1)
        if row is not None and self._writable:
            self.meeting.edit_action(row)

    def remove_action(self) -> None:
        row = self._action_rows.get(self._selected(self.actions) or -1)
        if row is not None and self._writable:
            self.meeting.remove_action(row.id)
