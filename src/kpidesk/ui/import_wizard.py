"""File → Import (or a spreadsheet dropped on the window): a wizard in five steps.

1. **File**: the file and the sheet, with the sheet's first rows.
2. **Layout**: the layout found (with a choice of another, and the year for months written
   without one), the sheet with each column's role, and what each row becomes.
3. **Mapping**: every KPI and unit name in the sheet, matched to the workspace or to be
   created, mapped or ignored; actual values or targets; where values without a unit go;
   the import profile the choices are saved as (found again for a file of the same shape).
4. **Check**: a dry run: how many values will be stored, every problem (sheet, row, column,
   value, reason) with the choice to import only the valid values, and what to do with
   values already stored.
5. **Done**: what was imported, with "Undo this import".

Reading, checking and storing run in a worker thread (see ``ui.worker``) with a progress
bar and Cancel; a cancelled import leaves nothing behind. The import goes on the session's
undo stack, so Edit → Undo takes it back too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QColor, QFont, QPalette, QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.aggregation import AGGREGATION_LABELS
from kpidesk.domain.errors import DomainError
from kpidesk.domain.naming import kpi_title
from kpidesk.domain.numbers import format_number
from kpidesk.domain.periods import PERIOD_KIND_NAMES, Period, format_period
from kpidesk.i18n import N_, _, ngettext
from kpidesk.io.cells import column_letter
from kpidesk.io.errors import ImportProblem
from kpidesk.io.extract import RawRecord
from kpidesk.io.layout import ColumnRole, Layout, LayoutKind, YearSourceKind
from kpidesk.io.workbook import SheetPreview, WorkbookPreview
from kpidesk.services import importing, overview
from kpidesk.services import targets as target_service
from kpidesk.services.import_mapping import (
    KPI_IGNORED,
    UNIT_IGNORED,
    Choice,
    ImportMapping,
    KpiDecision,
    LabelStats,
    NewKpi,
    ProfileData,
    UnitDecision,
    WorkspaceNames,
    layout_signature,
    new_kpi_for,
    profile_for_signature,
)
from kpidesk.services.importing import (
    ImportOptions,
    ImportResult,
    Into,
    OnConflict,
    ScanResult,
    UndoResult,
)
from kpidesk.services.progress import CancelFlag, Progress
from kpidesk.ui.forms import ERROR_STYLE
from kpidesk.ui.new_kpi_dialog import NewKpiDialog, kind_text
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.suggested_targets import SuggestedTargetsDialog
from kpidesk.ui.worker import Job, WorkerRun

log = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv", ".tsv", ".txt")
PREVIEW_ROWS = 200
RECORDS_SHOWN = 200
GREY = QColor("#8a94a0")
HEADER_FILL = QColor("#e8f1fb")
TOTAL_FILL = QColor("#f3f4f6")


def spreadsheet_filter() -> str:
    return _("Spreadsheets (*.xlsx *.xlsm *.xlsb *.xls *.ods *.csv *.tsv *.txt)")


def is_spreadsheet(path: Path) -> bool:
    return path.suffix.lower() in SPREADSHEET_SUFFIXES


def choose_file(parent: QWidget, start: Path | None) -> Path | None:
    """Ask for a spreadsheet (a native dialog); tests replace this function."""
    path, _selected = QFileDialog.getOpenFileName(
        parent, _("Import a spreadsheet"), str(start or Path.home()), spreadsheet_filter()
    )
    return Path(path) if path else None


class Step:
    FILE = 0
    LAYOUT = 1
    MAPPING = 2
    CHECK = 3
    DONE = 4


def _step_titles() -> list[str]:
    return [_("File"), _("Layout"), _("Mapping"), _("Check"), _("Done")]


def _layout_names() -> dict[LayoutKind, str]:
    return {
        LayoutKind.LONG: _("One row per value (long)"),
        LayoutKind.WIDE: _("One column per KPI (wide)"),
        LayoutKind.ACROSS: _("Periods across the columns (budget sheet)"),
    }


def _role_names() -> dict[ColumnRole, str]:
    return {
        ColumnRole.PERIOD: _("Period"),
        ColumnRole.YEAR: _("Year"),
        ColumnRole.MONTH: _("Month"),
        ColumnRole.QUARTER: _("Quarter"),
        ColumnRole.WEEK: _("Week"),
        ColumnRole.KPI: _("KPI"),
        ColumnRole.UNIT: _("Unit"),
        ColumnRole.VALUE: _("Value"),
        ColumnRole.COMMENT: _("Comment"),
        ColumnRole.KPI_VALUES: _("KPI"),
        ColumnRole.PERIOD_VALUES: _("Period"),
        ColumnRole.TOTAL: _("Total, left out"),
        ColumnRole.IGNORED: _("Not used"),
    }


def column_roles(layout: Layout) -> dict[int, str]:
    """What each column of the sheet holds, as shown above the preview."""
    names = _role_names()
    roles: dict[int, str] = {column: names[role] for column, role in layout.roles}
    for kpi_column in layout.kpi_columns:
        roles[kpi_column.column] = _("KPI: {name}").format(name=kpi_column.label)
    for period_column in layout.period_columns:
        if period_column.period is not None:
            roles[period_column.column] = format_period(period_column.period)
    return roles


def layout_summary(layout: Layout) -> str:
    kind = _layout_names()[layout.kind]
    text = _("{kind}, header on row {row}").format(kind=kind, row=layout.header_row_number)
    if layout.kind is LayoutKind.ACROSS and layout.period_columns:
        frequency = _(PERIOD_KIND_NAMES[layout.frequency])
        text += ", " + ngettext(
            "{count} {kind} across", "{count} periods ({kind}) across", len(layout.period_columns)
        ).format(count=len(layout.period_columns), kind=frequency)
    return text + "."


def record_value_text(record: RawRecord) -> str:
    if record.format_percent:
        return format_number(record.value * 100) + " %"
    if record.text_percent:
        return format_number(record.value) + " %"
    return format_number(record.value)


def _item(text: str, *, grey: bool = False, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if grey:
        item.setForeground(GREY)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    return item


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    table.horizontalHeader().setHighlightSections(False)
    return table


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


# The undo command ------------------------------------------------------------------------


class ImportCommand(QUndoCommand):
    """An import already made, on the undo stack: undo takes it back (and it cannot be
    redone: the command then leaves the stack)."""

    def __init__(self, session: WorkspaceSession, result: ImportResult) -> None:
        super().__init__(_("Import {file}").format(file=result.file_name))
        self.session = session
        self.batch_id = result.batch_id
        self.undo_result: UndoResult | None = None
        self._first = True

    def redo(self) -> None:
        self._first = False  # the import was made before the command was pushed

    def undo(self) -> None:
        workspace = self.session.workspace
        self.setObsolete(True)
        if workspace is None or self.batch_id is None:
            return
        info = importing.batch_info(self.batch_id)
        if info is None or info.undone:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.undo_result = importing.undo_import(workspace, self.batch_id)
        except DomainError as error:
            log.warning("could not undo import %s: %s", self.batch_id, error)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.session.dataChanged.emit()


# The mapping rows --------------------------------------------------------------------------


def _choice_key(action: str, target_id: int | None = None) -> str:
    """A combo box item's data: ``ignore``, ``create`` or ``map:12``."""
    return f"{action}:{target_id}" if target_id is not None else action


def _parse_choice(data: object) -> tuple[str, int | None]:
    text = str(data or "ignore")
    action, _sep, target = text.partition(":")
    return action, int(target) if target.isdigit() else None


@dataclass
class _MappingRow:
    stats: LabelStats
    combo: QComboBox
    define: QPushButton | None = None


def _searchable(combo: QComboBox) -> None:
    """Let the user type to find an entry: any part of its text, case ignored."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = combo.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    line = combo.lineEdit()
    line.setPlaceholderText(_("Type to search the KPIs"))
    # Text that names no entry is put back to the chosen one when the field is left; a long
    # entry is shown from its start.
    line.editingFinished.connect(lambda: combo.setEditText(combo.currentText()))
    combo.currentIndexChanged.connect(lambda _index: line.setCursorPosition(0))
    line.setCursorPosition(0)


# The wizard ----------------------------------------------------------------------------------


class ImportWizard(QDialog):
    """Import one sheet of a spreadsheet into the session's workspace."""

    imported = Signal(object)
    """The :class:`ImportResult` of an import that was stored."""

    def __init__(
        self,
        session: WorkspaceSession,
        parent: QWidget | None = None,
        *,
        path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.path: Path | None = None
        self.preview: WorkbookPreview | None = None
        self.scan: ScanResult | None = None
        self.check: ImportResult | None = None
        self.result: ImportResult | None = None
        self.undo_result: UndoResult | None = None
        self.profile: ProfileData | None = None
        self.command: ImportCommand | None = None
        self._run: WorkerRun | None = None
        self._busy = False
        self._scanned_for: tuple[object, ...] | None = None
        self._checked_for: object = None
        self._kpi_rows: list[_MappingRow] = []
        self._unit_rows: list[_MappingRow] = []
        self._defined: dict[str, NewKpi] = {}  # label key → a new KPI as the user defined it
        self._filling = False
        self.setWindowTitle(_("Import"))
        self.setModal(True)
        self.resize(1000, 680)
        self.setMinimumSize(760, 520)
        self._build()
        self._show_step(Step.FILE)
        if path is not None:
            self.set_path(path)

    # building --------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setSpacing(8)
        steps = QHBoxLayout()
        steps.setSpacing(4)
        self.step_labels: list[QLabel] = []
        for number, title in enumerate(_step_titles(), start=1):
            label = QLabel(f"{number}  {title}")
            label.setObjectName(f"importStep{number}")
            label.setContentsMargins(10, 4, 10, 4)
            self.step_labels.append(label)
            steps.addWidget(label)
            if number < len(_step_titles()):
                arrow = QLabel("›")
                arrow.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                steps.addWidget(arrow)
        steps.addStretch(1)
        outer.addLayout(steps)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        outer.addWidget(line)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_file_page())
        self.pages.addWidget(self._build_layout_page())
        self.pages.addWidget(self._build_mapping_page())
        self.pages.addWidget(self._build_check_page())
        self.pages.addWidget(self._build_done_page())
        outer.addWidget(self.pages, 1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.message)
        progress_row = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        self.progress_bar.setTextVisible(True)
        progress_row.addWidget(self.progress_bar, 1)
        outer.addLayout(progress_row)

        buttons = QHBoxLayout()
        self.back_button = QPushButton(_("< &Back"))
        self.back_button.clicked.connect(self.back)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        self.undo_button = QPushButton(_("&Undo this import"))
        self.undo_button.clicked.connect(self.undo_import)
        buttons.addWidget(self.undo_button)
        self.next_button = QPushButton(_("&Next >"))
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        buttons.addWidget(self.next_button)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        outer.addLayout(buttons)

    def _build_file_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_heading(_("Which file and sheet?")))
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName(_("File"))
        self.path_edit.setPlaceholderText(_("Choose a spreadsheet, or drop one on the window"))
        self.path_edit.returnPressed.connect(lambda: self.set_path(Path(self.path_edit.text())))
        row.addWidget(QLabel(_("&File:")))
        row.itemAt(0).widget().setBuddy(self.path_edit)  # type: ignore[union-attr]
        row.addWidget(self.path_edit, 1)
        self.browse_button = QPushButton(_("&Choose…"))
        self.browse_button.clicked.connect(self.browse)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        layout.addWidget(
            _hint(
                _(
                    "Excel (.xlsx, .xlsm, .xls), OpenDocument (.ods) or CSV. The file is only "
                    "read, never changed."
                )
            )
        )
        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(_("Sheets:")))
        self.sheet_list = QListWidget()
        self.sheet_list.setAccessibleName(_("Sheets"))
        self.sheet_list.currentRowChanged.connect(self._sheet_changed)
        left_layout.addWidget(self.sheet_list, 1)
        splitter.addWidget(left)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.sheet_info = QLabel(_("The first rows of the sheet:"))
        self.sheet_info.setWordWrap(True)
        right_layout.addWidget(self.sheet_info)
        self.raw_table = _table([])
        self.raw_table.setAccessibleName(_("Sheet preview"))
        right_layout.addWidget(self.raw_table, 1)
        splitter.addWidget(right)
        splitter.setSizes([240, 700])
        layout.addWidget(splitter, 1)
        return page

    def _build_layout_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_heading(_("How is the sheet laid out?")))
        self.layout_summary = QLabel()
        self.layout_summary.setWordWrap(True)
        layout.addWidget(self.layout_summary)
        form = QHBoxLayout()
        form.addWidget(QLabel(_("&Layout:")))
        self.layout_combo = QComboBox()
        self.layout_combo.setAccessibleName(_("Layout"))
        form.itemAt(0).widget().setBuddy(self.layout_combo)  # type: ignore[union-attr]
        form.addWidget(self.layout_combo)
        form.addSpacing(16)
        self.year_label = QLabel(_("&Year of months written without one:"))
        form.addWidget(self.year_label)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(1899, 2200)
        self.year_spin.setSpecialValueText(_("none"))
        self.year_spin.setValue(1899)
        self.year_spin.setAccessibleName(_("Year"))
        self.year_label.setBuddy(self.year_spin)
        form.addWidget(self.year_spin)
        form.addStretch(1)
        layout.addLayout(form)
        self.layout_notes = _hint()
        layout.addWidget(self.layout_notes)
        splitter = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel(_("The sheet, with what each column holds:")))
        self.sheet_table = _table([])
        self.sheet_table.setAccessibleName(_("Sheet"))
        top_layout.addWidget(self.sheet_table, 1)
        splitter.addWidget(top)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.records_label = QLabel(_("What the rows become:"))
        bottom_layout.addWidget(self.records_label)
        self.records_table = _table(
            [_("Cell"), _("KPI"), _("Unit"), _("Period"), _("Value"), _("Comment")]
        )
        self.records_table.setAccessibleName(_("What the rows become"))
        bottom_layout.addWidget(self.records_table, 1)
        splitter.addWidget(bottom)
        splitter.setSizes([260, 220])
        layout.addWidget(splitter, 1)
        self.layout_combo.currentIndexChanged.connect(self._layout_choice_changed)
        self.year_spin.valueChanged.connect(self._layout_choice_changed)
        return page

    def _build_mapping_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_heading(_("Where do the values go?")))
        self.profile_info = _hint()
        layout.addWidget(self.profile_info)
        tables = QHBoxLayout()
        kpi_box = QVBoxLayout()
        kpi_box.addWidget(QLabel(_("KPIs in the file:")))
        self.kpi_table = _table([_("Name in the file"), _("Values"), _("Import into")])
        self.kpi_table.setAccessibleName(_("KPIs in the file"))
        self.kpi_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        kpi_box.addWidget(self.kpi_table, 1)
        tables.addLayout(kpi_box, 3)
        unit_box = QVBoxLayout()
        self.unit_table_label = QLabel(_("Units in the file:"))
        unit_box.addWidget(self.unit_table_label)
        self.unit_table = _table([_("Name in the file"), _("Values"), _("Import into")])
        self.unit_table.setAccessibleName(_("Units in the file"))
        self.unit_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        unit_box.addWidget(self.unit_table, 1)
        tables.addLayout(unit_box, 2)
        layout.addLayout(tables, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        into_row = QHBoxLayout()
        self.into_group = QButtonGroup(self)
        self.actuals_radio = QRadioButton(_("&Actual values"))
        self.targets_radio = QRadioButton(_("&Targets (a budget or plan)"))
        self.actuals_radio.setChecked(True)
        for button in (self.actuals_radio, self.targets_radio):
            self.into_group.addButton(button)
            into_row.addWidget(button)
        into_row.addStretch(1)
        form.addRow(_("Import the values as:"), into_row)
        self.default_unit_combo = QComboBox()
        self.default_unit_combo.setAccessibleName(_("Values without a unit"))
        self.default_unit_label = QLabel(_("Values without a &unit go to:"))
        self.default_unit_label.setBuddy(self.default_unit_combo)
        form.addRow(self.default_unit_label, self.default_unit_combo)
        profile_row = QHBoxLayout()
        self.save_profile_check = QCheckBox(_("&Remember these choices as the profile"))
        self.save_profile_check.setChecked(True)
        self.profile_edit = QLineEdit()
        self.profile_edit.setAccessibleName(_("Profile name"))
        profile_row.addWidget(self.save_profile_check)
        profile_row.addWidget(self.profile_edit, 1)
        form.addRow("", profile_row)
        layout.addLayout(form)
        self.profile_hint = _hint(
            _(
                "A file of the same shape (the same columns) is imported with these choices "
                "next time."
            )
        )
        self.profile_hint.setIndent(form.labelForField(into_row).sizeHint().width() + 8)
        layout.addWidget(self.profile_hint)
        self.targets_radio.toggled.connect(self._fill_default_units)
        self.save_profile_check.toggled.connect(self.profile_edit.setEnabled)
        return page

    def _build_check_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_heading(_("Ready to import?")))
        self.check_summary = QLabel()
        self.check_summary.setWordWrap(True)
        layout.addWidget(self.check_summary)
        self.check_created = _hint()
        layout.addWidget(self.check_created)
        self.conflict_box = QGroupBox()
        conflict_layout = QVBoxLayout(self.conflict_box)
        self.conflict_label = QLabel()
        self.conflict_label.setWordWrap(True)
        conflict_layout.addWidget(self.conflict_label)
        self.conflict_group = QButtonGroup(self)
        self.keep_radio = QRadioButton(_("&Keep the stored values (skip these)"))
        self.replace_radio = QRadioButton(_("&Replace them with the values in the file"))
        self.keep_radio.setChecked(True)
        for button in (self.keep_radio, self.replace_radio):
            self.conflict_group.addButton(button)
            conflict_layout.addWidget(button)
        layout.addWidget(self.conflict_box)
        self.roll_up_box = QGroupBox()
        roll_up_layout = QVBoxLayout(self.roll_up_box)
        self.roll_up_label = QLabel()
        self.roll_up_label.setWordWrap(True)
        roll_up_layout.addWidget(self.roll_up_label)
        self.roll_up_check = QCheckBox()
        self.roll_up_check.toggled.connect(self._roll_up_toggled)
        roll_up_layout.addWidget(self.roll_up_check)
        self.roll_up_box.hide()
        layout.addWidget(self.roll_up_box)
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        layout.addWidget(self.problems_label)
        self.problems_table = _table([_("Sheet"), _("Row"), _("Column"), _("Value"), _("Reason")])
        self.problems_table.setAccessibleName(_("Problems"))
        self.problems_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.problems_table, 1)
        self.skip_invalid_check = QCheckBox()
        self.skip_invalid_check.toggled.connect(self._update_buttons)
        layout.addWidget(self.skip_invalid_check)
        layout.addStretch(0)
        return page

    def _build_done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.done_heading = _heading(_("Imported"))
        layout.addWidget(self.done_heading)
        self.done_summary = QLabel()
        self.done_summary.setWordWrap(True)
        self.done_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_summary.setObjectName("importDoneSummary")
        self.done_summary.setContentsMargins(12, 10, 12, 10)
        self.done_summary.setStyleSheet(
            "#importDoneSummary { background: #e7f5ec; color: #14532d;"
            " border: 1px solid #14532d40; border-radius: 6px; }"
        )
        layout.addWidget(self.done_summary)
        self.done_form = QFormLayout()
        self.done_form.setContentsMargins(0, 8, 0, 8)
        self.done_form.setHorizontalSpacing(24)
        layout.addLayout(self.done_form)
        self.done_details = _hint()
        self.done_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.done_details)
        self.targets_box = QGroupBox()
        targets_layout = QHBoxLayout(self.targets_box)
        self.targets_label = QLabel(
            _(
                "No KPI has a target yet, so the scorecard shows the values with “No "
                "target”. Targets can be set from each KPI's history now."
            )
        )
        self.targets_label.setWordWrap(True)
        targets_layout.addWidget(self.targets_label, 1)
        self.targets_button = QPushButton(_("Set &targets from history…"))
        self.targets_button.clicked.connect(self.offer_targets)
        targets_layout.addWidget(self.targets_button)
        self.targets_box.hide()
        layout.addWidget(self.targets_box)
        layout.addStretch(1)
        self.done_undo_hint = _hint(
            _("Changed your mind? Undo this import here, or later with Edit → Undo.")
        )
        layout.addWidget(self.done_undo_hint)
        return page

    # steps ------------------------------------------------------------------------------------
    @property
    def step(self) -> int:
        return self.pages.currentIndex()

    @property
    def busy(self) -> bool:
        return self._busy

    def _show_step(self, step: int) -> None:
        self.pages.setCurrentIndex(step)
        palette = self.palette()
        for index, label in enumerate(self.step_labels):
            current = index == step
            font = QFont(label.font())
            font.setBold(current)
            label.setFont(font)
            if current:
                label.setStyleSheet(
                    f"background: {palette.color(QPalette.ColorRole.Highlight).name()};"
                    f" color: {palette.color(QPalette.ColorRole.HighlightedText).name()};"
                    " border-radius: 10px;"
                )
            else:
                label.setStyleSheet("color: palette(placeholder-text);" if index > step else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        step = self.step
        busy = self._busy
        self.back_button.setVisible(step not in (Step.FILE, Step.DONE))
        self.back_button.setEnabled(not busy)
        self.undo_button.setVisible(step == Step.DONE)
        self.undo_button.setEnabled(
            not busy and self.result is not None and self.undo_result is None
        )
        self.next_button.setVisible(step != Step.DONE)
        self.next_button.setText(_("&Import") if step == Step.CHECK else _("&Next >"))
        self.next_button.setEnabled(not busy and self._can_go_on())
        self.cancel_button.setText(_("Cancel") if busy or step != Step.DONE else _("Close"))
        for widget in (self.path_edit, self.browse_button, self.sheet_list):
            widget.setEnabled(not busy)
        self.layout_combo.setEnabled(not busy)
        self.year_spin.setEnabled(not busy)

    def _can_go_on(self) -> bool:
        step = self.step
        if step == Step.FILE:
            sheet = self.current_sheet()
            return sheet is not None and sheet.layout is not None
        if step == Step.LAYOUT:
            return self.scan is not None and self.scan.extraction.record_count > 0
        if step == Step.MAPPING:
            return bool(self._kpi_rows)
        if step == Step.CHECK:
            check = self.check
            if check is None or check.valid == 0:
                return False
            return check.problem_count == 0 or self.skip_invalid_check.isChecked()
        return False

    @Slot()
    def next(self) -> None:
        if self._busy or not self._can_go_on():
            return
        self._clear_message()
        step = self.step
        if step == Step.FILE:
            self._enter_layout()
        elif step == Step.LAYOUT:
            self._enter_mapping()
        elif step == Step.MAPPING:
            self._enter_check()
        elif step == Step.CHECK:
            self.start_import()

    @Slot()
    def back(self) -> None:
        if self._busy or self.step in (Step.FILE, Step.DONE):
            return
        self._clear_message()
        self._show_step(self.step - 1)

    # messages ---------------------------------------------------------------------------------
    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _show_info(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _clear_message(self) -> None:
        self.message.setVisible(False)
        self.message.setText("")

    @property
    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    # work in a thread ---------------------------------------------------------------------------
    def _start(
        self,
        job: Job,
        on_success: Callable[[object], None],
        *,
        workspace: bool = False,
        status: str = "",
    ) -> None:
        self._busy = True
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)
        self._show_info(status)
        run = WorkerRun(
            job,
            self.session.workspace if workspace else None,
            self,
            failure=N_("The import failed: {reason}"),
            stopped=N_("The import stopped unexpectedly."),
        )
        run.progressed.connect(self._progressed)
        run.succeeded.connect(on_success)
        run.failed.connect(self._failed)
        run.cancelled.connect(self._cancelled)
        run.finished.connect(self._run_finished)
        self._run = run
        self._update_buttons()
        run.start()

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._show_error(message)

    @Slot()
    def _cancelled(self) -> None:
        self._show_info(_("Cancelled; nothing was imported."))

    @Slot()
    def _run_finished(self) -> None:
        run = self._run
        self._run = None
        self._busy = False
        self.progress_bar.setVisible(False)
        if run is not None:
            run.deleteLater()
        self._update_buttons()

    def cancel(self) -> None:
        """Stop the work under way; an import stopped this way leaves nothing behind."""
        if self._run is not None:
            self._run.cancel()
            self._show_info(_("Cancelling…"))

    def wait_until_idle(self, timeout_ms: int = 30000) -> bool:
        run = self._run
        return True if run is None else run.wait(timeout_ms)

    def reject(self) -> None:
        if self._busy:
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    # 1. the file ---------------------------------------------------------------------------------
    @Slot()
    def browse(self) -> None:
        start = self.path.parent if self.path else None
        if start is None:
            folder = self._remembered_folder()
            start = Path(folder) if folder else None
        path = choose_file(self, start)
        if path is not None:
            self.set_path(path)

    def _remembered_folder(self) -> str | None:
        workspace = self.session.workspace
        if workspace is None:
            return None
        return self.session.settings.workspace_value(workspace.path, "import_folder")

    def set_path(self, path: Path) -> None:
        """Read the sheets of ``path`` (in the worker) and show them."""
        if self._busy:
            return
        path = Path(path)
        self.path = path
        self.path_edit.setText(str(path))
        self.preview = None
        self.scan = None
        self.check = None
        self.sheet_list.clear()
        self.raw_table.clear()
        self.raw_table.setRowCount(0)
        self.raw_table.setColumnCount(0)
        self._show_step(Step.FILE)

        def job(_progress: Progress, _cancelled: CancelFlag) -> object:
            return importing.preview_file(path)

        self._start(job, self._preview_ready, status=_("Reading {file}…").format(file=path.name))

    @Slot(object)
    def _preview_ready(self, preview: object) -> None:
        assert isinstance(preview, WorkbookPreview)
        self.preview = preview
        self._clear_message()
        self.sheet_list.blockSignals(True)
        self.sheet_list.clear()
        default = preview.default_sheet
        for sheet in preview.sheets:
            item = QListWidgetItem(self._sheet_text(sheet))
            item.setData(Qt.ItemDataRole.UserRole, sheet.name)
            if sheet.layout is None:
                item.setForeground(GREY)
            self.sheet_list.addItem(item)
        self.sheet_list.blockSignals(False)
        if default is not None:
            self.sheet_list.setCurrentRow(preview.sheets.index(default))
        else:
            self.sheet_list.setCurrentRow(0)
            self._show_error(
                _("No table of KPI values was found in {file}.").format(file=preview.file_name)
            )
        self._update_buttons()

    def _sheet_text(self, sheet: SheetPreview) -> str:
        text = sheet.name
        if sheet.hidden:
            text += " " + _("(hidden)")
        if sheet.layout is not None:
            return text + "\n" + _layout_names()[sheet.layout.kind]
        if sheet.problem is not None:
            return text + "\n" + sheet.problem.text
        return text

    def current_sheet(self) -> SheetPreview | None:
        if self.preview is None:
            return None
        item = self.sheet_list.currentItem()
        if item is None:
            return None
        return self.preview.sheet(item.data(Qt.ItemDataRole.UserRole))

    def select_sheet(self, name: str) -> None:
        for row in range(self.sheet_list.count()):
            if self.sheet_list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.sheet_list.setCurrentRow(row)
                return
        raise KeyError(name)

    @Slot(int)
    def _sheet_changed(self, _row: int) -> None:
        sheet = self.current_sheet()
        self.scan = None
        self.check = None
        if sheet is None:
            return
        self._fill_grid(self.raw_table, sheet, None)
        if sheet.layout is None:
            reason = sheet.problem.text if sheet.problem else _("No table of KPI values.")
            self.sheet_info.setText(reason)
        else:
            self.sheet_info.setText(
                _("The first rows of “{sheet}”: {layout}").format(
                    sheet=sheet.name, layout=layout_summary(sheet.layout)
                )
            )
            self._clear_message()
        self._update_buttons()

    def _fill_grid(self, table: QTableWidget, sheet: SheetPreview, layout: Layout | None) -> None:
        rows = sheet.rows[:PREVIEW_ROWS]
        width = max((len(row) for row in rows), default=0)
        table.clear()
        table.setColumnCount(width)
        table.setRowCount(len(rows))
        roles = column_roles(layout) if layout is not None else {}
        role_of = dict(layout.roles) if layout is not None else {}
        labels = []
        for column in range(width):
            letter = column_letter(column)
            labels.append(f"{letter}\n{roles[column]}" if column in roles else letter)
        table.setHorizontalHeaderLabels(labels)
        table.verticalHeader().setVisible(True)
        table.setVerticalHeaderLabels([str(n) for n in range(1, len(rows) + 1)])
        header_row = layout.header_row if layout is not None else -1
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                role = role_of.get(c)
                grey = layout is not None and (
                    r < header_row or role in (None, ColumnRole.IGNORED, ColumnRole.TOTAL)
                )
                item = _item(text, grey=grey, bold=r == header_row)
                if r == header_row:
                    item.setBackground(HEADER_FILL)
                elif role is ColumnRole.TOTAL:
                    item.setBackground(TOTAL_FILL)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        for column in range(width):
            table.setColumnWidth(column, min(table.columnWidth(column), 220))

    # 2. the layout ------------------------------------------------------------------------------
    def _enter_layout(self) -> None:
        sheet = self.current_sheet()
        if sheet is None or sheet.layout is None:
            return
        self._filling = True
        self.layout_combo.clear()
        self.layout_combo.addItem(
            _("As found: {layout}").format(layout=_layout_names()[sheet.layout.kind]), None
        )
        for kind, name in _layout_names().items():
            self.layout_combo.addItem(name, kind.value)
        profile = profile_for_signature(layout_signature(sheet.layout))
        year = profile.year if profile is not None else None
        self.year_spin.setValue(year or self.year_spin.minimum())
        self._filling = False
        self._show_year(sheet.layout)
        self._show_step(Step.LAYOUT)
        self._fill_grid(self.sheet_table, sheet, sheet.layout)
        self._scan()

    def _show_year(self, layout: Layout) -> None:
        """The year is asked only where months have no year of their own."""
        source = layout.year_source
        needed = (
            bool(layout.problems)
            or (source is not None and source.kind is YearSourceKind.DEFAULT)
            or self.chosen_year() is not None
        )
        self.year_label.setVisible(needed)
        self.year_spin.setVisible(needed)

    def chosen_layout(self) -> LayoutKind | None:
        data = self.layout_combo.currentData()
        return LayoutKind(data) if data else None

    def chosen_year(self) -> int | None:
        value = self.year_spin.value()
        return None if value == self.year_spin.minimum() else value

    def set_layout_choice(self, kind: LayoutKind | None) -> None:
        index = self.layout_combo.findData(kind.value if kind else None)
        self.layout_combo.setCurrentIndex(max(index, 0))

    def set_year(self, year: int | None) -> None:
        self.year_spin.setValue(year if year is not None else self.year_spin.minimum())

    @Slot()
    def _layout_choice_changed(self) -> None:
        if self._filling or self.step != Step.LAYOUT:
            return
        self._scan()

    def _scan(self) -> None:
        sheet = self.current_sheet()
        if sheet is None or self.path is None:
            return
        if self._busy:
            QTimer.singleShot(100, self._scan)  # after the read under way
            return
        kind = self.chosen_layout()
        year = self.chosen_year()
        key = (str(self.path), sheet.name, kind, year)
        if self.scan is not None and self._scanned_for == key:
            return
        self.scan = None
        self.check = None
        path = self.path
        layout: Layout | LayoutKind | None = kind
        if kind is None and year is None:
            layout = sheet.layout

        currency = importing.currency_cells_of(sheet)

        def job(progress: Progress, cancelled: CancelFlag) -> object:
            return importing.scan_file(
                path,
                sheet=sheet.name,
                layout=layout,
                year=year,
                progress=progress,
                cancelled=cancelled,
                currency_cells=currency,
            )

        self._scanned_for = key
        self.records_table.setRowCount(0)
        self._start(job, self._scan_ready, status=_("Reading the sheet…"))

    @Slot(object)
    def _scan_ready(self, scan: object) -> None:
        assert isinstance(scan, ScanResult)
        self.scan = scan
        self._defined = {}
        self._clear_message()
        layout = scan.layout
        sheet = self.current_sheet()
        summary = layout_summary(layout)
        extraction = scan.extraction
        counts = _("{values} values in {rows} rows.").format(
            values=format_number(extraction.record_count),
            rows=format_number(extraction.rows_read),
        )
        self.layout_summary.setText(f"{summary} {counts}")
        notes = [note.text for note in extraction.notes]
        layout_problems = [p.reason.text for p in layout.problems]
        self.layout_notes.setText("\n".join(notes))
        if sheet is not None:
            self._fill_grid(self.sheet_table, sheet, layout)
        self._show_year(layout)
        self._fill_records(scan.sample)
        if layout_problems:
            self._show_error("\n".join(layout_problems))
        elif extraction.record_count == 0:
            self._show_error(_("No values were found on this sheet in this layout."))
        self._update_buttons()

    def _fill_records(self, records: tuple[RawRecord, ...]) -> None:
        shown = records[:RECORDS_SHOWN]
        table = self.records_table
        table.setRowCount(len(shown))
        for row, record in enumerate(shown):
            cells = (
                f"{record.column}{record.row}",
                record.kpi,
                record.unit if record.unit is not None else "—",
                format_period(record.period),
                record_value_text(record),
                record.comment or "",
            )
            for column, text in enumerate(cells):
                item = _item(text)
                if column == 4:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(row, column, item)
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        self.records_label.setText(
            _("What the rows become (the first {count}):").format(count=len(shown))
        )

    # 3. the mapping -----------------------------------------------------------------------------
    def _enter_mapping(self) -> None:
        scan = self.scan
        if scan is None:
            return
        names = WorkspaceNames()
        self.profile = profile_for_signature(scan.signature)
        profile = self.profile
        if profile is not None:
            self.profile_info.setText(
                _(
                    "The choices saved as the profile “{name}” for files of this shape are "
                    "filled in; change them as needed."
                ).format(name=profile.name)
            )
            self.profile_edit.setText(profile.name)
            (self.targets_radio if profile.into == "targets" else self.actuals_radio).setChecked(
                True
            )
        else:
            self.profile_info.setText(
                _(
                    "Names that match the workspace (ignoring case, accents and unit "
                    "suffixes such as “(kr)”) are filled in. Choose for the rest."
                )
            )
            stem = self.path.stem if self.path else _("Import")
            self.profile_edit.setText(stem)
        self._fill_kpi_rows(scan, names, profile)
        self._fill_unit_rows(scan, names, profile)
        self._fill_default_units()
        if profile is not None and profile.default_unit_id is not None:
            index = self.default_unit_combo.findData(profile.default_unit_id)
            if index >= 0:
                self.default_unit_combo.setCurrentIndex(index)
        self._show_step(Step.MAPPING)

    def _fill_kpi_rows(
        self, scan: ScanResult, names: WorkspaceNames, profile: ProfileData | None
    ) -> None:
        table = self.kpi_table
        labels = importing.sorted_labels(scan.kpi_labels)
        table.setRowCount(len(labels))
        self._kpi_rows = []
        kpis = sorted(names.kpis.values(), key=lambda k: k.name.casefold())
        for row, stats in enumerate(labels):
            table.setItem(row, 0, _item(stats.label))
            count = _item(format_number(stats.count))
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, 1, count)
            combo = QComboBox()
            combo.setAccessibleName(_("Import “{name}” into").format(name=stats.label))
            combo.addItem(_("Ignore these values"), _choice_key("ignore"))
            combo.addItem(self._new_kpi_text(self._new_kpi(stats)), _choice_key("create"))
            combo.insertSeparator(combo.count())
            for kpi in kpis:
                if kpi.archived:
                    continue
                text = kpi_title(kpi.name, kpi.code)
                combo.addItem(text, _choice_key("map", kpi.id))
            decision = profile.kpis.get(stats.key) if profile is not None else None
            matched = names.match_kpi(stats.label)
            self._mark_unmatched(table, row, matched is None and decision is None)
            if decision is not None and decision.choice is Choice.IGNORE:
                combo.setCurrentIndex(0)
            elif decision is not None and decision.choice is Choice.MAP:
                index = combo.findData(_choice_key("map", decision.kpi_id))
                combo.setCurrentIndex(index if index >= 0 else 1)
            elif matched is not None:
                index = combo.findData(_choice_key("map", matched.id))
                combo.setCurrentIndex(index if index >= 0 else 1)
            else:
                combo.setCurrentIndex(1)
            _searchable(combo)
            define = QPushButton(_("Define…"))
            define.setToolTip(
                _(
                    "Define the new KPI: unit of measure, decimals, direction, frequency and "
                    "how its values add up over time and units."
                )
            )
            define.setAccessibleName(_("Define the new KPI “{name}”").format(name=stats.label))
            mapping_row = _MappingRow(stats, combo, define)
            define.clicked.connect(lambda _checked=False, r=mapping_row: self.define_new_kpi(r))
            cell = QWidget()
            cell_layout = QHBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.setSpacing(4)
            cell_layout.addWidget(combo, 1)
            cell_layout.addWidget(define)
            table.setCellWidget(row, 2, cell)
            self._kpi_rows.append(mapping_row)
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    @staticmethod
    def _new_kpi_text(new: NewKpi) -> str:
        return _("New KPI “{name}” ({kind})").format(name=new.name, kind=kind_text(new))

    def define_new_kpi(self, row: _MappingRow, *, dialog: NewKpiDialog | None = None) -> None:
        """Open "Define…" for a label: the new KPI's kind, as proposed, to change."""
        dialog = dialog or NewKpiDialog(row.stats.label, self._new_kpi(row.stats), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        new = dialog.new_kpi()
        self._defined[row.stats.key] = new
        index = row.combo.findData(_choice_key("create"))
        row.combo.setItemText(index, self._new_kpi_text(new))
        row.combo.setCurrentIndex(index)

    @staticmethod
    def _mark_unmatched(table: QTableWidget, row: int, unmatched: bool) -> None:
        """A name the workspace does not know is shown in bold: it needs a decision."""
        item = table.item(row, 0)
        if item is None or not unmatched:
            return
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setToolTip(_("Not found in the workspace: create it, map it or ignore it."))

    def _new_kpi(self, stats: LabelStats) -> NewKpi:
        defined = self._defined.get(stats.key)
        if defined is not None:
            return defined
        return new_kpi_for(stats.label, frequency=stats.frequency, cells=stats.evidence)

    def _unit_tree(self) -> list[tuple[int, str]]:
        return [(node.id, "  " * node.depth + node.name) for node in overview.unit_tree()]

    def _fill_unit_rows(
        self, scan: ScanResult, names: WorkspaceNames, profile: ProfileData | None
    ) -> None:
        table = self.unit_table
        labels = importing.sorted_labels(scan.unit_labels)
        visible = bool(labels)
        table.setVisible(visible)
        self.unit_table_label.setVisible(visible)
        table.setRowCount(len(labels))
        self._unit_rows = []
        tree = self._unit_tree()
        root_name = tree[0][1].strip() if tree else ""
        for row, stats in enumerate(labels):
            table.setItem(row, 0, _item(stats.label))
            count = _item(format_number(stats.count))
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, 1, count)
            combo = QComboBox()
            combo.setAccessibleName(_("Import “{name}” into").format(name=stats.label))
            combo.addItem(_("Ignore these values"), _choice_key("ignore"))
            combo.addItem(
                _("New unit “{name}” under {parent}").format(
                    name=" ".join(stats.label.split()), parent=root_name
                ),
                _choice_key("create"),
            )
            combo.insertSeparator(combo.count())
            for unit_id, text in tree:
                combo.addItem(text, _choice_key("map", unit_id))
            decision = profile.units.get(stats.key) if profile is not None else None
            matched = names.match_unit(stats.label)
            self._mark_unmatched(table, row, len(matched) != 1 and decision is None)
            if decision is not None and decision.choice is Choice.IGNORE:
                combo.setCurrentIndex(0)
            elif decision is not None and decision.choice is Choice.MAP:
                index = combo.findData(_choice_key("map", decision.unit_id))
                combo.setCurrentIndex(index if index >= 0 else 1)
            elif len(matched) == 1:
                index = combo.findData(_choice_key("map", matched[0].id))
                combo.setCurrentIndex(index if index >= 0 else 1)
            else:
                combo.setCurrentIndex(1)
            table.setCellWidget(row, 2, combo)
            self._unit_rows.append(_MappingRow(stats, combo))
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    @Slot()
    def _fill_default_units(self) -> None:
        scan = self.scan
        without_unit = scan is not None and (
            scan.layout.column(ColumnRole.UNIT) is None or not scan.unit_labels
        )
        previous = self.default_unit_combo.currentData()
        self.default_unit_combo.clear()
        if self.targets_radio.isChecked():
            self.default_unit_combo.addItem(_("Every unit (one target for all)"), None)
        for unit_id, text in self._unit_tree():
            self.default_unit_combo.addItem(text, unit_id)
        index = self.default_unit_combo.findData(previous)
        if index >= 0 and previous is not None:
            self.default_unit_combo.setCurrentIndex(index)
        self.default_unit_combo.setVisible(without_unit)
        self.default_unit_label.setVisible(without_unit)

    def kpi_choice(self, label: str) -> QComboBox:
        """The combo box deciding where the values of ``label`` go (for tests)."""
        for row in self._kpi_rows:
            if row.stats.label == label:
                return row.combo
        raise KeyError(label)

    def unit_choice(self, label: str) -> QComboBox:
        for row in self._unit_rows:
            if row.stats.label == label:
                return row.combo
        raise KeyError(label)

    @staticmethod
    def choose(combo: QComboBox, action: str, target_id: int | None = None) -> None:
        index = combo.findData(_choice_key(action, target_id))
        if index < 0:
            raise KeyError((action, target_id))
        combo.setCurrentIndex(index)

    @staticmethod
    def choice_of(combo: QComboBox) -> tuple[str, int | None]:
        """(``"ignore"``, None), (``"create"``, None) or (``"map"``, the id)."""
        return _parse_choice(combo.currentData())

    def mapping(self) -> ImportMapping:
        """The decisions on the mapping page."""
        kpis: dict[str, KpiDecision] = {}
        for row in self._kpi_rows:
            action, target = _parse_choice(row.combo.currentData())
            if action == "ignore" or (action == "map" and target is None):
                kpis[row.stats.key] = KPI_IGNORED
            elif action == "create":
                kpis[row.stats.key] = KpiDecision.create(self._new_kpi(row.stats))
            else:
                kpis[row.stats.key] = KpiDecision.map_to(target)
        units: dict[str, UnitDecision] = {}
        for row in self._unit_rows:
            action, target = _parse_choice(row.combo.currentData())
            if action == "ignore" or (action == "map" and target is None):
                units[row.stats.key] = UNIT_IGNORED
            elif action == "create":
                units[row.stats.key] = UnitDecision.create(" ".join(row.stats.label.split()))
            else:
                units[row.stats.key] = UnitDecision.map_to(target)
        return ImportMapping(kpis, units)

    def options(self, *, dry_run: bool = False) -> ImportOptions:
        scan = self.scan
        assert scan is not None
        into = Into.TARGETS if self.targets_radio.isChecked() else Into.ACTUALS
        # Hidden when every value has a unit; None there means the top unit (or, for
        # targets, every unit).
        combo = self.default_unit_combo
        unit_id = combo.currentData() if not combo.isHidden() else None
        profile = self.profile_edit.text().strip() if self.save_profile_check.isChecked() else ""
        return ImportOptions(
            sheet=scan.extraction.sheet,
            layout=scan.layout,
            year=self.chosen_year(),
            into=into,
            on_conflict=OnConflict.REPLACE if self.replace_radio.isChecked() else OnConflict.SKIP,
            skip_invalid=True if dry_run else self.skip_invalid_check.isChecked(),
            dry_run=dry_run,
            unit_id=unit_id,
            profile=profile or None,
            roll_up=self.roll_up_check.isChecked(),
        )

    # 4. the check -------------------------------------------------------------------------------
    def _enter_check(self) -> None:
        scan = self.scan
        workspace = self.session.workspace
        if scan is None or workspace is None:
            return
        if self.save_profile_check.isChecked() and not self.profile_edit.text().strip():
            self._show_error(_("Give the profile a name, or do not remember the choices."))
            return
        mapping = self.mapping()
        options = self.options(dry_run=True)
        path = scan.path

        def job(progress: Progress, cancelled: CancelFlag) -> object:
            return importing.run_import(
                workspace,
                path,
                options,
                mapping,
                scan=scan,
                progress=progress,
                cancelled=cancelled,
            )

        self._start(job, self._check_ready, workspace=True, status=_("Checking every value…"))

    @Slot(object)
    def _check_ready(self, check: object) -> None:
        assert isinstance(check, ImportResult)
        self.check = check
        self._clear_message()
        ready = check.imported + check.skipped
        into_targets = check.into is Into.TARGETS
        if check.valid == 0:
            self.check_summary.setText(_("No value in the file can be imported."))
        else:
            text = (
                ngettext(
                    "{count} target is ready to be imported.",
                    "{count} targets are ready to be imported.",
                    ready,
                )
                if into_targets
                else ngettext(
                    "{count} value is ready to be imported.",
                    "{count} values are ready to be imported.",
                    ready,
                )
            )
            self.check_summary.setText(text.format(count=format_number(ready)))
        created = []
        if check.created_kpis:
            created.append(_("New KPIs: {names}.").format(names=", ".join(check.created_kpis)))
        if check.created_units:
            created.append(_("New units: {names}.").format(names=", ".join(check.created_units)))
        if check.ignored:
            created.append(
                ngettext(
                    "{count} value of ignored names is left out.",
                    "{count} values of ignored names are left out.",
                    check.ignored,
                ).format(count=format_number(check.ignored))
            )
        self.check_created.setText(" ".join(created))
        self.check_created.setVisible(bool(created))
        self.conflict_box.setVisible(check.skipped > 0)
        self.conflict_label.setText(
            ngettext(
                "{count} of them is already stored in the workspace, with a value of its own.",
                "{count} of them are already stored in the workspace, with values of their own.",
                check.skipped,
            ).format(count=format_number(check.skipped))
        )
        self._show_roll_ups(check)
        # The values that can be rolled up are explained above, not again as a problem.
        explained = importing.MSG_FINER_KIND
        problems = tuple(p for p in check.problems if p.reason.template != explained)
        problem_count = check.problem_count - (len(check.problems) - len(problems))
        self._fill_problems(problems)
        if problem_count:
            self.problems_label.setText(
                ngettext(
                    "{count} cell cannot be imported:",
                    "{count} cells cannot be imported:",
                    problem_count,
                ).format(count=format_number(problem_count))
            )
        elif check.problem_count:
            self.problems_label.setText("")
        else:
            self.problems_label.setText(_("No problems were found."))
        if check.problem_count:
            self.skip_invalid_check.setText(
                _(
                    "Import only the {valid} valid values and leave out the {problems} with "
                    "problems"
                ).format(
                    valid=format_number(check.valid), problems=format_number(check.problem_count)
                )
            )
        self.problems_label.setVisible(bool(self.problems_label.text()))
        self.problems_table.setVisible(bool(problem_count))
        self.skip_invalid_check.setVisible(bool(check.problem_count) and check.valid > 0)
        self.skip_invalid_check.setChecked(False)
        self._show_step(Step.CHECK)

    def _show_roll_ups(self, check: ImportResult) -> None:
        """Values of a finer period than their KPI's are explained once, with the offer to
        roll them up (kept visible once chosen, to be taken back)."""
        pending = check.can_roll_up
        done = [r for r in check.roll_ups if r.done]
        shown = pending or done
        self.roll_up_box.setVisible(bool(shown))
        if not shown:
            return
        lines = []
        for roll_up in shown:
            lines.append(
                _(
                    "{kpi} is measured by {kind}, but the file has {count} values by {other} "
                    "({first} – {last})."
                ).format(
                    kpi=roll_up.kpi,
                    kind=_(PERIOD_KIND_NAMES[roll_up.target]),
                    count=format_number(roll_up.values),
                    other=_(PERIOD_KIND_NAMES[roll_up.source]),
                    first=format_period(Period.from_key(roll_up.first)),
                    last=format_period(Period.from_key(roll_up.last)),
                )
            )
        first = shown[0]
        rolled = (importing.MSG_ROLLED_UP, importing.MSG_PARTIAL, importing.MSG_WEEKS_BY_THURSDAY)
        lines += [note.text for note in check.notes if note.template in rolled]
        self.roll_up_label.setText("\n".join(lines))
        self.roll_up_check.blockSignals(True)
        self.roll_up_check.setText(
            _(
                "&Roll them up by {kind}: each KPI's values combined by its aggregation "
                "({aggregation}); a week counts in the month of its Thursday"
            ).format(
                kind=_(PERIOD_KIND_NAMES[first.target]),
                aggregation=", ".join(
                    f"{r.kpi}: {_(AGGREGATION_LABELS[r.aggregation]).lower()}" for r in shown
                ),
            )
        )
        self.roll_up_check.setChecked(bool(done) and not pending)
        self.roll_up_check.blockSignals(False)

    @Slot(bool)
    def _roll_up_toggled(self, _checked: bool) -> None:
        if self.step == Step.CHECK and not self._busy:
            self._enter_check()

    def _fill_problems(self, problems: tuple[ImportProblem, ...]) -> None:
        table = self.problems_table
        table.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            cells = (
                problem.sheet,
                str(problem.row) if problem.row is not None else "",
                problem.column or "",
                problem.value,
                problem.reason.text,
            )
            for column, text in enumerate(cells):
                item = _item(text)
                if column == 4:
                    item.setToolTip(text)
                table.setItem(row, column, item)
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)

    # 5. the import ----------------------------------------------------------------------------
    def start_import(self) -> None:
        scan = self.scan
        workspace = self.session.workspace
        if scan is None or workspace is None or self._busy:
            return
        mapping = self.mapping()
        options = self.options()
        path = scan.path

        def job(progress: Progress, cancelled: CancelFlag) -> object:
            return importing.run_import(
                workspace,
                path,
                options,
                mapping,
                scan=scan,
                progress=progress,
                cancelled=cancelled,
            )

        self._start(job, self._import_done, workspace=True, status=_("Importing…"))

    @Slot(object)
    def _import_done(self, result: object) -> None:
        assert isinstance(result, ImportResult)
        if not result.stored:
            self.check = result
            self._check_ready(result)
            self._show_error(result.summary())
            return
        self.result = result
        self._clear_message()
        self.command = ImportCommand(self.session, result)
        self.session.undo_stack.push(self.command)
        self.session.dataChanged.emit()
        if result.into is Into.ACTUALS:
            self.session.show_newest_data()
        workspace = self.session.workspace
        if workspace is not None and self.path is not None:
            self.session.settings.set_workspace_value(
                workspace.path, "import_folder", str(self.path.parent)
            )
        self._show_result(result)
        self._show_step(Step.DONE)
        self.imported.emit(result)

    def _show_result(self, result: ImportResult) -> None:
        self.done_heading.setText(_("Imported"))
        self.done_summary.setStyleSheet(
            "#importDoneSummary { background: #e7f5ec; color: #14532d;"
            " border: 1px solid #14532d40; border-radius: 6px; }"
        )
        self.done_summary.setText(result.summary())
        while self.done_form.rowCount():
            self.done_form.removeRow(0)
        rows = [
            (
                _("File:"),
                _("{file}, sheet “{sheet}”").format(file=result.file_name, sheet=result.sheet),
            ),
            (
                _("Stored as:"),
                _("targets") if result.into is Into.TARGETS else _("actual values"),
            ),
            (_("Imported:"), format_number(result.imported)),
        ]
        if result.replaced:
            rows.append((_("Of them replacing stored values:"), format_number(result.replaced)))
        if result.skipped:
            rows.append((_("Already stored, kept:"), format_number(result.skipped)))
        if result.problem_count:
            rows.append((_("Left out, with problems:"), format_number(result.problem_count)))
        if result.ignored:
            rows.append((_("Left out, ignored names:"), format_number(result.ignored)))
        if result.created_kpis:
            rows.append((_("New KPIs:"), ", ".join(result.created_kpis)))
        if result.created_units:
            rows.append((_("New units:"), ", ".join(result.created_units)))
        if result.profile:
            rows.append(
                (_("Choices saved as:"), _("the profile “{name}”").format(name=result.profile))
            )
        if result.backup is not None:
            rows.append((_("Backup made first:"), result.backup.name))
        rows.append((_("Import number:"), str(result.batch_id)))
        for label, text in rows:
            value = QLabel(text)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.done_form.addRow(label, value)
        self.done_details.setText("\n".join(note.text for note in result.notes))
        self.done_undo_hint.setVisible(True)
        self.targets_box.setVisible(
            result.into is Into.ACTUALS
            and not self.session.read_only
            and target_service.has_no_targets()
        )

    @Slot()
    def offer_targets(self, *, dialog: SuggestedTargetsDialog | None = None) -> bool:
        """ "Set targets from history…": the suggestions for every KPI without a target."""
        dialog = dialog or SuggestedTargetsDialog(self.session, self)
        stored = dialog.exec() == QDialog.DialogCode.Accepted and bool(dialog.stored)
        if stored:
            self.targets_box.hide()
        return stored

    def result_rows(self) -> dict[str, str]:
        """The done page's figures, label → text (for tests)."""
        rows: dict[str, str] = {}
        for row in range(self.done_form.rowCount()):
            label = self.done_form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self.done_form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is not None and field is not None:
                rows[label.widget().text()] = field.widget().text()  # type: ignore[union-attr]
        return rows

    @Slot()
    def undo_import(self) -> None:
        """Take the import back (through the undo stack when it is the last edit)."""
        result = self.result
        workspace = self.session.workspace
        if result is None or result.batch_id is None or workspace is None or self._busy:
            return
        stack = self.session.undo_stack
        command = self.command
        if (
            command is not None
            and stack.index() > 0
            and stack.command(stack.index() - 1) is command
        ):
            stack.undo()
            undone = command.undo_result
        else:
            try:
                undone = importing.undo_import(workspace, result.batch_id)
            except DomainError as error:
                self._show_error(error.message)
                return
            self.session.dataChanged.emit()
        self.undo_result = undone
        self.done_heading.setText(_("Import undone"))
        self.done_summary.setText(
            undone.summary() if undone is not None else _("The import was undone.")
        )
        self.done_details.setText("")
        while self.done_form.rowCount():
            self.done_form.removeRow(0)
        self.done_summary.setStyleSheet(
            "#importDoneSummary { background: #e8f1fb; color: #1f4e79;"
            " border: 1px solid #1f4e7940; border-radius: 6px; }"
        )
        self.done_undo_hint.setVisible(False)
        self.targets_box.hide()
        self._update_buttons()


def open_import_wizard(
    session: WorkspaceSession, parent: QWidget | None = None, path: Path | None = None
) -> ImportWizard:
    """Show the wizard (modal); ``path`` starts it on that file."""
    wizard = ImportWizard(session, parent, path=path)
    wizard.open()
    return wizard
