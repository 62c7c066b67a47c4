"""Step 5: the import itself, and what it did."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.numbers import format_number
from kpidesk.i18n import _, ngettext
from kpidesk.services import importing
from kpidesk.services import targets as target_service
from kpidesk.services.importing import (
    ImportResult,
    Into,
    ScanResult,
)
from kpidesk.services.progress import CancelFlag, Progress
from kpidesk.ui.import_wizard.command import ImportCommand
from kpidesk.ui.import_wizard.common import (
    Step,
    _heading,
    _hint,
)
from kpidesk.ui.import_wizard.page import StepPage
from kpidesk.ui.suggested_targets import SuggestedTargetsDialog
from kpidesk.ui.worker import Job

if TYPE_CHECKING:
    from kpidesk.ui.import_wizard.wizard import ImportWizard


class DoneStep(StepPage):
    """5. The import, and what it did, with “Undo this import” and the offer of targets."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._build()

    def _build(self) -> None:
        layout = self.box
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

    def start_import(self) -> None:
        scan = self.state.scan
        workspace = self.session.workspace
        if workspace is None or self.wizard.busy:
            return
        if self.state.sie is not None:
            job = self.wizard.sie_step.import_job(self.wizard.sie_options())
        elif scan is None:
            return
        else:
            job = self._spreadsheet_job(scan)
        # A job that returns has committed: its result stands even if Cancel came late.
        self.wizard.start_work(
            job, self._import_done, workspace=True, status=_("Importing…"), stores=True
        )

    def _spreadsheet_job(self, scan: ScanResult) -> Job:
        workspace = self.session.workspace
        mapping = self.wizard.mapping_step.mapping()
        options = self.wizard.options()
        path = scan.path

        def job(progress: Progress, cancelled: CancelFlag) -> object:
            return importing.run_import(
                workspace,  # type: ignore[arg-type]
                path,
                options,
                mapping,
                scan=scan,
                progress=progress,
                cancelled=cancelled,
            )

        return job

    @Slot(object)
    def _import_done(self, result: object) -> None:
        assert isinstance(result, ImportResult)
        if not result.stored:
            self.state.check = result
            self.wizard.check_step._check_ready(result)
            self.wizard.show_error(result.summary())
            return
        self.state.result = result
        self.wizard.clear_message()
        self.state.command = ImportCommand(self.session, result)
        self.session.undo_stack.push(self.state.command)
        self.session.dataChanged.emit()
        if result.into is Into.ACTUALS:
            self.session.show_newest_data()
        workspace = self.session.workspace
        if workspace is not None and self.state.path is not None:
            self.session.settings.set_workspace_value(
                workspace.location, "import_folder", str(self.state.path.parent)
            )
        self._show_result(result)
        self.wizard.show_step(Step.DONE)
        if self.wizard.cancel_pressed:
            self.wizard.show_info(
                _(
                    "Cancel came after the values were stored: the import is done. Undo it "
                    "here if you do not want it."
                )
            )
        self.wizard.imported.emit(result)

    def _show_result(self, result: ImportResult) -> None:
        self.done_heading.setText(_("Imported"))
        self.done_summary.setStyleSheet(
            "#importDoneSummary { background: #e7f5ec; color: #14532d;"
            " border: 1px solid #14532d40; border-radius: 6px; }"
        )
        sie = self.state.sie is not None
        self.done_summary.setText(_sie_summary(result) if sie else result.summary())
        while self.done_form.rowCount():
            self.done_form.removeRow(0)
        rows = [
            (
                _("File:"),
                result.file_name
                if sie
                else _("{file}, sheet “{sheet}”").format(file=result.file_name, sheet=result.sheet),
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
            rows.append(
                (
                    _("Vouchers left out, not balanced:") if sie else _("Left out, with problems:"),
                    format_number(result.problem_count),
                )
            )
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
        result = self.state.result
        workspace = self.session.workspace
        if result is None or result.batch_id is None or workspace is None or self.wizard.busy:
            return
        stack = self.session.undo_stack
        command = self.state.command
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
                self.wizard.show_error(error.message)
                return
            self.session.dataChanged.emit()
        self.state.undo_result = undone
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
        self.wizard.update_buttons()


def _sie_summary(result: ImportResult) -> str:
    """A SIE import's summary: what a spreadsheet's says, with the vouchers left out."""
    text = replace(result, problem_count=0).summary()
    if result.problem_count:
        text += " " + ngettext(
            "The voucher that does not balance was left out of the figures.",
            "The {count} vouchers that do not balance were left out of the figures.",
            result.problem_count,
        ).format(count=format_number(result.problem_count))
    return text
