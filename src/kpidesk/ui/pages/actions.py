"""The Actions page: every action, filtered; status changed in place; overdue ones stand out.

Each action shows the review it came from, and opens it. Status changes are undoable. The
status combo and the overdue wording are shared with the review meeting.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)

from kpidesk.domain.naming import kpi_title
from kpidesk.domain.terms import ACTION_STATUS_LABELS, ActionStatus
from kpidesk.i18n import _, ngettext
from kpidesk.services import actions as action_service
from kpidesk.services import goals as goal_service
from kpidesk.services import kpis as kpi_service
from kpidesk.services.actions import ActionFilter, ActionRow
from kpidesk.services.kpis import KpiFilter
from kpidesk.ui.action_status import (
    MUTED_COLOR,
    OVERDUE_COLOR,
    OVERDUE_FILL,
    ActionStatusCombo,
    action_status_text,
    due_text,
    linked_text,
)
from kpidesk.ui.icons import icon
from kpidesk.ui.pages.base import ListPage, Page
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand
from kpidesk.ui.widgets import EmptyState

ACTION_ID = Qt.ItemDataRole.UserRole
COLUMN_CAPS = {2: 130, 3: 250, 4: 230, 5: 190}
"""Widest a column grows to fit its contents (owner, due, links, review); text elides."""


class ActionTableModel(QAbstractTableModel):
    STATUS, TITLE, OWNER, DUE, LINKED, REVIEW = range(6)

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ActionRow] = []

    @staticmethod
    def headers() -> list[str]:
        return [
            _("Status"),
            _("Action"),
            _("Owner"),
            _("Due"),
            _("KPI or goal"),
            _("From review"),
        ]

    def set_rows(self, rows: list[ActionRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.STATUS:
                return action_status_text(row.data.status)
            if column == self.TITLE:
                return row.data.title
            if column == self.OWNER:
                return row.data.owner
            if column == self.DUE:
                return due_text(row.data.due_date, row.days_overdue)
            if column == self.LINKED:
                return linked_text(row)
            if column == self.REVIEW:
                return row.review_title
        if role == ACTION_ID:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.TITLE:
                return row.data.description or row.data.title
            if column == self.LINKED:
                return "\n".join(
                    part
                    for part in (
                        f"{_('KPI')}: {kpi_title(row.kpi_name, row.kpi_code)}"
                        if row.kpi_code
                        else "",
                        f"{_('Goal')}: {row.goal_title}" if row.goal_title else "",
                    )
                    if part
                )
            if column == self.REVIEW and row.review_id is not None:
                return _("Double-click to open the review")
        if column == self.DUE and row.overdue:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(OVERDUE_COLOR))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(OVERDUE_FILL))
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.ForegroundRole and row.data.status == ActionStatus.CANCELLED:
            return QBrush(QColor(MUTED_COLOR))
        return None


class ActionsPage(ListPage):
    key = "actions"
    reviewRequested = Signal(int)

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.today: date | None = None
        """The day overdue is judged against; None for the real today (tests set it)."""
        filters = self.filter_bar()
        self.search = filters.add_search(_("Search actions"), _("Search actions"))
        self.owner_filter = filters.add_choice(_("All owners"))
        self.status_filter = filters.add_choice(_("All statuses"))
        self.kpi_filter = filters.add_choice(_("All KPIs"))
        self.goal_filter = filters.add_choice(_("All goals"))
        filters.place(
            self.owner_filter, self.status_filter, self.kpi_filter, self.goal_filter, stretch=1
        )
        self.overdue_filter = filters.add_check(_("&Overdue only"))

        toolbar = QHBoxLayout()
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        toolbar.addWidget(self.summary)
        toolbar.addStretch()
        self.open_review_button = QPushButton(icon("presentation"), _("Open its review"))
        self.open_review_button.clicked.connect(self.open_selected_review)
        toolbar.addWidget(self.open_review_button)
        self.outer.addLayout(toolbar)

        empty = EmptyState(
            "list-checks",
            _("No actions yet"),
            _(
                "Actions are agreed in follow-up meetings: start a review on the Reviews page, "
                "and give each KPI off track an action with an owner and a due date."
            ),
        )
        to_reviews = QPushButton(icon("presentation"), _("Go to Reviews"))
        to_reviews.clicked.connect(lambda: self._show_reviews_page())
        empty.add_button(to_reviews)

        self.model = ActionTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Actions"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ActionTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setSectionResizeMode(ActionTableModel.STATUS, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(ActionTableModel.STATUS, 140)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.add_list(empty, self.table)

    def current_day(self) -> date:
        return self.today or date.today()

    def refresh(self) -> None:
        if not self.session.is_open:
            return
        self.owner_filter.set_choices([(o, o) for o in action_service.owners()])
        self.status_filter.set_choices(
            [(_("Not finished"), "unfinished")]
            + [(action_status_text(s.value), s.value) for s in ActionStatus],
        )
        self.kpi_filter.set_choices(
            [
                (kpi_title(k.data.name, k.data.code), k.id)
                for k in kpi_service.list_kpis(KpiFilter(show_archived=True))
            ],
        )
        self.goal_filter.set_choices(
            [("\u2003" * g.depth + g.data.title, g.id) for g in goal_service.goal_tree()],
        )
        today = self.current_day()
        selected = self.selected_action_id()
        rows = action_service.list_actions(self.current_filter(), today=today)
        self.model.set_rows(rows)
        for number, row in enumerate(rows):
            self._add_status_combo(number, row)
        for column, cap in COLUMN_CAPS.items():
            self.table.resizeColumnToContents(column)
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), cap))
        any_actions = bool(rows) or bool(action_service.list_actions(today=today))
        self.show_list(any_actions)
        overdue = sum(1 for row in rows if row.overdue)
        text = ngettext("{count} action", "{count} actions", len(rows)).format(count=len(rows))
        if overdue:
            late = ngettext("{count} overdue", "{count} overdue", overdue).format(count=overdue)
            text += f"   <span style='color:{OVERDUE_COLOR}'><b>⚠ {late}</b></span>"
        self.summary.setText(text)
        if selected is not None:
            self.select_action(selected)
        self._update_buttons()

    def current_filter(self) -> ActionFilter:
        return ActionFilter(
            owner=self.owner_filter.currentData(),
            status=self.status_filter.currentData(),
            overdue_only=self.overdue_filter.isChecked(),
            kpi_id=self.kpi_filter.currentData(),
            goal_id=self.goal_filter.currentData(),
            text=self.search.text(),
        )

    def _add_status_combo(self, number: int, row: ActionRow) -> None:
        combo = ActionStatusCombo(row.data.status)
        combo.setEnabled(not self.session.read_only)
        combo.setFrame(False)
        combo.statusChosen.connect(
            lambda status, action_id=row.id: self.set_status(action_id, status)
        )
        self.table.setIndexWidget(self.model.index(number, ActionTableModel.STATUS), combo)

    def status_combo(self, action_id: int) -> ActionStatusCombo | None:
        for number, row in enumerate(self.model.rows):
            if row.id == action_id:
                widget = self.table.indexWidget(self.model.index(number, ActionTableModel.STATUS))
                return widget if isinstance(widget, ActionStatusCombo) else None
        return None

    def selected_action_id(self) -> int | None:
        model = self.table.selectionModel()
        indexes = model.selectedRows() if model else []
        if not indexes or indexes[0].row() >= len(self.model.rows):
            return None
        return self.model.rows[indexes[0].row()].id

    def selected_row(self) -> ActionRow | None:
        action_id = self.selected_action_id()
        return next((row for row in self.model.rows if row.id == action_id), None)

    def select_action(self, action_id: int) -> None:
        for number, row in enumerate(self.model.rows):
            if row.id == action_id:
                self.table.selectRow(number)
                return

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.open_review_button.setEnabled(row is not None and row.review_id is not None)

    # commands ---------------------------------------------------------------------------
    def set_status(self, action_id: int, status: str) -> None:
        if self.session.read_only:
            return
        row = next((r for r in self.model.rows if r.id == action_id), None)
        if row is None or row.data.status == status:
            return
        workspace = self.session.workspace
        before: dict[str, action_service.StatusChange] = {}

        def do() -> None:
            before["change"] = action_service.set_status(workspace, action_id, status)

        def undo() -> None:
            action_service.restore_status(workspace, action_id, before["change"])

        self.session.undo_stack.push(
            CallbackCommand(
                _("Mark “{title}” as {status}").format(
                    title=row.data.title,
                    status=_(ACTION_STATUS_LABELS[ActionStatus(status)]).lower(),
                ),
                do,
                undo,
                self.session.dataChanged.emit,
            )
        )

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.column() == ActionTableModel.REVIEW:
            self.open_selected_review()

    def open_selected_review(self) -> None:
        row = self.selected_row()
        if row is not None and row.review_id is not None:
            self.open_review(row.review_id)

    def open_review(self, review_id: int) -> None:
        """Show the review on the Reviews page (through the main window, when there is one)."""
        self.reviewRequested.emit(review_id)
        reviews_page = self._show_reviews_page()
        if reviews_page is not None:
            reviews_page.show_review(review_id)  # type: ignore[attr-defined]

    def _show_reviews_page(self) -> Page | None:
        window = self.window()
        pages = getattr(window, "pages", None)
        if not pages or "reviews" not in pages:
            return None
        window.show_page(list(pages).index("reviews"))  # type: ignore[attr-defined]
        return pages["reviews"]
