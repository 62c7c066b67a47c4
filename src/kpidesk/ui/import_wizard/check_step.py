"""Step 4: the check before the import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
)

from kpidesk.domain.aggregation import AGGREGATION_LABELS
from kpidesk.domain.numbers import format_number
from kpidesk.domain.periods import PERIOD_KIND_NAMES, Period, format_period
from kpidesk.i18n import _, ngettext
from kpidesk.io.errors import ImportProblem
from kpidesk.services import importing
from kpidesk.services.importing import (
    ImportResult,
    Into,
)
from kpidesk.services.progress import CancelFlag, Progress
from kpidesk.ui.import_wizard.common import (
    Step,
    _heading,
    _hint,
    _item,
    _table,
)
from kpidesk.ui.import_wizard.page import StepPage

if TYPE_CHECKING:
    from kpidesk.ui.import_wizard.wizard import ImportWizard


class CheckStep(StepPage):
    """4. A dry run: how many values will be stored, every problem, the choice to import only
    the valid values, what to do with values already stored, and the offer to roll up."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._build()

    def _build(self) -> None:
        layout = self.box
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
        self.skip_invalid_check.toggled.connect(self.wizard.update_buttons)
        layout.addWidget(self.skip_invalid_check)
        layout.addStretch(0)

    def enter(self) -> None:
        scan = self.state.scan
        workspace = self.session.workspace
        if scan is None or workspace is None:
            return
        if (
            self.wizard.mapping_step.save_profile_check.isChecked()
            and not self.wizard.mapping_step.profile_edit.text().strip()
        ):
            self.wizard.show_error(_("Give the profile a name, or do not remember the choices."))
            return
        mapping = self.wizard.mapping_step.mapping()
        options = self.wizard.options(dry_run=True)
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

        self.wizard.start_work(
            job, self._check_ready, workspace=True, status=_("Checking every value…")
        )

    @Slot(object)
    def _check_ready(self, check: object) -> None:
        assert isinstance(check, ImportResult)
        self.state.check = check
        self.wizard.clear_message()
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
        self.wizard.show_step(Step.CHECK)

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
        if self.wizard.step == Step.CHECK and not self.wizard.busy:
            self.enter()

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
