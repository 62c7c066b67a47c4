"""The Actions page: every action, filtered; status changed in place; overdue ones stand out.

Each action shows the review it came from, and opens it. Status changes are undoable. The
status combo and the overdue wording are shared with the review meeting.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt, Signal
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
from kpidesk.ui import team
from kpidesk.ui.action_status import (
    OVERDUE_COLOR,
    ActionStatusCombo,
    action_status_text,
)
from kpidesk.ui.icons import icon
from kpidesk.ui.models.action_table_model import ActionTableModel
from kpidesk.ui.models.proxy import TableProxy, sort_on_header_click
from kpidesk.ui.pages.base import ListPage, Page
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand
from kpidesk.ui.widgets import EmptyState

COLUMN_CAPS = {2: 130, 3: 250, 4: 230, 5: 190}
"""Widest a column grows to fit its contents (owner, due, links, review); text elides."""


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
        self.proxy = TableProxy(self.model, self)
        self.table = QTableView()
        self.table.setModel(self.proxy)
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
        sort_on_header_click(self.table)
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
        self.table.setIndexWidget(self.proxy.view_index(number, ActionTableModel.STATUS), combo)

    def status_combo(self, action_id: int) -> ActionStatusCombo | None:
        for number, row in enumerate(self.model.rows):
            if row.id == action_id:
                widget = self.table.indexWidget(
                    self.proxy.view_index(number, ActionTableModel.STATUS)
                )
                return widget if isinstance(widget, ActionStatusCombo) else None
        return None

    def selected_action_id(self) -> int | None:
        model = self.table.selectionModel()
        indexes = model.selectedRows() if model else []
        if not indexes:
            return None
        row = self.proxy.source_row(indexes[0])
        return self.model.rows[row].id if 0 <= row < len(self.model.rows) else None

    def selected_row(self) -> ActionRow | None:
        action_id = self.selected_action_id()
        return next((row for row in self.model.rows if row.id == action_id), None)

    def select_action(self, action_id: int) -> None:
        for number, row in enumerate(self.model.rows):
            if row.id == action_id:
                self.table.selectRow(self.proxy.view_row(number))
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
        saved, change = team.save_told(
            self,
            lambda version: action_service.set_status(
                workspace, action_id, status, read_version=version
            ),
            row.row_version,
        )
        if not saved:  # theirs kept: the list shows theirs
            self.session.dataChanged.emit()
            return
        before = {"change": change}

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
                team.skip_first(do),
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
