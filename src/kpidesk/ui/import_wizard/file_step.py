"""Step 1: which file and which sheet (a SIE file goes on to the SIE step)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from kpidesk.i18n import _
from kpidesk.io.workbook import SheetPreview, WorkbookPreview
from kpidesk.services import importing
from kpidesk.services.progress import CancelFlag, Progress
from kpidesk.ui.import_wizard.common import (
    GREY,
    Step,
    _heading,
    _hint,
    _layout_names,
    _table,
    fill_grid,
    import_filter,
    is_sie,
    layout_summary,
)
from kpidesk.ui.import_wizard.page import StepPage

if TYPE_CHECKING:
    from kpidesk.ui.import_wizard.wizard import ImportWizard


def choose_file(parent: QWidget, start: Path | None) -> Path | None:
    """Ask for a spreadsheet or SIE file (a native dialog); tests replace this function."""
    path, _selected = QFileDialog.getOpenFileName(
        parent, _("Import a spreadsheet or SIE file"), str(start or Path.home()), import_filter()
    )
    return Path(path) if path else None


class FileStep(StepPage):
    """1. The file and the sheet, with the sheet's first rows."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._build()

    def _build(self) -> None:
        layout = self.box
        layout.addWidget(_heading(_("Which file and sheet?")))
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName(_("File"))
        self.path_edit.setPlaceholderText(
            _("Choose a spreadsheet or SIE file, or drop one on the window")
        )
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
                    "Excel (.xlsx, .xlsm, .xls), OpenDocument (.ods) or CSV, or a SIE file "
                    "from the bookkeeping (.se, .si). The file is only read, never changed."
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

    @Slot()
    def browse(self) -> None:
        start = self.state.path.parent if self.state.path else None
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
        return self.session.settings.workspace_value(workspace.location, "import_folder")

    def set_path(self, path: Path) -> None:
        """Read the sheets of ``path`` (in the worker) and show them."""
        if self.wizard.busy:
            return
        path = Path(path)
        self.state.path = path
        self.path_edit.setText(str(path))
        self.state.preview = None
        self.state.scan = None
        self.state.check = None
        self.state.sie = None
        self.sheet_list.clear()
        self.raw_table.clear()
        self.raw_table.setRowCount(0)
        self.raw_table.setColumnCount(0)
        self.sheet_info.setText(_("The first rows of the sheet:"))
        self.wizard.show_step(Step.FILE)
        if is_sie(path):
            self.sheet_info.setText(
                _("{file} is a SIE file from the bookkeeping: it has no sheets.").format(
                    file=path.name
                )
            )
            self.wizard.open_sie(path)
            return

        def job(_progress: Progress, _cancelled: CancelFlag) -> object:
            return importing.preview_file(path)

        self.wizard.start_work(
            job, self._preview_ready, status=_("Reading {file}…").format(file=path.name)
        )

    @Slot(object)
    def _preview_ready(self, preview: object) -> None:
        assert isinstance(preview, WorkbookPreview)
        self.state.preview = preview
        self.wizard.clear_message()
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
            self.wizard.show_error(
                _("No table of KPI values was found in {file}.").format(file=preview.file_name)
            )
        self.wizard.update_buttons()

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
        if self.state.preview is None:
            return None
        item = self.sheet_list.currentItem()
        if item is None:
            return None
        return self.state.preview.sheet(item.data(Qt.ItemDataRole.UserRole))

    def select_sheet(self, name: str) -> None:
        for row in range(self.sheet_list.count()):
            if self.sheet_list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.sheet_list.setCurrentRow(row)
                return
        raise KeyError(name)

    @Slot(int)
    def _sheet_changed(self, _row: int) -> None:
        sheet = self.current_sheet()
        self.state.scan = None
        self.state.check = None
        if sheet is None:
            return
        fill_grid(self.raw_table, sheet, None)
        if sheet.layout is None:
            reason = sheet.problem.text if sheet.problem else _("No table of KPI values.")
            self.sheet_info.setText(reason)
        else:
            self.sheet_info.setText(
                _("The first rows of “{sheet}”: {layout}").format(
                    sheet=sheet.name, layout=layout_summary(sheet.layout)
                )
            )
            self.wizard.clear_message()
        self.wizard.update_buttons()
