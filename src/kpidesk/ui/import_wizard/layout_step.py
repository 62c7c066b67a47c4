"""Step 2: how the sheet is laid out, and what its rows become."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.numbers import format_number
from kpidesk.domain.periods import format_period
from kpidesk.i18n import _
from kpidesk.io.extract import RawRecord
from kpidesk.io.layout import Layout, LayoutKind, YearSourceKind
from kpidesk.services import importing
from kpidesk.services.import_mapping import (
    layout_signature,
    profile_for_signature,
)
from kpidesk.services.importing import ScanResult
from kpidesk.services.progress import CancelFlag, Progress
from kpidesk.ui.import_wizard.common import (
    RECORDS_SHOWN,
    Step,
    _heading,
    _hint,
    _item,
    _layout_names,
    _table,
    fill_grid,
    layout_summary,
    record_value_text,
)
from kpidesk.ui.import_wizard.page import StepPage

if TYPE_CHECKING:
    from kpidesk.ui.import_wizard.wizard import ImportWizard


class LayoutStep(StepPage):
    """2. The layout found (or another chosen), the year for months without one, the sheet
    with each column's role, and what the first rows become."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._filling = False
        self._scanned_for: tuple[object, ...] | None = None
        self._build()

    def _build(self) -> None:
        layout = self.box
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

    def enter(self) -> None:
        sheet = self.wizard.file_step.current_sheet()
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
        self.wizard.show_step(Step.LAYOUT)
        fill_grid(self.sheet_table, sheet, sheet.layout)
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
        if self._filling or self.wizard.step != Step.LAYOUT:
            return
        self._scan()

    def _scan(self) -> None:
        sheet = self.wizard.file_step.current_sheet()
        if sheet is None or self.state.path is None:
            return
        if self.wizard.busy:
            QTimer.singleShot(100, self._scan)  # after the read under way
            return
        kind = self.chosen_layout()
        year = self.chosen_year()
        key = (str(self.state.path), sheet.name, kind, year)
        if self.state.scan is not None and self._scanned_for == key:
            return
        self.state.scan = None
        self.state.check = None
        path = self.state.path
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
        self.wizard.start_work(job, self._scan_ready, status=_("Reading the sheet…"))

    @Slot(object)
    def _scan_ready(self, scan: object) -> None:
        assert isinstance(scan, ScanResult)
        self.state.scan = scan
        self.state.defined = {}
        self.wizard.clear_message()
        layout = scan.layout
        sheet = self.wizard.file_step.current_sheet()
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
            fill_grid(self.sheet_table, sheet, layout)
        self._show_year(layout)
        self._fill_records(scan.sample)
        if layout_problems:
            self.wizard.show_error("\n".join(layout_problems))
        elif extraction.record_count == 0:
            self.wizard.show_error(_("No values were found on this sheet in this layout."))
        self.wizard.update_buttons()

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
