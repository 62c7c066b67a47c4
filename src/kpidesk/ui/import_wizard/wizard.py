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

This module is the shell: the steps' names across the top, the pages, the message line, the
progress bar and the buttons. Each step is a page of its own module (``file_step`` …
``done_step``) reading and writing one :class:`WizardState`. Reading, checking and storing
run in a worker thread (see ``ui.worker``) with a progress bar and Cancel; a cancelled
import leaves nothing behind. The import goes on the session's undo stack, so Edit → Undo
takes it back too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QFont, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.i18n import N_, _
from kpidesk.services.importing import (
    ImportOptions,
    Into,
    OnConflict,
)
from kpidesk.ui.forms import ERROR_STYLE
from kpidesk.ui.import_wizard.check_step import CheckStep
from kpidesk.ui.import_wizard.common import Step, _step_titles
from kpidesk.ui.import_wizard.done_step import DoneStep
from kpidesk.ui.import_wizard.file_step import FileStep
from kpidesk.ui.import_wizard.layout_step import LayoutStep
from kpidesk.ui.import_wizard.mapping_step import MappingStep
from kpidesk.ui.import_wizard.page import StepPage
from kpidesk.ui.import_wizard.state import WizardState
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.worker import Job, WorkerRun


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
        self.state = WizardState()
        self._run: WorkerRun | None = None
        self._busy = False
        self.setWindowTitle(_("Import"))
        self.setModal(True)
        self.resize(1000, 680)
        self.setMinimumSize(760, 520)
        self._build()
        self.show_step(Step.FILE)
        if path is not None:
            self.set_path(path)

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
        self.file_step = FileStep(self)
        self.layout_step = LayoutStep(self)
        self.mapping_step = MappingStep(self)
        self.check_step = CheckStep(self)
        self.done_step = DoneStep(self)
        for page in (
            self.file_step,
            self.layout_step,
            self.mapping_step,
            self.check_step,
            self.done_step,
        ):
            self.pages.addWidget(page)
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
        self.undo_button.clicked.connect(self.done_step.undo_import)
        buttons.addWidget(self.undo_button)
        self.next_button = QPushButton(_("&Next >"))
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        buttons.addWidget(self.next_button)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        outer.addLayout(buttons)

    @property
    def step(self) -> int:
        return self.pages.currentIndex()

    @property
    def busy(self) -> bool:
        return self._busy

    def show_step(self, step: int) -> None:
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
        self.update_buttons()

    def update_buttons(self) -> None:
        step = self.step
        busy = self._busy
        self.back_button.setVisible(step not in (Step.FILE, Step.DONE))
        self.back_button.setEnabled(not busy)
        self.undo_button.setVisible(step == Step.DONE)
        self.undo_button.setEnabled(
            not busy and self.state.result is not None and self.state.undo_result is None
        )
        self.next_button.setVisible(step != Step.DONE)
        self.next_button.setText(_("&Import") if step == Step.CHECK else _("&Next >"))
        self.next_button.setEnabled(not busy and self._can_go_on())
        self.cancel_button.setText(_("Cancel") if busy or step != Step.DONE else _("Close"))
        for widget in (
            self.file_step.path_edit,
            self.file_step.browse_button,
            self.file_step.sheet_list,
            self.layout_step.layout_combo,
            self.layout_step.year_spin,
        ):
            widget.setEnabled(not busy)

    def _can_go_on(self) -> bool:
        step = self.step
        if step == Step.FILE:
            sheet = self.file_step.current_sheet()
            return sheet is not None and sheet.layout is not None
        if step == Step.LAYOUT:
            return self.state.scan is not None and self.state.scan.extraction.record_count > 0
        if step == Step.MAPPING:
            return self.mapping_step.has_rows
        if step == Step.CHECK:
            check = self.state.check
            if check is None or check.valid == 0:
                return False
            return check.problem_count == 0 or self.check_step.skip_invalid_check.isChecked()
        return False

    @Slot()
    def next(self) -> None:
        if self._busy or not self._can_go_on():
            return
        self.clear_message()
        step = self.step
        if step == Step.CHECK:
            self.done_step.start_import()
        else:
            self.step_pages[step + 1].enter()

    @Slot()
    def back(self) -> None:
        if self._busy or self.step in (Step.FILE, Step.DONE):
            return
        self.clear_message()
        self.show_step(self.step - 1)

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_info(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def clear_message(self) -> None:
        self.message.setVisible(False)
        self.message.setText("")

    @property
    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def start_work(
        self,
        job: Job,
        on_success: Callable[[object], None],
        *,
        workspace: bool = False,
        status: str = "",
    ) -> None:
        """Run ``job`` in a worker thread (with the workspace's connection if ``workspace``),
        the progress bar showing and Cancel stopping it; ``on_success`` takes its result."""
        self._busy = True
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)
        self.show_info(status)
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
        self.update_buttons()
        run.start()

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.show_error(message)

    @Slot()
    def _cancelled(self) -> None:
        self.show_info(_("Cancelled; nothing was imported."))

    @Slot()
    def _run_finished(self) -> None:
        run = self._run
        self._run = None
        self._busy = False
        self.progress_bar.setVisible(False)
        if run is not None:
            run.deleteLater()
        self.update_buttons()

    def cancel(self) -> None:
        """Stop the work under way; an import stopped this way leaves nothing behind."""
        if self._run is not None:
            self._run.cancel()
            self.show_info(_("Cancelling…"))

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

    def options(self, *, dry_run: bool = False) -> ImportOptions:
        """The import's options, from the choices of every step."""
        scan = self.state.scan
        assert scan is not None
        into = Into.TARGETS if self.mapping_step.targets_radio.isChecked() else Into.ACTUALS
        # Hidden when every value has a unit; None there means the top unit (or, for
        # targets, every unit).
        combo = self.mapping_step.default_unit_combo
        unit_id = combo.currentData() if not combo.isHidden() else None
        profile = (
            self.mapping_step.profile_edit.text().strip()
            if self.mapping_step.save_profile_check.isChecked()
            else ""
        )
        return ImportOptions(
            sheet=scan.extraction.sheet,
            layout=scan.layout,
            year=self.layout_step.chosen_year(),
            into=into,
            on_conflict=OnConflict.REPLACE
            if self.check_step.replace_radio.isChecked()
            else OnConflict.SKIP,
            skip_invalid=True if dry_run else self.check_step.skip_invalid_check.isChecked(),
            dry_run=dry_run,
            unit_id=unit_id,
            profile=profile or None,
            roll_up=self.check_step.roll_up_check.isChecked(),
        )

    @property
    def step_pages(self) -> tuple[StepPage, ...]:
        return (
            self.file_step,
            self.layout_step,
            self.mapping_step,
            self.check_step,
            self.done_step,
        )

    def set_path(self, path: Path) -> None:
        """Start on ``path``: read its sheets (in the worker) and show them."""
        self.file_step.set_path(path)


def open_import_wizard(
    session: WorkspaceSession, parent: QWidget | None = None, path: Path | None = None
) -> ImportWizard:
    """Show the wizard (modal); ``path`` starts it on that file."""
    wizard = ImportWizard(session, parent, path=path)
    wizard.open()
    return wizard
