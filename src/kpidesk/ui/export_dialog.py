"""File → Export: a review pack, a PDF report, a data template, the measurements as CSV, or
chart images, for a chosen period, units and language.

Reading the workspace and writing Excel or CSV run in a worker thread (its own database
connection; it never touches a widget and reports through signals). Qt drawing (the PDF and
chart images) then runs on the GUI thread, page by page, keeping the progress bar and Cancel
alive. Errors show inside the dialog, beside the button that caused them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import PERIOD_KIND_NAMES, Period, PeriodKind, format_period
from kpidesk.i18n import N_, _
from kpidesk.services import exports, overview, report_content
from kpidesk.services.exports import ExportFormat, ExportRequest, ExportResult, Prepared
from kpidesk.services.progress import CancelFlag, Cancelled, Progress
from kpidesk.store.location import location_name
from kpidesk.ui.forms import buddy_label, error_label
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.worker import Job, WorkerRun

LANGUAGE_NAMES = (("sv", "Svenska"), ("en", "English"))


def _format_titles() -> dict[ExportFormat, str]:
    return {
        ExportFormat.PACK: _("Review pack (Excel)"),
        ExportFormat.PDF: _("Report (PDF)"),
        ExportFormat.TEMPLATE: _("Data template to fill in (Excel)"),
        ExportFormat.CSV: _("Every measurement (CSV)"),
        ExportFormat.CHARTS: _("Chart images (PNG or SVG)"),
    }


def _format_help() -> dict[ExportFormat, str]:
    return {
        ExportFormat.PACK: _(
            "Cover, scorecard with status colours, a sheet and chart per KPI, decisions and "
            "actions."
        ),
        ExportFormat.PDF: _("The same content on A4 pages, with contents and page numbers."),
        ExportFormat.TEMPLATE: _(
            "A workbook for the chosen KPIs, units and period to fill in and import back."
        ),
        ExportFormat.CSV: _("Every stored value, one row each, for other programs."),
        ExportFormat.CHARTS: _("One image per KPI and unit, into a folder."),
    }


def _file_filter(kind: ExportFormat) -> str:
    return {
        ExportFormat.PACK: _("Excel workbooks (*.xlsx)"),
        ExportFormat.PDF: _("PDF documents (*.pdf)"),
        ExportFormat.TEMPLATE: _("Excel workbooks (*.xlsx)"),
        ExportFormat.CSV: _("CSV files (*.csv)"),
        ExportFormat.CHARTS: "",
    }[kind]


def choose_destination(parent: QWidget, kind: ExportFormat, suggested: Path) -> Path | None:
    """Ask where to save (a native dialog); tests replace this function."""
    if kind is ExportFormat.CHARTS:
        folder = QFileDialog.getExistingDirectory(
            parent, _("Choose a folder for the chart images"), str(suggested.parent)
        )
        return Path(folder) / suggested.name if folder else None
    path, _selected = QFileDialog.getSaveFileName(
        parent, _("Export to"), str(suggested), _file_filter(kind)
    )
    if not path:
        return None
    result = Path(path)
    suffix = exports.SUFFIXES[kind]
    return result if result.suffix.lower() == suffix else result.with_name(result.name + suffix)


def open_result(path: Path) -> None:
    """Show an exported file (or folder) in the system's program for it; tests replace it."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ExportDialog(QDialog):
    """Choose what to export and where; the work runs with a progress bar and Cancel."""

    exported = Signal(object)
    """An :class:`ExportResult` after a file was written."""

    def __init__(
        self,
        session: WorkspaceSession,
        parent: QWidget | None = None,
        *,
        review_id: int | None = None,
        initial_format: ExportFormat | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.review_id = review_id
        self.result: ExportResult | None = None
        self._run: WorkerRun | None = None
        self._busy = False
        self._cancel_requested = False
        self._destination_edited = False
        self._units_touched = False
        self.setWindowTitle(_("Export review") if review_id is not None else _("Export"))
        self.setModal(True)
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        formats = [ExportFormat.PACK, ExportFormat.PDF]
        if review_id is None:
            formats += [ExportFormat.TEMPLATE, ExportFormat.CSV]
        formats.append(ExportFormat.CHARTS)
        self.format_group = QButtonGroup(self)
        self.format_buttons: dict[ExportFormat, QRadioButton] = {}
        titles, helps = _format_titles(), _format_help()
        format_box = QVBoxLayout()
        format_box.setSpacing(2)
        for kind in formats:
            button = QRadioButton(titles[kind])
            button.setToolTip(helps[kind])
            button.setProperty("exportFormat", kind.value)
            self.format_group.addButton(button)
            self.format_buttons[kind] = button
            format_box.addWidget(button)
            hint = QLabel(helps[kind])
            hint.setWordWrap(True)
            hint.setIndent(24)
            hint.setStyleSheet("color: palette(placeholder-text);")
            format_box.addWidget(hint)
        layout.addLayout(format_box)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.kind_combo = QComboBox()
        for kind in PeriodKind:
            self.kind_combo.addItem(_(PERIOD_KIND_NAMES[kind]).capitalize(), kind.value)
        self.period_combo = QComboBox()
        self.period_combo.setMinimumContentsLength(16)
        period_row = QHBoxLayout()
        period_row.addWidget(self.kind_combo)
        period_row.addWidget(self.period_combo, 1)
        form.addRow(buddy_label(_("&Period:"), self.kind_combo), period_row)
        self.units_list = QListWidget()
        self.units_list.setMaximumHeight(120)
        self.units_list.setAccessibleName(_("Units"))
        form.addRow(_("&Units:"), self.units_list)
        self.language_combo = QComboBox()
        for code, name in LANGUAGE_NAMES:
            self.language_combo.addItem(name, code)
        form.addRow(_("&Language of the file:"), self.language_combo)
        self.prefill_check = QCheckBox(_("Fill in the values already stored"))
        form.addRow("", self.prefill_check)
        self.image_combo = QComboBox()
        self.image_combo.addItem("PNG", ".png")
        self.image_combo.addItem("SVG", ".svg")
        self.image_label = QLabel(_("Image &format:"))
        self.image_label.setBuddy(self.image_combo)
        form.addRow(self.image_label, self.image_combo)
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName(_("Save to"))
        self.browse_button = QPushButton(_("&Choose…"))
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form.addRow(buddy_label(_("&Save to:"), self.path_edit), path_row)
        layout.addLayout(form)

        self.error_label = error_label()
        self.error_label.setAccessibleName(_("Problem"))
        layout.addWidget(self.error_label)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setVisible(False)
        layout.addWidget(self.status_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        self.progress_bar.setTextVisible(True)
        layout.addWidget(self.progress_bar)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            _("&Export"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.open_button = self.buttons.addButton(
            _("&Open"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.setVisible(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.setDefault(True)
        layout.addWidget(self.buttons)

        self._fill_units()
        self._fill_language()
        self._set_initial_period()
        chosen = initial_format if initial_format in self.format_buttons else ExportFormat.PACK
        self.format_buttons[chosen].setChecked(True)

        self.format_group.buttonToggled.connect(self._format_changed)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.period_combo.currentIndexChanged.connect(self._suggest_destination)
        self.units_list.itemChanged.connect(self._units_changed)
        self.language_combo.currentIndexChanged.connect(self._suggest_destination)
        self.image_combo.currentIndexChanged.connect(self._suggest_destination)
        self.path_edit.textEdited.connect(self._path_edited)
        self.browse_button.clicked.connect(self.browse)
        self.export_button.clicked.connect(self.start)
        self.open_button.clicked.connect(self._open_result)
        self.close_button.clicked.connect(self.reject)
        self._format_changed()

    # choices ------------------------------------------------------------------------------
    @property
    def format(self) -> ExportFormat:
        button = self.format_group.checkedButton()
        return ExportFormat(button.property("exportFormat")) if button else ExportFormat.PACK

    def set_format(self, kind: ExportFormat) -> None:
        self.format_buttons[kind].setChecked(True)

    @property
    def period(self) -> Period | None:
        key = self.period_combo.currentData()
        return Period.from_key(key) if key else None

    def set_period(self, period: Period) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(period.kind.value))
        index = self.period_combo.findData(period.key)
        if index < 0:
            self.period_combo.insertItem(0, format_period(period), period.key)
            index = 0
        self.period_combo.setCurrentIndex(index)

    @property
    def language(self) -> str:
        return str(self.language_combo.currentData())

    def set_language(self, language: str) -> None:
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(language)))

    @property
    def unit_ids(self) -> list[int]:
        return [
            int(item.data(Qt.ItemDataRole.UserRole))
            for item in self._unit_items()
            if item.checkState() is Qt.CheckState.Checked
        ]

    def set_unit_ids(self, unit_ids: list[int]) -> None:
        wanted = set(unit_ids)
        self.units_list.blockSignals(True)
        for item in self._unit_items():
            checked = int(item.data(Qt.ItemDataRole.UserRole)) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.units_list.blockSignals(False)

    @property
    def destination(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    def set_destination(self, path: Path) -> None:
        self.path_edit.setText(str(path))
        self._destination_edited = True

    def _unit_items(self) -> list[QListWidgetItem]:
        return [self.units_list.item(row) for row in range(self.units_list.count())]

    def _fill_units(self) -> None:
        self.units_list.blockSignals(True)
        self.units_list.clear()
        for unit in overview.unit_tree() if self.session.is_open else []:
            item = QListWidgetItem("    " * unit.depth + unit.name)
            item.setData(Qt.ItemDataRole.UserRole, unit.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.units_list.addItem(item)
        self.units_list.blockSignals(False)
        self._default_units()

    def _default_units(self) -> None:
        if self.format is ExportFormat.TEMPLATE:
            self.set_unit_ids(report_content.leaf_unit_ids())
            return
        context = self.session.context
        chosen = context.unit_id if context is not None else None
        self.set_unit_ids([chosen] if chosen is not None else report_content.root_unit_ids())

    def _fill_language(self) -> None:
        language = exports.workspace_language() if self.session.is_open else "en"
        self.set_language(language)

    def _set_initial_period(self) -> None:
        context = self.session.context
        period = context.period if context is not None else None
        kind = period.kind if period is not None else PeriodKind.MONTH
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))
        self._fill_periods(kind)
        if period is not None:
            self.set_period(period)

    def _fill_periods(self, kind: PeriodKind) -> None:
        current = self.period_combo.currentData()
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        periods = overview.selectable_periods(kind) if self.session.is_open else []
        for period in periods:
            self.period_combo.addItem(format_period(period), period.key)
        index = self.period_combo.findData(current)
        if index < 0 and self.session.is_open:
            index = self.period_combo.findData(overview.default_period(kind).key)
        self.period_combo.setCurrentIndex(max(index, 0))
        self.period_combo.blockSignals(False)

    @Slot()
    def _kind_changed(self) -> None:
        self._fill_periods(PeriodKind(self.kind_combo.currentData()))
        self._suggest_destination()

    @Slot()
    def _units_changed(self) -> None:
        self._units_touched = True
        self._suggest_destination()

    @Slot()
    def _path_edited(self) -> None:
        self._destination_edited = bool(self.path_edit.text().strip())

    @Slot()
    def _format_changed(self, *_args: object) -> None:
        kind = self.format
        from_review = self.review_id is not None
        needs_scope = kind is not ExportFormat.CSV and not from_review
        for widget in (self.kind_combo, self.period_combo, self.units_list):
            widget.setEnabled(needs_scope)
        self.language_combo.setEnabled(kind is not ExportFormat.CSV)
        self.prefill_check.setVisible(kind is ExportFormat.TEMPLATE)
        self.image_label.setVisible(kind is ExportFormat.CHARTS)
        self.image_combo.setVisible(kind is ExportFormat.CHARTS)
        if not self._units_touched:
            self._default_units()
        if self._destination_edited and self.destination is not None:
            self._fix_suffix()
        self._suggest_destination()
        self._show_error("")

    def _fix_suffix(self) -> None:
        destination = self.destination
        suffix = exports.SUFFIXES[self.format]
        if destination is None or not suffix or destination.suffix.lower() == suffix:
            return
        if destination.suffix.lower() in (".xlsx", ".pdf", ".csv"):
            destination = destination.with_suffix(suffix)
        else:
            destination = destination.with_name(destination.name + suffix)
        self.path_edit.setText(str(destination))

    def _suggested_path(self) -> Path:
        workspace = self.session.workspace
        folder = workspace.path.parent if workspace is not None and workspace.path else Path.home()
        stored = (
            self.session.settings.workspace_value(workspace.location, "export_folder")
            if workspace is not None
            else None
        )
        if stored and Path(stored).is_dir():
            folder = Path(stored)
        name_source = "KPI Desk"
        if workspace is not None:
            fallback = workspace.path.stem if workspace.path else location_name(workspace.location)
            try:
                name_source = workspace.settings().name
            except Exception:  # a damaged settings row must not stop the dialog
                name_source = fallback
        period = self.period or Period.of(date.today(), PeriodKind.MONTH)
        name = exports.suggested_file_name(self.format, name_source, period, self.language)
        return folder / name

    @Slot()
    def _suggest_destination(self) -> None:
        if self._destination_edited:
            return
        self.path_edit.setText(str(self._suggested_path()))

    @Slot()
    def browse(self) -> None:
        suggested = self.destination or self._suggested_path()
        chosen = choose_destination(self, self.format, suggested)
        if chosen is not None:
            self.set_destination(chosen)

    # running ------------------------------------------------------------------------------
    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _show_status(self, message: str) -> None:
        self.status_label.setText(message)
        self.status_label.setVisible(bool(message))

    def build_request(self) -> ExportRequest | None:
        """The request the dialog's choices make, or None after showing what is missing."""
        if not self.session.is_open:
            self._show_error(_("Open a workspace first."))
            return None
        destination = self.destination
        if destination is None:
            self._show_error(_("Choose where to save the file."))
            return None
        kind = self.format
        if kind is not ExportFormat.CSV and self.review_id is None and not self.unit_ids:
            self._show_error(_("Choose at least one unit."))
            return None
        try:  # never the workspace, another workspace, a backup, a folder or a device
            exports.check_destination(kind, destination, self.session.path)
        except DomainError as error:
            self._show_error(error.message)
            return None
        return ExportRequest(
            kind,
            destination,
            period=self.period if self.review_id is None else None,
            unit_ids=tuple(self.unit_ids) or None,
            language=self.language,
            review_id=self.review_id,
            prefill=self.prefill_check.isChecked(),
            image_suffix=str(self.image_combo.currentData()),
        )

    @property
    def busy(self) -> bool:
        return self._busy

    @Slot()
    def start(self) -> None:
        """Run the export: in a worker thread, then (PDF, images) drawing on this thread."""
        if self._busy:
            return
        self._show_error("")
        self._show_status("")
        self.open_button.setVisible(False)
        request = self.build_request()
        if request is None:
            return
        self.result = None
        self._cancel_requested = False
        self._set_busy(True)
        draws = request.format in (ExportFormat.PDF, ExportFormat.CHARTS)
        workspace = self.session.workspace

        def job(progress: Progress, cancelled: CancelFlag) -> object:
            prepared = exports.prepare(request, workspace=workspace)
            if cancelled():
                raise Cancelled()
            if draws:
                return prepared  # Qt drawing happens on the GUI thread
            return exports.write(prepared, progress=progress, cancelled=cancelled)

        self._run_in_thread(job)

    def _run_in_thread(self, job: Job) -> None:
        run = WorkerRun(
            job,
            self.session.workspace,
            self,
            failure=N_("The export failed: {reason}"),
            stopped=N_("The export stopped unexpectedly."),
            late_cancel=False,
        )
        run.progressed.connect(self._progressed)
        run.succeeded.connect(self._worker_succeeded)
        run.failed.connect(self._failed)
        run.cancelled.connect(self._cancelled)
        run.finished.connect(self._run_finished)
        self._run = run
        run.start()

    @Slot()
    def _run_finished(self) -> None:
        run = self.sender()
        if run is self._run:
            self._run = None
        if isinstance(run, WorkerRun):
            run.deleteLater()

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        self.progress_bar.setMaximum(max(total, 1))
        self.progress_bar.setValue(min(done, max(total, 1)))

    @Slot(object)
    def _worker_succeeded(self, result: object) -> None:
        if isinstance(result, Prepared):
            self._draw(result)
        else:
            assert isinstance(result, ExportResult)
            self._finished(result)

    def _draw(self, prepared: Prepared) -> None:
        """The PDF or chart images: Qt painting, on the GUI thread, one page at a time."""
        from kpidesk.ui.render import render_pdf_report, save_chart_image

        def progress(done: int, total: int) -> None:
            self._progressed(done, total)
            QCoreApplication.processEvents()  # lets Cancel be pressed between pages

        try:
            result = exports.write(
                prepared,
                render_pdf=render_pdf_report,
                render_chart=save_chart_image,
                progress=progress,
                cancelled=lambda: self._cancel_requested,
            )
        except Cancelled:
            self._cancelled()
        except DomainError as error:
            self._failed(error.message)
        else:
            self._finished(result)

    def _finished(self, result: ExportResult) -> None:
        self.result = result
        self._set_busy(False)
        path = result.paths[0] if result.paths else self.destination
        if result.format is ExportFormat.CHARTS and result.paths:
            path = result.paths[0].parent
        messages = {
            ExportFormat.PACK: _("Wrote the review pack to {path}."),
            ExportFormat.PDF: _("Wrote the report ({count} pages) to {path}."),
            ExportFormat.TEMPLATE: _("Wrote the data template ({count} rows) to {path}."),
            ExportFormat.CSV: _("Wrote {count} measurements to {path}."),
            ExportFormat.CHARTS: _("Wrote {count} chart images to {path}."),
        }
        self._show_status(messages[result.format].format(count=result.count, path=path))
        self.open_button.setVisible(path is not None)
        workspace = self.session.workspace
        if workspace is not None and path is not None:
            folder = path if result.format is ExportFormat.CHARTS else path.parent
            self.session.settings.set_workspace_value(
                workspace.location, "export_folder", str(folder)
            )
        self.exported.emit(result)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self._show_error(message)

    @Slot()
    def _cancelled(self) -> None:
        self._set_busy(False)
        self._show_status(_("Cancelled; no file was written."))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress_bar.setVisible(busy)
        if busy:
            self.progress_bar.setRange(0, 0)  # busy until the first step is known
        for widget in (
            *self.format_buttons.values(),
            self.kind_combo,
            self.period_combo,
            self.units_list,
            self.language_combo,
            self.prefill_check,
            self.image_combo,
            self.path_edit,
            self.browse_button,
            self.export_button,
        ):
            widget.setEnabled(not busy)
        if not busy:
            self._format_changed()
        self.close_button.setText(_("Cancel") if busy else _("Close"))

    def cancel(self) -> None:
        """Ask the running export to stop; it removes what it had written."""
        if not self._busy:
            return
        self._cancel_requested = True
        if self._run is not None:
            self._run.cancel()
        self._show_status(_("Cancelling…"))

    @Slot()
    def _open_result(self) -> None:
        if self.result is None or not self.result.paths:
            return
        path = self.result.paths[0]
        open_result(path.parent if self.result.format is ExportFormat.CHARTS else path)

    def reject(self) -> None:
        if self._busy:
            self.cancel()
            return
        super().reject()

    def done(self, result: int) -> None:
        if self._busy:
            self.cancel()
            return
        self.wait_until_idle(5000)  # a finished worker's thread may still be winding down
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def wait_until_idle(self, timeout_ms: int = 30000) -> bool:
        """For tests and shutdown: let running workers finish (after a cancel)."""
        run = self._run
        return True if run is None else run.wait(timeout_ms)
