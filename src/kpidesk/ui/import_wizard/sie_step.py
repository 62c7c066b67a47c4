"""The SIE step: what a SIE file from the bookkeeping holds, and how it becomes KPI values.

Shown instead of the layout and mapping steps when the file is SIE (by its content). The
file is read once (in the worker; Cancel stops it); every choice after that works out the
figures again from what was read, without reading the file again:

- the KPIs and their account ranges (BAS by default): change a range or its sign, leave a
  KPI out, send a row's values to any KPI of the workspace, or add a row for any KPI;
- the KPI values by period, of the whole company or of one unit, as actual values or as
  targets from the budget (``#PBUDGET``);
- the file's accounts (with the KPIs that take each), its units (the objects of the chosen
  dimension, matched by name to the workspace's units) and its notes and problems;
- the unit that takes the whole company's figures (the top unit by default), the dimension
  whose objects become units under it, whether missing KPIs and units are created, and the
  profile the choices are saved as. With a profile saved before, next month's file imports
  in one step ("Import now").

The check and the import run :func:`kpidesk.services.sie_import.import_sie` (see
:meth:`SieStep.import_job`), through the same check and done steps as a spreadsheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.naming import kpi_title
from kpidesk.i18n import _
from kpidesk.io.sie import ReadStopped
from kpidesk.io.sie.accounts import (
    DEFAULT_RULES,
    AccountRanges,
    AccountRule,
    RangeError,
    SieSettings,
    Sign,
)
from kpidesk.io.sie.figures import compute_figures
from kpidesk.services import overview, sie_import
from kpidesk.services.import_mapping import (
    Choice,
    KpiInfo,
    ProfileData,
    WorkspaceNames,
    find_profile,
    is_sie_signature,
    list_profiles,
)
from kpidesk.services.importing import Into, OnConflict
from kpidesk.services.progress import CancelFlag, Cancelled, Progress
from kpidesk.services.sie_import import SieImportOptions, SiePreview
from kpidesk.ui.forms import ERROR_STYLE
from kpidesk.ui.import_wizard.common import Step, _heading, _hint, _item, _table
from kpidesk.ui.import_wizard.page import StepPage
from kpidesk.ui.import_wizard.sie_tables import (
    UnitRow,
    accounts_text,
    fill_accounts,
    fill_notes,
    fill_units,
    fill_values,
    summary_text,
    value_rows,
)
from kpidesk.ui.worker import Job

if TYPE_CHECKING:
    from kpidesk.ui.import_wizard.wizard import ImportWizard

_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,23}$")
LEAVE_OUT = ""
"""A rule row's KPI choice that leaves its values out."""


@dataclass
class _RuleRow:
    """One row of the KPI table: where its values go, its accounts and its sign."""

    kpi: QComboBox
    accounts: QLineEdit
    sign: QComboBox


class SieStep(StepPage):
    """What a SIE file holds and the choices of its import (see the module)."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._rows: list[_RuleRow] = []
        self._profile: ProfileData | None = None
        self._names: WorkspaceNames | None = None
        self._filling = False
        self._error = ""
        self._build()

    # building ----------------------------------------------------------------------------
    def _build(self) -> None:
        layout = self.box
        layout.addWidget(_heading(_("What does the bookkeeping hold?")))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        profile_row = QHBoxLayout()
        self.profile_info = _hint()
        profile_row.addWidget(self.profile_info, 1)
        self.import_now_button = QPushButton(_("Import &now"))
        self.import_now_button.setToolTip(
            _("Import with the choices saved in the profile, without the check first.")
        )
        self.import_now_button.clicked.connect(self.wizard.import_now)
        profile_row.addWidget(self.import_now_button)
        layout.addLayout(profile_row)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._values_tab(), _("KPI values"))
        self.accounts_table = _table([_("Account"), _("Name"), _("Type"), _("KPIs")])
        self.accounts_table.setAccessibleName(_("Accounts"))
        self.tabs.addTab(self.accounts_table, _("Accounts"))
        self.units_table = _table([_("Object"), _("Name in the file"), _("Imported into")])
        self.units_table.setAccessibleName(_("Units"))
        self.tabs.addTab(self.units_table, _("Units"))
        self.notes_list = QListWidget()
        self.notes_list.setWordWrap(True)
        self.notes_list.setAccessibleName(_("Notes"))
        self.tabs.addTab(self.notes_list, _("Notes"))
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._choices())

    def _values_tab(self) -> QWidget:
        tab = QWidget()
        top_layout = QVBoxLayout(tab)
        top_layout.setContentsMargins(0, 4, 0, 0)
        self.rules_table = _table(
            [_("Import into"), _("Accounts"), _("Counts as positive"), _("Accounts in the file")]
        )
        self.rules_table.setAccessibleName(_("KPIs and their accounts"))
        self.rules_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.rules_table.verticalHeader().setDefaultSectionSize(30)
        top_layout.addWidget(self.rules_table)
        add_row = QHBoxLayout()
        self.add_button = QPushButton(_("&Add a KPI"))
        self.add_button.setToolTip(_("Take the values of some accounts into another KPI."))
        self.add_button.clicked.connect(self.add_rule)
        add_row.addWidget(self.add_button)
        add_row.addWidget(
            _hint(
                _(
                    "Accounts as ranges of the BAS chart: 3000-3799, 3900. Credit counts "
                    "income as positive, debit counts costs."
                )
            ),
            1,
        )
        top_layout.addLayout(add_row)
        bottom_layout = top_layout
        values_row = QHBoxLayout()
        self.values_label = QLabel(_("&Values of:"))
        values_row.addWidget(self.values_label)
        self.values_unit_combo = QComboBox()
        self.values_unit_combo.setAccessibleName(_("Values of"))
        self.values_label.setBuddy(self.values_unit_combo)
        self.values_unit_combo.currentIndexChanged.connect(self._show_values)
        values_row.addWidget(self.values_unit_combo)
        values_row.addStretch(1)
        bottom_layout.addLayout(values_row)
        self.values_table = _table([])
        self.values_table.setAccessibleName(_("KPI values"))
        bottom_layout.addWidget(self.values_table, 1)
        return tab

    def _choices(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.company_combo = QComboBox()
        self.company_combo.setAccessibleName(_("The whole company's figures go to"))
        self.company_combo.currentIndexChanged.connect(self._show_units)
        company_label = QLabel(_("The whole &company's figures go to:"))
        company_label.setBuddy(self.company_combo)
        grid.addWidget(company_label, 0, 0)
        grid.addWidget(self.company_combo, 0, 1)
        self.dimension_combo = QComboBox()
        self.dimension_combo.setAccessibleName(_("Units are the objects of"))
        self.dimension_combo.currentIndexChanged.connect(self._rules_changed)
        dimension_label = QLabel(_("Units are the objects &of:"))
        dimension_label.setBuddy(self.dimension_combo)
        grid.addWidget(dimension_label, 1, 0)
        grid.addWidget(self.dimension_combo, 1, 1)

        into_row = QHBoxLayout()
        self.into_group = QButtonGroup(self)
        self.actuals_radio = QRadioButton(_("&Actual values"))
        self.targets_radio = QRadioButton(_("&Targets, from the budget (#PBUDGET)"))
        self.actuals_radio.setChecked(True)
        for button in (self.actuals_radio, self.targets_radio):
            self.into_group.addButton(button)
            into_row.addWidget(button)
        into_row.addStretch(1)
        self.targets_radio.toggled.connect(self._into_changed)
        grid.addWidget(QLabel(_("Import the figures as:")), 0, 2)
        grid.addLayout(into_row, 0, 3)
        self.create_check = QCheckBox(_("C&reate the KPIs and units that are missing"))
        self.create_check.setChecked(True)
        self.create_check.setToolTip(
            _("KPIs from the KPI library, units under the unit of the whole company.")
        )
        self.create_check.toggled.connect(self._show_units)
        grid.addWidget(self.create_check, 1, 3)
        self.profile_edit = QLineEdit()
        self.profile_edit.setAccessibleName(_("Profile name"))
        self.profile_edit.textChanged.connect(self._validate)
        profile_label = QLabel(_("Save the choices as the &profile:"))
        profile_label.setBuddy(self.profile_edit)
        grid.addWidget(profile_label, 2, 0)
        grid.addWidget(self.profile_edit, 2, 1)
        grid.addWidget(
            _hint(_("Next month's SIE file is imported with these choices in one step.")),
            2,
            2,
            1,
            2,
        )
        return grid

    # reading -------------------------------------------------------------------------------
    def read(self, path: Path) -> None:
        """Read the SIE file at ``path`` in the worker, under the profile's settings."""
        if self.wizard.busy:
            return
        settings, profile = sie_import.load_settings()
        self._profile = profile

        def job(progress: Progress, cancelled: CancelFlag) -> object:
            try:
                return sie_import.preview_sie(
                    path, settings, cancelled=cancelled, progress=progress
                )
            except ReadStopped:
                raise Cancelled() from None

        self.wizard.start_work(
            job, self._read_ready, status=_("Reading {file}…").format(file=path.name)
        )

    @Slot(object)
    def _read_ready(self, preview: object) -> None:
        assert isinstance(preview, SiePreview)
        self.state.sie = preview
        self.state.check = None
        self.wizard.clear_message()
        self._fill()
        profile = self._profile
        if profile is not None:
            self.wizard.preset_conflict(OnConflict(profile.on_conflict))
        self.wizard.show_step(Step.SIE)
        # _validate follows once the work has ended (the wizard calls it)

    def enter(self) -> None:
        if self.state.sie is not None:
            self.wizard.show_step(Step.SIE)
            self._validate()

    # filling ---------------------------------------------------------------------------------
    def _fill(self) -> None:
        preview = self.state.sie
        assert preview is not None
        self._filling = True
        try:
            self._names = WorkspaceNames()
            profile = self._profile
            self._fill_company_units(profile)
            self._fill_dimensions(preview)
            budget = bool(preview.sie.period_budgets)
            self.targets_radio.setEnabled(budget)
            self.targets_radio.setToolTip("" if budget else _("The file has no budget."))
            self.actuals_radio.setChecked(True)
            self.create_check.setChecked(True)
            self.profile_edit.setText(profile.name if profile else sie_import.DEFAULT_PROFILE)
            self._fill_profile_completer()
            if profile is not None:
                self.profile_info.setText(
                    _(
                        "The choices saved as the profile “{name}” are filled in: import now, "
                        "or change them and check first."
                    ).format(name=profile.name)
                )
            else:
                self.profile_info.setText(
                    _(
                        "The KPIs take the accounts of the BAS chart; change the ranges as "
                        "your chart of accounts needs. The choices are saved for next month."
                    )
                )
            self.import_now_button.setVisible(profile is not None)
            self.rules_table.setRowCount(0)
            self._rows = []
            for rule in preview.settings.rules:
                self._add_row(rule)
        finally:
            self._filling = False
        self._fit_rules()
        self._show_all()

    def _fit_rules(self) -> None:
        """The KPI table as high as its rows (up to six; it scrolls beyond)."""
        table = self.rules_table
        rows = min(max(len(self._rows), 1), 6)
        header = table.horizontalHeader().sizeHint().height()
        table.setFixedHeight(header + rows * 30 + 2 * table.frameWidth() + 2)

    def _fill_company_units(self, profile: ProfileData | None) -> None:
        names = self._names
        assert names is not None
        combo = self.company_combo
        combo.clear()
        for node in overview.unit_tree():
            combo.addItem("  " * node.depth + node.name, node.id)
        wanted = profile.default_unit_id if profile is not None else None
        if wanted not in names.units:
            wanted = names.root_id
        index = combo.findData(wanted)
        combo.setCurrentIndex(max(index, 0))

    def _fill_dimensions(self, preview: SiePreview) -> None:
        sie = preview.sie
        numbers = set(sie.dimensions) | {dim for dim, _code in sie.objects}
        combo = self.dimension_combo
        combo.clear()
        for number in sorted(numbers, key=lambda n: (len(n), n)):
            count = sum(1 for dim, _code in sie.objects if dim == number)
            dimension = sie.dimensions.get(number)
            name = dimension.name if dimension is not None else ""
            text = f"{number} {name}".strip()
            if count:
                text += " " + _("({count} objects)").format(count=count)
            combo.addItem(text, number)
        chosen = preview.settings.dimension
        if chosen and combo.findData(chosen) < 0:
            combo.addItem(_("Dimension {number}").format(number=chosen), chosen)
        combo.addItem(_("None: the whole company only"), "")
        combo.setCurrentIndex(max(combo.findData(chosen), 0))

    def _fill_profile_completer(self) -> None:
        names = [profile.name for profile in list_profiles(sie=True)]
        self.profile_edit.setCompleter(QCompleter(names, self.profile_edit))

    def _kpi_choices(self) -> list[KpiInfo]:
        """The workspace's KPIs a row may send values to: stored, live, with a code that
        names an account rule."""
        names = self._names
        assert names is not None
        kpis = [
            info
            for info in names.kpis.values()
            if not info.calculated and not info.archived and _CODE.match(info.code.upper())
        ]
        return sorted(kpis, key=lambda info: info.name.casefold())

    def _own_text(self, code: str) -> str:
        """What a code's values go to: the workspace's KPI, else the one to be created."""
        names = self._names
        assert names is not None
        found = sie_import.kpi_for_code(names, code)
        if found is not None:
            return kpi_title(found.name, found.code)
        workspace = self.session.workspace
        name = sie_import.new_kpi_name(workspace, code) if workspace is not None else code
        return _("New KPI “{name}” ({code})").format(name=name, code=code)

    def _add_row(self, rule: AccountRule | None) -> _RuleRow:
        names = self._names
        assert names is not None
        table = self.rules_table
        row = table.rowCount()
        table.insertRow(row)
        combo = QComboBox()
        combo.setAccessibleName(_("Import into"))
        combo.addItem(_("Leave out"), LEAVE_OUT)
        own = sie_import.kpi_for_code(names, rule.code) if rule is not None else None
        if rule is not None:
            combo.addItem(self._own_text(rule.code), rule.code)
        else:  # the standard KPIs left out of the other rows, to take back
            taken = {str(row.kpi.currentData() or "") for row in self._rows}
            for default in DEFAULT_RULES:
                if default.code not in taken:
                    combo.addItem(self._own_text(default.code), default.code)
        combo.insertSeparator(combo.count())
        shown = {str(combo.itemData(i)) for i in range(combo.count())}
        for info in self._kpi_choices():
            if own is not None and info.id == own.id:
                continue
            if info.code.upper() in shown:
                continue
            combo.addItem(kpi_title(info.name, info.code), info.code.upper())
        combo.setCurrentIndex(1 if rule is not None else 0)
        accounts = QLineEdit(rule.accounts.text if rule is not None else "")
        accounts.setAccessibleName(_("Accounts"))
        accounts.setPlaceholderText(_("such as 3000-3799"))
        sign = QComboBox()
        sign.setAccessibleName(_("Counts as positive"))
        sign.addItem(_("Credit (income)"), Sign.CREDIT.value)
        sign.addItem(_("Debit (costs)"), Sign.DEBIT.value)
        sign.setCurrentIndex(sign.findData((rule.sign if rule else Sign.DEBIT).value))
        entry = _RuleRow(combo, accounts, sign)
        combo.currentIndexChanged.connect(lambda _index, e=entry: self._kpi_chosen(e))
        accounts.editingFinished.connect(self._rules_changed)
        sign.currentIndexChanged.connect(self._rules_changed)
        table.setCellWidget(row, 0, combo)
        table.setCellWidget(row, 1, accounts)
        table.setCellWidget(row, 2, sign)
        table.setItem(row, 3, _item(""))
        self._rows.append(entry)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        table.setColumnWidth(1, 200)
        table.resizeColumnToContents(2)
        return entry

    def _kpi_chosen(self, row: _RuleRow) -> None:
        """A standard KPI chosen in a row without accounts takes its BAS ranges and sign."""
        default = next((r for r in DEFAULT_RULES if r.code == row.kpi.currentData()), None)
        if default is not None and not row.accounts.text().strip():
            row.accounts.setText(default.accounts.text)
            row.sign.blockSignals(True)
            row.sign.setCurrentIndex(row.sign.findData(default.sign.value))
            row.sign.blockSignals(False)
        self._rules_changed()

    @Slot()
    def add_rule(self) -> None:
        """A new row: the values of some accounts into a KPI of the user's choice."""
        if self.state.sie is None or self._names is None:
            return
        entry = self._add_row(None)
        self._fit_rules()
        self.rules_table.scrollToBottom()
        entry.kpi.setFocus()
        self._validate()

    def rule_row(self, index: int) -> _RuleRow:
        """The KPI table's row ``index`` (for tests)."""
        return self._rows[index]

    def row_of(self, code: str) -> _RuleRow:
        """The row whose values go to ``code`` (for tests)."""
        for row in self._rows:
            if row.kpi.currentData() == code:
                return row
        raise KeyError(code)

    # choices -----------------------------------------------------------------------------
    def settings(self) -> SieSettings | None:
        """The account rules and the dimension as chosen; None (with the reason shown)
        when a range cannot be read or two rows take the same KPI."""
        preview = self.state.sie
        if preview is None:
            return None
        self._error = ""
        rules: list[AccountRule] = []
        seen: dict[str, str] = {}
        names = self._names
        for row in self._rows:
            row.accounts.setStyleSheet("")
            code = str(row.kpi.currentData() or "")
            if code == LEAVE_OUT:
                continue
            try:
                ranges = AccountRanges.parse(row.accounts.text())
            except RangeError as error:
                row.accounts.setStyleSheet(ERROR_STYLE)
                self._error = _("{kpi}: {reason}").format(
                    kpi=row.kpi.currentText(), reason=error.message
                )
                return None
            found = sie_import.kpi_for_code(names, code) if names is not None else None
            key = f"id:{found.id}" if found is not None else code
            if key in seen:
                self._error = _("Two rows take their values into {kpi}; leave one out.").format(
                    kpi=row.kpi.currentText()
                )
                return None
            seen[key] = code
            rules.append(AccountRule(code, ranges, Sign(row.sign.currentData())))
        if not rules:
            self._error = _("Choose at least one KPI to import into.")
            return None
        dimension = str(self.dimension_combo.currentData() or "")
        return replace(preview.settings, rules=tuple(rules), dimension=dimension)

    @Slot()
    def _rules_changed(self) -> None:
        if self._filling or self.state.sie is None:
            return
        settings = self.settings()
        self._validate()
        if settings is None or settings == self.state.sie.settings:
            return
        if self.wizard.busy:
            QTimer.singleShot(100, self._rules_changed)  # after the work under way
            return
        preview = self.state.sie

        def job(_progress: Progress, _cancelled: CancelFlag) -> object:
            return SiePreview(
                preview.path, preview.sie, compute_figures(preview.sie, settings), settings
            )

        self.wizard.start_work(job, self._recomputed, status=_("Working out the figures…"))

    @Slot(object)
    def _recomputed(self, preview: object) -> None:
        assert isinstance(preview, SiePreview)
        self.state.sie = preview
        self.state.check = None
        self.wizard.clear_message()
        self._show_all()
        # _validate follows once the work has ended (the wizard calls it)

    @Slot()
    def _into_changed(self) -> None:
        if not self._filling and self.state.sie is not None:
            self._show_values()
            self._validate()

    @property
    def targets(self) -> bool:
        return self.targets_radio.isChecked()

    @property
    def ready(self) -> bool:
        """Whether the choices make an import: ranges read, a profile name, values."""
        preview = self.state.sie
        if preview is None or self._error or self._profile_problem():
            return False
        if self.settings() is None or preview.settings != self.settings():
            return False
        figures = preview.figures
        if self.targets:
            return bool(figures.budgets)
        return bool(figures.values or figures.balance_values)

    def _profile_problem(self) -> str:
        name = self.profile_edit.text().strip()
        if not name:
            return _("Give the profile a name.")
        profile = find_profile(name)
        if profile is not None and not is_sie_signature(profile.signature):
            return _("The profile “{name}” is a spreadsheet's; give this one another name.").format(
                name=name
            )
        return ""

    def work_ended(self) -> None:
        """The wizard's work has ended: say what stops the import, now that it is known."""
        if self.wizard.step == Step.SIE:
            self._validate()

    @Slot()
    def _validate(self) -> None:
        """The first thing that stops the import, shown on the message line."""
        if self.wizard.step != Step.SIE or self.wizard.busy:
            self.wizard.update_buttons()
            return
        self.settings()
        problem = self._error or self._profile_problem()
        preview = self.state.sie
        if not problem and preview is not None and self.targets and not preview.figures.budgets:
            problem = _("The file has no budget (#PBUDGET) for these KPIs.")
        if problem:
            self.wizard.show_error(problem)
        else:
            self.wizard.clear_message()
        self.wizard.update_buttons()

    def update_enabled(self, busy: bool) -> None:
        self.import_now_button.setEnabled(not busy and self.ready)

    def options(
        self, *, dry_run: bool, skip_invalid: bool, on_conflict: OnConflict
    ) -> SieImportOptions:
        """The import's options from the choices on this page."""
        preview = self.state.sie
        assert preview is not None
        return SieImportOptions(
            into=Into.TARGETS if self.targets else Into.ACTUALS,
            on_conflict=on_conflict,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            unit_id=self.company_combo.currentData(),
            create_missing=self.create_check.isChecked(),
            settings=preview.settings,
            profile=self.profile_edit.text().strip(),
        )

    def import_job(self, options: SieImportOptions) -> Job:
        """The check (a dry run) or the import, as a job for the worker: it returns the
        :class:`~kpidesk.services.importing.ImportResult`."""
        preview = self.state.sie
        workspace = self.session.workspace
        assert preview is not None and workspace is not None

        def job(progress: Progress, cancelled: CancelFlag) -> object:
            try:
                outcome = sie_import.import_sie(
                    workspace,
                    preview.path,
                    options,
                    preview=preview,
                    cancelled=cancelled,
                    progress=progress,
                )
            except ReadStopped:
                raise Cancelled() from None
            return outcome.result

        return job

    # showing -----------------------------------------------------------------------------
    def _show_all(self) -> None:
        preview = self.state.sie
        if preview is None:
            return
        self.summary.setText(summary_text(preview))
        self._show_found()
        self._fill_value_units(preview)
        self._show_values()
        fill_accounts(self.accounts_table, preview, preview.settings)
        self.tabs.setTabText(1, _("Accounts ({count})").format(count=len(preview.sie.accounts)))
        self._show_units()
        count = fill_notes(self.notes_list, preview)
        problems = len(preview.problems())
        if problems:
            self.tabs.setTabText(3, _("Problems and notes ({count})").format(count=count))
        else:
            self.tabs.setTabText(3, _("Notes ({count})").format(count=count))

    def _show_found(self) -> None:
        preview = self.state.sie
        assert preview is not None
        for index, row in enumerate(self._rows):
            code = str(row.kpi.currentData() or "")
            found = preview.figures.accounts.get(code, ()) if code else ()
            text, tip = accounts_text(found, preview.sie.account_name)
            item = QTableWidgetItem(text if code else "")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setToolTip(tip)
            self.rules_table.setItem(index, 3, item)

    def _fill_value_units(self, preview: SiePreview) -> None:
        combo = self.values_unit_combo
        previous = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_("The whole company"), None)
        for label in preview.figures.units:
            combo.addItem(label, label)
        index = combo.findData(previous) if previous is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _title(self, code: str) -> str:
        names = self._names
        found = sie_import.kpi_for_code(names, code) if names is not None else None
        if found is not None:
            return kpi_title(found.name, found.code)
        workspace = self.session.workspace
        name = sie_import.new_kpi_name(workspace, code) if workspace is not None else code
        return kpi_title(name, code)

    @Slot()
    def _show_values(self) -> None:
        preview = self.state.sie
        if preview is None:
            return
        rows = value_rows(
            preview,
            preview.settings.codes,
            self._title,
            targets=self.targets,
            unit=self.values_unit_combo.currentData(),
        )
        fill_values(self.values_table, rows)

    @Slot()
    def _show_units(self) -> None:
        preview = self.state.sie
        names = self._names
        if preview is None or names is None or self._filling:
            return
        parent = self.company_combo.currentText().strip()
        create = self.create_check.isChecked()
        rows = []
        for label, obj in preview.figures.units.items():
            choice, found = sie_import.unit_for(names, label, self._profile)
            left_out = False
            if choice is Choice.IGNORE:
                text, left_out = _("Left out, as the profile says"), True
            elif found is not None:
                text = found.name
            elif choice is Choice.CREATE and create:
                text = _("New unit “{name}” under {parent}").format(name=label, parent=parent)
            elif choice is Choice.CREATE:
                text, left_out = _("Left out: no unit has this name"), True
            else:
                text, left_out = _("Left out: several units have this name"), True
            rows.append(UnitRow(obj.code, obj.name, label, text, left_out))
        fill_units(self.units_table, rows)
        self.tabs.setTabText(2, _("Units ({count})").format(count=len(rows)))

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
