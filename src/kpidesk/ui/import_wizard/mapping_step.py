"""Step 3: where the values go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.naming import kpi_title
from kpidesk.domain.numbers import format_number
from kpidesk.i18n import _
from kpidesk.io.layout import ColumnRole
from kpidesk.services import importing, overview
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
    new_kpi_for,
    profile_for_signature,
)
from kpidesk.services.importing import ScanResult
from kpidesk.ui.import_wizard.common import (
    Step,
    _heading,
    _hint,
    _item,
    _table,
)
from kpidesk.ui.import_wizard.page import StepPage
from kpidesk.ui.new_kpi_dialog import NewKpiDialog, kind_text

if TYPE_CHECKING:
    from kpidesk.ui.import_wizard.wizard import ImportWizard


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


class MappingStep(StepPage):
    """3. Every KPI and unit name in the sheet: matched, created, mapped or ignored; actual
    values or targets; where values without a unit go; the profile the choices are saved as."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self._kpi_rows: list[_MappingRow] = []
        self._unit_rows: list[_MappingRow] = []
        self._build()

    def _build(self) -> None:
        layout = self.box
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

    @property
    def has_rows(self) -> bool:
        return bool(self._kpi_rows)

    def enter(self) -> None:
        scan = self.state.scan
        if scan is None:
            return
        names = WorkspaceNames()
        self.state.profile = profile_for_signature(scan.signature)
        profile = self.state.profile
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
            stem = self.state.path.stem if self.state.path else _("Import")
            self.profile_edit.setText(stem)
        self._fill_kpi_rows(scan, names, profile)
        self._fill_unit_rows(scan, names, profile)
        self._fill_default_units()
        if profile is not None and profile.default_unit_id is not None:
            index = self.default_unit_combo.findData(profile.default_unit_id)
            if index >= 0:
                self.default_unit_combo.setCurrentIndex(index)
        self.wizard.show_step(Step.MAPPING)

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
        self.state.defined[row.stats.key] = new
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
        defined = self.state.defined.get(stats.key)
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
        scan = self.state.scan
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
