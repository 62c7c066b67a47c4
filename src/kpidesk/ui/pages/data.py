"""The Data page: type or paste values (or targets) into a grid, with undo.

Two layouts, periods always across the columns as in budget sheets:

- *All KPIs, one unit*: a row per KPI for the unit chosen above the page. Only KPIs measured
  by one kind of period share a grid; the “KPIs measured by” picker switches between kinds
  (it follows the period picker's kind when that has KPIs), and a line under the toolbar
  names the KPIs entered in another kind. The grid ends with the period of that kind that
  holds the chosen period (12 months, 8 quarters, 13 weeks or 5 years).
- *One KPI, all units*: a row per unit for the KPI picked, in the KPI's own kind of period.
  In targets mode its first row holds the targets for every unit.

Typing takes Swedish and English numbers (``12,5``, ``1 234,5``, ``12.5``, ``81,5 %``); text
that is no number is refused with a red message under the grid and nothing is stored. An
empty cell typed over clears the value. Ctrl+V pastes a block copied from Excel or
LibreOffice at the selection's top-left cell (a single copied cell fills the whole
selection); empty cells in the block leave the values there as they are; one unreadable
cell refuses the whole paste. Delete clears the selected cells. Every edit, paste or clear
is one undoable command that restores each value and comment exactly.

Cells that are not stored for that very KPI, unit and period are shown in grey italics:
calculated KPIs' values (read-only, on a grey ground), values rolled up from sub-units, and
targets that apply from a path, from every unit's target or from sub-units. Typing there
stores the unit's own value, which then wins. In values mode a cell with a target shows its
status by a muted fill and a symbol; a comment shows as a corner mark and a tooltip, and is
edited in the field under the grid.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QItemSelectionModel,
    QPoint,
    Qt,
)
from PySide6.QtGui import (
    QGuiApplication,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import PERIOD_KIND_NAMES, PeriodKind
from kpidesk.i18n import _, ngettext
from kpidesk.services import data_entry
from kpidesk.services import targets as target_service
from kpidesk.services.conflicts import ConflictError
from kpidesk.services.data_entry import (
    CellChange,
    CellOrigin,
    Grid,
    GridCell,
    GridKpi,
    GridLayout,
    GridMode,
)
from kpidesk.services.targets import TargetChange
from kpidesk.store.errors import WorkspaceError
from kpidesk.ui import team
from kpidesk.ui.data_grid import DataTable, GridDelegate
from kpidesk.ui.forms import ERROR_STYLE
from kpidesk.ui.icons import icon
from kpidesk.ui.models.data_grid_model import (
    DataGridModel,
    decimal_hint,
)
from kpidesk.ui.pages.base import Page
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand
from kpidesk.ui.widgets import EmptyState


class DataPage(Page):
    key = "data"

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.mode = GridMode.VALUES
        self.layout_kind = GridLayout.KPIS
        self.tokens: dict = {}
        self.kind: PeriodKind | None = None
        self._session_kind: PeriodKind | None = None
        self.kpi_id: int | None = None
        self.grid: Grid | None = None
        self._filling = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 4, 0, 0)

        toolbar = QHBoxLayout()
        self.mode_group = QButtonGroup(self)
        self.values_button = self._toggle(_("&Values"), "table", self.mode_group)
        self.targets_button = self._toggle(_("&Targets"), "target", self.mode_group)
        self.values_button.setChecked(True)
        self.values_button.setToolTip(_("Enter the measured values"))
        self.targets_button.setToolTip(_("Enter the targets, the same way as values"))
        self.mode_group.idToggled.connect(self._mode_toggled)
        toolbar.addWidget(self.values_button)
        toolbar.addWidget(self.targets_button)
        toolbar.addSpacing(16)

        self.layout_group = QButtonGroup(self)
        self.by_kpis_button = self._toggle(_("All KPIs, one unit"), None, self.layout_group)
        self.by_units_button = self._toggle(_("One KPI, all units"), None, self.layout_group)
        self.by_kpis_button.setChecked(True)
        self.by_kpis_button.setToolTip(_("Periods × KPIs for the unit chosen above"))
        self.by_units_button.setToolTip(_("Units × periods for the KPI you pick"))
        self.layout_group.idToggled.connect(self._layout_toggled)
        toolbar.addWidget(self.by_kpis_button)
        toolbar.addWidget(self.by_units_button)
        toolbar.addSpacing(8)

        self.kind_label = QLabel(_("KPIs &measured by:"))
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(_("KPIs measured by"))
        self.kind_label.setBuddy(self.kind_combo)
        self.kind_combo.currentIndexChanged.connect(self._kind_chosen)
        toolbar.addWidget(self.kind_label)
        toolbar.addWidget(self.kind_combo)
        self.kpi_label = QLabel(_("&KPI:"))
        self.kpi_combo = QComboBox()
        self.kpi_combo.setAccessibleName(_("KPI"))
        self.kpi_combo.setMinimumContentsLength(24)
        self.kpi_label.setBuddy(self.kpi_combo)
        self.kpi_combo.currentIndexChanged.connect(self._kpi_chosen)
        toolbar.addWidget(self.kpi_label)
        toolbar.addWidget(self.kpi_combo)
        toolbar.addStretch()
        self.targets_dialog_button = QPushButton(icon("target"), _("Targets for this KPI…"))
        self.targets_dialog_button.setToolTip(
            _("A path to a goal, and a suggested target from the KPI's history")
        )
        self.targets_dialog_button.clicked.connect(self.open_targets_for_current)
        toolbar.addWidget(self.targets_dialog_button)
        outer.addLayout(toolbar)

        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        outer.addWidget(self.hint)

        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.empty = EmptyState(
            "table",
            _("No KPIs to enter data for"),
            _(
                "Define KPIs on the KPIs page first (or pick them from the library); their "
                "values and targets are then typed or pasted here."
            ),
        )
        self.stack.addWidget(self.empty)

        grid_box = QWidget()
        grid_layout = QVBoxLayout(grid_box)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        self.model = DataGridModel()
        # queued: the editor closes before the store refreshes (and resets) the model
        self.model.cellEdited.connect(self.commit_text, Qt.ConnectionType.QueuedConnection)
        self.table = DataTable()
        self.table.setModel(self.model)
        self.delegate = GridDelegate(self.table)
        self.store_refused = False
        self.table.setItemDelegate(self.delegate)
        self.table.setAccessibleName(_("Data grid"))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setWordWrap(False)
        self.table.setCornerButtonEnabled(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.pasteRequested.connect(self.paste)
        self.table.copyRequested.connect(self.copy)
        self.table.clearRequested.connect(self.clear_selection)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(72)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.selectionModel().currentChanged.connect(self._current_changed)
        grid_layout.addWidget(self.table, 1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.message.setAccessibleName(_("Message"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid_layout.addWidget(self.message)

        comment_row = QHBoxLayout()
        self.comment_label = QLabel(_("&Comment:"))
        self.comment_edit = QLineEdit()
        self.comment_edit.setAccessibleName(_("Comment"))
        self.comment_edit.setClearButtonEnabled(True)
        self.comment_label.setBuddy(self.comment_edit)
        self.comment_edit.editingFinished.connect(self.save_comment)
        comment_row.addWidget(self.comment_label)
        comment_row.addWidget(self.comment_edit, 1)
        grid_layout.addLayout(comment_row)
        self.stack.addWidget(grid_box)
        self._update_controls()

    @staticmethod
    def _toggle(text: str, icon_name: str | None, group: QButtonGroup) -> QPushButton:
        button = QPushButton(icon(icon_name), text) if icon_name else QPushButton(text)
        button.setCheckable(True)
        group.addButton(button, len(group.buttons()))
        return button

    # state ------------------------------------------------------------------------------
    def _mode_toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self.set_mode(GridMode.VALUES if button_id == 0 else GridMode.TARGETS)

    def _layout_toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self.set_layout(GridLayout.KPIS if button_id == 0 else GridLayout.UNITS)

    def set_mode(self, mode: GridMode) -> None:
        (self.values_button if mode is GridMode.VALUES else self.targets_button).setChecked(True)
        if mode is not self.mode:
            self.mode = mode
            self.refresh()

    def set_layout(self, layout: GridLayout) -> None:
        (self.by_kpis_button if layout is GridLayout.KPIS else self.by_units_button).setChecked(
            True
        )
        if layout is not self.layout_kind:
            self.layout_kind = layout
            if layout is GridLayout.UNITS and self.grid is not None and self.grid.rows:
                current = self.table.currentIndex()
                row = current.row() if current.isValid() else 0
                if self.grid.layout is GridLayout.KPIS:
                    self.kpi_id = self.grid.rows[row].kpi.id
            self.refresh()

    def set_kpi(self, kpi_id: int) -> None:
        self.kpi_id = kpi_id
        index = self.kpi_combo.findData(kpi_id)
        if index >= 0:
            self.kpi_combo.setCurrentIndex(index)
        self.refresh()

    def _kind_chosen(self) -> None:
        if self._filling:
            return
        kind = self.kind_combo.currentData()
        if kind:
            self.kind = PeriodKind(kind)
            self.refresh()

    def _kpi_chosen(self) -> None:
        if self._filling:
            return
        kpi_id = self.kpi_combo.currentData()
        if kpi_id is not None:
            self.kpi_id = int(kpi_id)
            self.refresh()

    def refresh(self) -> None:
        if not self.session.is_open or self._filling or self.session.context is None:
            return
        context = self.session.context
        kinds = data_entry.kinds_in_use()
        kpis = data_entry.grid_kpis()
        if context.period.kind is not self._session_kind:
            self._session_kind = context.period.kind
            if context.period.kind in kinds:
                self.kind = context.period.kind
        if self.kind not in kinds:
            self.kind = next(iter(kinds), None)
        if self.kpi_id not in {kpi.id for kpi in kpis}:
            self.kpi_id = kpis[0].id if kpis else None
        self._filling = True
        try:
            self.kind_combo.clear()
            for kind, count in kinds.items():
                self.kind_combo.addItem(
                    _("{kind} ({count})").format(
                        kind=_(PERIOD_KIND_NAMES[kind]).capitalize(), count=count
                    ),
                    kind.value,
                )
            if self.kind is not None:
                self.kind_combo.setCurrentIndex(self.kind_combo.findData(self.kind.value))
            self.kpi_combo.clear()
            for kpi in kpis:
                self.kpi_combo.addItem(data_entry.kpi_label(kpi), kpi.id)
            if self.kpi_id is not None:
                self.kpi_combo.setCurrentIndex(self.kpi_combo.findData(self.kpi_id))
        finally:
            self._filling = False

        current = self.table.currentIndex()
        position = (current.row(), current.column()) if current.isValid() else None
        previous_shape = (
            (self.grid.layout, self.grid.kind, len(self.grid.rows)) if self.grid else None
        )
        if not kpis or self.kind is None:
            self.grid = None
        elif self.layout_kind is GridLayout.KPIS and context.unit_id is not None:
            end = data_entry.end_period(context.period, self.kind)
            self.grid = data_entry.kpi_grid(context.unit_id, end, self.mode)
        elif self.layout_kind is GridLayout.UNITS and self.kpi_id is not None:
            self.grid = data_entry.unit_grid(self.kpi_id, context.period, self.mode)
        else:
            self.grid = None
        self.tokens = data_entry.grid_tokens(self.grid)
        currency = self.session.workspace.settings().currency if self.session.workspace else "SEK"
        self.model.set_rows(
            self.grid,
            read_only=self.session.read_only,
            currency=currency,
            access=self.session.access,
        )
        self.stack.setCurrentIndex(1 if self.grid is not None else 0)
        if self.grid is not None and self.grid.rows and self.grid.periods:
            shape = (self.grid.layout, self.grid.kind, len(self.grid.rows))
            self.table.fit_columns()
            if position is None or shape != previous_shape:
                position = (0, len(self.grid.periods) - 1)
            row = min(position[0], len(self.grid.rows) - 1)
            column = min(position[1], len(self.grid.periods) - 1)
            index = self.model.index(row, column)
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.table.updateGeometries()  # the scroll range of the new columns, then scroll
            self.table.scrollTo(index)
        self._update_hint()
        self._update_controls()

    def _update_hint(self) -> None:
        parts = []
        if self.session.read_only:
            parts.append(_("The workspace is open read-only: you can look but not change."))
        elif self.mode is GridMode.VALUES:
            parts.append(
                _(
                    "Type numbers as 12,5 or 12.5. Paste a block copied from Excel with Ctrl+V "
                    "(empty cells in it leave values as they are); Delete clears. Grey "
                    "italics are calculated or rolled up, not stored here."
                )
            )
        else:
            parts.append(
                _(
                    "Type a target per period; for a KPI kept within a range type its low and "
                    "high end, as 20–23. Grey italics are targets that apply from a path, "
                    "from every unit or from the sub-units."
                )
            )
        if self.grid is not None and self.grid.layout is GridLayout.KPIS:
            for kind, kpis in self.grid.hidden.items():
                parts.append(
                    ngettext(
                        "{count} KPI is measured by {kind} ({names}): choose “{label}” under "
                        "“KPIs measured by”.",
                        "{count} KPIs are measured by {kind} ({names}): choose “{label}” "
                        "under “KPIs measured by”.",
                        len(kpis),
                    ).format(
                        count=len(kpis),
                        kind=_(PERIOD_KIND_NAMES[kind]),
                        names=", ".join(kpi.code for kpi in kpis),
                        label=_(PERIOD_KIND_NAMES[kind]).capitalize(),
                    )
                )
        self.hint.setText(" ".join(parts))

    def _update_controls(self) -> None:
        units_layout = self.layout_kind is GridLayout.UNITS
        self.kind_label.setVisible(not units_layout)
        self.kind_combo.setVisible(not units_layout)
        self.kpi_label.setVisible(units_layout)
        self.kpi_combo.setVisible(units_layout)
        self.targets_dialog_button.setEnabled(self.current_kpi() is not None)
        self._current_changed()

    def current_kpi(self) -> GridKpi | None:
        if self.grid is None or not self.grid.rows:
            return None
        if self.grid.layout is GridLayout.UNITS:
            return self.grid.rows[0].kpi
        current = self.table.currentIndex()
        return self.grid.rows[current.row() if current.isValid() else 0].kpi

    def current_cell(self) -> GridCell | None:
        current = self.table.currentIndex()
        if self.grid is None or not current.isValid():
            return None
        return self.grid.cell(current.row(), current.column())

    def _current_changed(self, *_args: object) -> None:
        cell = self.current_cell()
        current = self.table.currentIndex()
        self.targets_dialog_button.setEnabled(self.current_kpi() is not None)
        values = self.mode is GridMode.VALUES  # targets have no comments
        self.comment_label.setVisible(values)
        self.comment_edit.setVisible(values)
        if cell is None:
            self.comment_label.setText(_("&Comment:"))
            self.comment_edit.setText("")
            self.comment_edit.setEnabled(False)
            return
        self.comment_label.setText(
            _("&Comment on {cell}:").format(
                cell=self.model.cell_label(current.row(), current.column())
            )
        )
        self.comment_edit.setText(cell.comment)
        can_comment = (
            self.mode is GridMode.VALUES
            and cell.origin is CellOrigin.STORED
            and not self.session.read_only
        )
        self.comment_edit.setEnabled(can_comment)
        if self.session.read_only:
            self.comment_edit.setPlaceholderText("")
        elif cell.origin is not CellOrigin.STORED:
            self.comment_edit.setPlaceholderText(_("Enter a value first, then comment on it."))
        else:
            self.comment_edit.setPlaceholderText(_("Why the value is what it is (optional)"))

    # messages ---------------------------------------------------------------------------
    def show_error(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        self.message.setVisible(True)

    def show_info(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    @property
    def message_text(self) -> str:
        return self.message.text() if self.message.isVisibleTo(self) else ""

    # storing ----------------------------------------------------------------------------
    def _push(
        self, text: str, apply: Callable[[list], list], changes: list, done_message: str = ""
    ) -> bool:
        """Apply ``changes`` now (refused: a red message, nothing stored, no undo step), then
        put an undo step on the stack that restores the state returned."""
        workspace = self.session.workspace
        if workspace is None or self.session.read_only or not changes:
            return False
        self.store_refused = False
        try:
            checked = team.with_read_tokens(changes, self.tokens)
            try:
                before = apply(checked)
            except ConflictError as conflict:
                before = team.settle_conflict(self, conflict, apply, checked)
                if before is None:  # theirs kept
                    self.session.dataChanged.emit()
                    return False
        except DomainError as error:
            self.store_refused = isinstance(error, WorkspaceError)
            self.show_error(_("{problem} Nothing was saved.").format(problem=error.message))
            return False
        state = {"before": before, "skip": True}

        def redo() -> None:
            if state.pop("skip", False):
                return
            state["before"] = apply(changes)

        def undo() -> None:
            apply(state["before"])

        self.show_info(done_message)
        self.session.undo_stack.push(
            CallbackCommand(text, redo, undo, self.session.dataChanged.emit)
        )
        return True

    def _apply_values(self, changes: list) -> list:
        workspace = self.session.workspace
        assert workspace is not None
        return data_entry.set_values(workspace, changes)

    def _apply_targets(self, changes: list) -> list:
        workspace = self.session.workspace
        assert workspace is not None
        return target_service.set_targets(workspace, changes)

    def parse(self, row: int, column: int, text: str) -> CellChange | TargetChange | None:
        """The change ``text`` asks for in a cell; None when it changes nothing. Raises
        DomainError for text that cannot be stored."""
        assert self.grid is not None
        cell = self.grid.cell(row, column)
        kpi = self.grid.rows[row].kpi
        text = text.strip()
        if self.mode is GridMode.VALUES:
            assert cell.unit_id is not None
            if not text:
                if cell.value is None:
                    return None
                return CellChange(cell.kpi_id, cell.unit_id, cell.period.key, None)
            value = data_entry.parse_cell(text, kpi, decimal_hint=decimal_hint())
            if value == cell.value:
                return None
            return CellChange(cell.kpi_id, cell.unit_id, cell.period.key, value)
        if not text:
            if cell.value is None:
                return None
            return TargetChange(cell.kpi_id, cell.unit_id, cell.period.key, None)
        low, high = target_service.parse_target_cell(
            text, kpi, band=kpi.band, decimal_hint=decimal_hint()
        )
        if (low, high) == (cell.value, cell.value_high):
            return None
        return TargetChange(cell.kpi_id, cell.unit_id, cell.period.key, low, high)

    def _apply_for_mode(self) -> Callable[[list], list]:
        return self._apply_values if self.mode is GridMode.VALUES else self._apply_targets

    def commit_text(self, row: int, column: int, text: str) -> bool:
        """Store what was typed into a cell; a red message and nothing stored if it cannot be."""
        if self.grid is None or not self.model.editable(row, column):
            return False
        label = self.model.cell_label(row, column)
        try:
            change = self.parse(row, column, text)
        except DomainError as error:
            self.show_error(
                _("{cell}: {problem} Nothing was saved.").format(cell=label, problem=error.message)
            )
            return False
        if change is None:
            self.show_info("")
            return False
        if change.value is None:
            undo_text = _("Clear {cell}").format(cell=label)
        else:
            undo_text = _("Enter {cell}").format(cell=label)
        if self._push(undo_text, self._apply_for_mode(), [change]):
            return True
        if self.store_refused:  # the server is gone for now: keep what was typed, to retry
            index = self.model.index(row, column)
            self.delegate.retyped = text
            self.table.setCurrentIndex(index)
            self.table.edit(index)
        return False

    def selected_positions(self) -> list[tuple[int, int]]:
        positions = {(index.row(), index.column()) for index in self.table.selectedIndexes()}
        current = self.table.currentIndex()
        if not positions and current.isValid():
            positions = {(current.row(), current.column())}
        return sorted(positions)

    def paste(self, text: str | None = None) -> bool:
        """Paste a block (the clipboard's text) at the selection's top-left cell."""
        if self.grid is None or self.session.read_only:
            return False
        if text is None:
            text = QGuiApplication.clipboard().text()
        block = data_entry.parse_block(text)
        positions = self.selected_positions()
        if not block or not positions:
            return False
        targets: list[tuple[int, int, str]] = []
        if len(block) == 1 and len(block[0]) == 1 and len(positions) > 1:
            targets = [(row, column, block[0][0]) for row, column in positions]
        else:
            top = min(row for row, _column in positions)
            left = min(column for _row, column in positions)
            for offset_row, cells in enumerate(block):
                for offset_column, cell_text in enumerate(cells):
                    targets.append((top + offset_row, left + offset_column, cell_text))
        changes = []
        problems = []
        outside = skipped = 0
        for row, column, cell_text in targets:
            if not cell_text.strip():
                continue  # an empty cell in the block leaves the value alone
            if row >= len(self.grid.rows) or column >= len(self.grid.periods):
                outside += 1
                continue
            if not self.model.editable(row, column):
                skipped += 1
                continue
            try:
                change = self.parse(row, column, cell_text)
            except DomainError as error:
                problems.append(f"{self.model.cell_label(row, column)}: {error.message}")
                continue
            if change is not None:
                changes.append(change)
        if problems:
            more = len(problems) - 1
            text = _("Nothing was pasted. {problem}").format(problem=problems[0])
            if more:
                text += " " + ngettext(
                    "One more cell cannot be read either.",
                    "{count} more cells cannot be read either.",
                    more,
                ).format(count=more)
            self.show_error(text)
            return False
        notes = []
        if outside:
            notes.append(
                ngettext(
                    "One cell beyond the grid was left out.",
                    "{count} cells beyond the grid were left out.",
                    outside,
                ).format(count=outside)
            )
        if skipped:
            notes.append(
                ngettext(
                    "One calculated cell was left as it is.",
                    "{count} calculated cells were left as they are.",
                    skipped,
                ).format(count=skipped)
            )
        if not changes:
            self.show_info(" ".join([_("Nothing to change."), *notes]))
            return False
        done = ngettext("Pasted one value.", "Pasted {count} values.", len(changes)).format(
            count=len(changes)
        )
        return self._push(
            ngettext("Paste one value", "Paste {count} values", len(changes)).format(
                count=len(changes)
            ),
            self._apply_for_mode(),
            changes,
            " ".join([done, *notes]),
        )

    def copy(self) -> None:
        """Copy the selected cells' shown values as a tab-separated block, for Excel."""
        positions = self.selected_positions()
        if self.grid is None or not positions:
            return
        rows = sorted({row for row, _column in positions})
        columns = sorted({column for _row, column in positions})
        chosen = set(positions)
        block = [
            [
                self.model.plain_text(
                    self.grid.cell(row, column).shown, self.grid.cell(row, column).shown_high
                )
                if (row, column) in chosen
                else ""
                for column in range(columns[0], columns[-1] + 1)
            ]
            for row in range(rows[0], rows[-1] + 1)
        ]
        QGuiApplication.clipboard().setText(data_entry.format_block(block))

    def clear_selection(self) -> bool:
        """Clear the stored values (or targets) of the selected cells, as one undo step."""
        if self.grid is None or self.session.read_only:
            return False
        changes: list[CellChange | TargetChange] = []
        for row, column in self.selected_positions():
            cell = self.grid.cell(row, column)
            if cell.value is None or not self.model.editable(row, column):
                continue
            if self.mode is GridMode.VALUES:
                assert cell.unit_id is not None
                changes.append(CellChange(cell.kpi_id, cell.unit_id, cell.period.key, None))
            else:
                changes.append(TargetChange(cell.kpi_id, cell.unit_id, cell.period.key, None))
        if not changes:
            return False
        return self._push(
            ngettext("Clear one value", "Clear {count} values", len(changes)).format(
                count=len(changes)
            ),
            self._apply_for_mode(),
            changes,
        )

    def save_comment(self) -> bool:
        cell = self.current_cell()
        if (
            cell is None
            or self.mode is not GridMode.VALUES
            or cell.origin is not CellOrigin.STORED
            or cell.unit_id is None
            or self.session.read_only
        ):
            return False
        text = self.comment_edit.text().strip()
        if text == cell.comment:
            return False
        current = self.table.currentIndex()
        label = self.model.cell_label(current.row(), current.column())
        change = CellChange(cell.kpi_id, cell.unit_id, cell.period.key, cell.value, text)
        return self._push(_("Comment on {cell}").format(cell=label), self._apply_values, [change])

    # menus and dialogs ------------------------------------------------------------------
    def _context_menu(self, point: QPoint) -> None:
        menu = self.build_context_menu()
        menu.exec(self.table.viewport().mapToGlobal(point))

    def build_context_menu(self) -> QMenu:
        menu = QMenu(self)
        writable = not self.session.read_only and self.grid is not None
        cell = self.current_cell()
        comment = menu.addAction(_("Co&mment…"))
        comment.triggered.connect(self._focus_comment)
        comment.setEnabled(
            writable
            and self.mode is GridMode.VALUES
            and cell is not None
            and cell.origin is CellOrigin.STORED
        )
        menu.addSeparator()
        for text, shortcut, slot, enabled in (
            (_("&Copy"), QKeySequence.StandardKey.Copy, self.copy, self.grid is not None),
            (_("&Paste"), QKeySequence.StandardKey.Paste, self.paste, writable),
            (_("C&lear"), QKeySequence.StandardKey.Delete, self.clear_selection, writable),
        ):
            action = menu.addAction(text)
            action.setShortcut(shortcut)
            action.triggered.connect(lambda _checked=False, run=slot: run())
            action.setEnabled(enabled)
        menu.addSeparator()
        targets = menu.addAction(icon("target"), _("&Targets for this KPI…"))
        targets.triggered.connect(self.open_targets_for_current)
        targets.setEnabled(self.current_kpi() is not None)
        return menu

    def _focus_comment(self) -> None:
        self.comment_edit.setFocus()
        self.comment_edit.selectAll()

    def open_dialog(self, dialog: QDialog) -> None:
        """Show a dialog modally; tests replace this to drive it."""
        dialog.exec()

    def open_targets_for_current(self) -> None:
        from kpidesk.ui.target_dialog import TargetDialog

        kpi = self.current_kpi()
        context = self.session.context
        if kpi is None or context is None:
            return
        unit_id: int | None = context.unit_id
        if self.grid is not None and self.grid.layout is GridLayout.UNITS:
            current = self.table.currentIndex()
            if current.isValid():
                unit_id = self.grid.rows[current.row()].unit_id
        cell = self.current_cell()
        period = (
            cell.period
            if cell is not None
            else data_entry.end_period(context.period, kpi.frequency)
        )
        dialog = TargetDialog(self.session, kpi.id, unit_id, period, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.open_dialog(dialog)

    def current_values_text(self) -> list[list[str]]:
        """The grid as shown, for tests and debugging."""
        if self.grid is None:
            return []
        return [
            [
                self.model.data(self.model.index(row, column)) or ""
                for column in range(len(self.grid.periods))
            ]
            for row in range(len(self.grid.rows))
        ]
