"""The KPIs page: a searchable, filterable list; create, edit, archive, add from the library."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QWidget,
)

from kpidesk.domain.terms import PERSPECTIVE_LABELS
from kpidesk.i18n import _, current_language
from kpidesk.services import goals as goal_service
from kpidesk.services import kpis as kpi_service
from kpidesk.services.kpis import INDICATOR_LABELS, KpiData, KpiFilter, KpiRow
from kpidesk.ui import team
from kpidesk.ui.icons import icon
from kpidesk.ui.kpi_editor import KpiEditor
from kpidesk.ui.library_picker import LibraryPicker
from kpidesk.ui.models.kpi_table_model import KpiTableModel
from kpidesk.ui.models.proxy import TableProxy, sort_on_header_click
from kpidesk.ui.pages.base import ListPage
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.team import HistoryDialog
from kpidesk.ui.undo import CallbackCommand
from kpidesk.ui.widgets import EmptyState


class KpisPage(ListPage):
    key = "kpis"

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        toolbar = QHBoxLayout()
        self.new_button = QPushButton(icon("file-plus"), _("New KPI…"))
        self.new_button.clicked.connect(self.new_kpi)
        self.library_button = QPushButton(icon("sparkles"), _("From the library…"))
        self.library_button.clicked.connect(self.add_from_library)
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.archive_button = QPushButton(_("Archive"))
        self.archive_button.clicked.connect(self.toggle_archived)
        self.history_button = QPushButton(icon("history"), _("History…"))
        self.history_button.clicked.connect(self.show_history)
        for button in (
            self.new_button,
            self.library_button,
            self.edit_button,
            self.archive_button,
            self.history_button,
        ):
            toolbar.addWidget(button)
        toolbar.addStretch()
        self.outer.addLayout(toolbar)

        filters = self.filter_bar()
        self.search = filters.add_search(
            _("Search KPIs (Ctrl+F)"), _("Search KPIs"), find_shortcut=self
        )
        self.goal_filter = filters.add_choice(_("All goals"))
        self.perspective_filter = filters.add_choice(_("All perspectives"))
        self.owner_filter = filters.add_choice(_("All owners"))
        self.indicator_filter = filters.add_choice(_("Leading and lagging"))
        filters.place(
            self.goal_filter,
            self.perspective_filter,
            self.owner_filter,
            self.indicator_filter,
            stretch=1,
        )
        self.archived_filter = filters.add_check(_("Show &archived"))

        empty = EmptyState(
            "gauge",
            _("No KPIs yet"),
            _(
                "Pick KPIs from the built-in library, with definitions ready, or create your "
                "own. A few well-chosen KPIs per goal beat many."
            ),
        )
        pick = QPushButton(icon("sparkles"), _("Pick from the library"))
        pick.clicked.connect(self.add_from_library)
        create = QPushButton(icon("file-plus"), _("Create a KPI"))
        create.clicked.connect(self.new_kpi)
        empty.add_button(pick)
        empty.add_button(create)

        self.model = KpiTableModel()
        self.proxy = TableProxy(self.model, self)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName(_("KPIs"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(KpiTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(KpiTableModel.GOALS, QHeaderView.ResizeMode.Stretch)
        sort_on_header_click(self.table)
        self.table.doubleClicked.connect(self.edit_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.add_list(empty, self.table)

    def refresh(self) -> None:
        if not self.session.is_open:
            return
        goals = goal_service.goal_tree()
        self.goal_filter.set_choices([("\u2003" * g.depth + g.data.title, g.id) for g in goals])
        self.perspective_filter.set_choices(
            [(_(label), p.value) for p, label in PERSPECTIVE_LABELS.items()],
        )
        self.owner_filter.set_choices([(o, o) for o in kpi_service.owners()])
        self.indicator_filter.set_choices(
            [(_(label), i.value) for i, label in INDICATOR_LABELS.items()],
        )
        kpi_filter = KpiFilter(
            text=self.search.text(),
            goal_id=self.goal_filter.currentData(),
            perspective=self.perspective_filter.currentData(),
            owner=self.owner_filter.currentData(),
            indicator=self.indicator_filter.currentData(),
            show_archived=self.archived_filter.isChecked(),
            goal_perspectives={g.id: g.data.perspective for g in goals},
        )
        selected = self.selected_kpi_id()
        rows = kpi_service.list_kpis(kpi_filter)
        self.model.set_rows(rows, {g.id: g.data.title for g in goals})
        any_kpis = bool(rows) or bool(kpi_service.list_kpis(KpiFilter(show_archived=True)))
        self.show_list(any_kpis)
        if selected is not None:
            self.select_kpi(selected)
        read_only = self.session.definitions_read_only
        self.new_button.setEnabled(not read_only)
        self.library_button.setEnabled(not read_only)
        self._update_buttons()

    def selected_kpi_id(self) -> int | None:
        indexes = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not indexes:
            return None
        return self.model.rows[self.proxy.source_row(indexes[0])].id

    def selected_row(self) -> KpiRow | None:
        kpi_id = self.selected_kpi_id()
        return next((row for row in self.model.rows if row.id == kpi_id), None)

    def select_kpi(self, kpi_id: int) -> None:
        for number, row in enumerate(self.model.rows):
            if row.id == kpi_id:
                self.table.selectRow(self.proxy.view_row(number))
                return

    def _update_buttons(self) -> None:
        row = self.selected_row()
        writable = not self.session.definitions_read_only
        self.edit_button.setEnabled(row is not None)
        self.history_button.setEnabled(row is not None)
        self.archive_button.setEnabled(row is not None and writable)
        self.archive_button.setText(_("Bring back") if row and row.archived else _("Archive"))

    def show_history(self) -> HistoryDialog | None:
        row = self.selected_row()
        if row is None:
            return None
        dialog = HistoryDialog(row.id, row.data.name, self)
        dialog.open()
        return dialog

    # commands -------------------------------------------------------------------------
    def _push(self, text: str, do, undo) -> None:
        self.session.undo_stack.push(CallbackCommand(text, do, undo, self.session.dataChanged.emit))

    def open_editor(self, editor: KpiEditor) -> bool:
        """Show the editor modally; tests replace this to fill and accept it."""
        return editor.exec() == QDialog.DialogCode.Accepted

    def new_kpi(self) -> None:
        if not self.session.is_open or self.session.definitions_read_only:
            return
        editor = KpiEditor(KpiData(code="", name=""), parent=self)
        if not self.open_editor(editor):
            return
        data, goal_ids = editor.result_data(), editor.goal_ids()
        workspace = self.session.workspace
        created: dict[str, int] = {}

        def do() -> None:
            created["id"] = kpi_service.create_kpi(workspace, data, goal_ids)

        self._push(
            _("New KPI {code}").format(code=data.code),
            do,
            lambda: kpi_service.delete_new_kpis(workspace, [created["id"]]),
        )
        self.select_kpi(created["id"])

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        editor = KpiEditor(row.data, row.goal_ids, kpi_id=row.id, parent=self)
        if self.session.definitions_read_only:
            editor.buttons.setEnabled(False)
        if not self.open_editor(editor) or self.session.definitions_read_only:
            return
        data, goal_ids = editor.result_data(), set(editor.goal_ids())
        before = row.data
        if data == before and goal_ids == set(row.goal_ids):
            return
        workspace = self.session.workspace
        kpi_id = row.id

        def apply(values: KpiData, goals: set[int]) -> None:
            kpi_service.update_kpi(workspace, kpi_id, values)
            kpi_service.set_kpi_goals(workspace, kpi_id, goals)

        def save(read: tuple[int | None, frozenset[int]]) -> tuple[KpiData, set[int]]:
            return kpi_service.save_kpi(
                workspace,
                kpi_id,
                data if data != before else None,
                goal_ids if goal_ids != set(row.goal_ids) else None,
                read,
            )

        read = (row.row_version, frozenset(row.goal_ids))
        saved, replaced = team.save_told(self, save, read)
        if not saved:  # theirs kept: the editor again, holding theirs
            self.refresh()
            self.select_kpi(kpi_id)
            self.session.dataChanged.emit()
            if self.selected_kpi_id() == kpi_id:
                self.edit_selected()
            return
        self._push(
            _("Edit KPI {code}").format(code=data.code),
            team.skip_first(lambda: apply(data, goal_ids)),
            lambda: apply(*replaced),
        )
        self.select_kpi(kpi_id)

    def toggle_archived(self) -> None:
        row = self.selected_row()
        if row is None or self.session.definitions_read_only:
            return
        workspace = self.session.workspace
        kpi_id, archive = row.id, not row.archived
        text = (_("Archive KPI {code}") if archive else _("Bring back KPI {code}")).format(
            code=row.data.code
        )
        self._push(
            text,
            lambda: kpi_service.set_archived(workspace, kpi_id, archive),
            lambda: kpi_service.set_archived(workspace, kpi_id, not archive),
        )

    def open_picker(self, picker: LibraryPicker) -> bool:
        """Show the library picker modally; tests replace this."""
        return picker.exec() == QDialog.DialogCode.Accepted

    def add_from_library(self) -> None:
        if not self.session.is_open or self.session.definitions_read_only:
            return
        existing = {row.data.code for row in kpi_service.list_kpis(KpiFilter(show_archived=True))}
        picker = LibraryPicker(existing, goal_id=self.goal_filter.currentData(), parent=self)
        if not self.open_picker(picker):
            return
        entries, goal_id = picker.chosen_entries(), picker.goal_id()
        if not entries:
            return
        workspace = self.session.workspace
        language = current_language()
        created: dict[str, list[int]] = {}

        def do() -> None:
            created["ids"] = kpi_service.add_from_library(
                workspace, entries, language=language, goal_id=goal_id
            )

        self._push(
            _("Add {count} KPIs from the library").format(count=len(entries)),
            do,
            lambda: kpi_service.delete_new_kpis(workspace, created["ids"]),
        )
