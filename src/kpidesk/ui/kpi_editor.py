"""The KPI editor: every field of a KPI, with validation messages beside the fields."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.aggregation import AGGREGATION_LABELS, Aggregation
from kpidesk.domain.numbers import MEASURE_UNIT_LABELS, parse_number
from kpidesk.domain.periods import PERIOD_KIND_NAMES
from kpidesk.domain.status import DIRECTION_LABELS, ThresholdMode
from kpidesk.i18n import N_, _
from kpidesk.services import goals as goal_service
from kpidesk.services.kpis import INDICATOR_LABELS, KpiData, validate_kpi
from kpidesk.ui.forms import FieldBox

THRESHOLD_LABELS = {
    ThresholdMode.PERCENT: N_("Percent of the target"),
    ThresholdMode.ABSOLUTE: N_("Absolute amount"),
}


def _combo(labels: dict, current: str) -> QComboBox:  # type: ignore[type-arg]
    combo = QComboBox()
    for member, label in labels.items():
        combo.addItem(_(label), getattr(member, "value", member))
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class KpiEditor(QDialog):
    """Edit or create one KPI. ``result_data()`` and ``goal_ids()`` give what was entered."""

    def __init__(
        self,
        data: KpiData,
        goal_ids: tuple[int, ...] = (),
        *,
        kpi_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kpi_id = kpi_id
        self.setWindowTitle(
            _("New KPI") if kpi_id is None else _("Edit KPI {code}").format(code=data.code)
        )
        self.resize(720, 640)
        layout = QVBoxLayout(self)
        tabs = QTabWidget()
        layout.addWidget(tabs)
        self.fields: dict[str, FieldBox] = {}

        # what it is
        self.code_edit = QLineEdit(data.code)
        self.code_edit.setMaxLength(24)
        self.name_edit = QLineEdit(data.name)
        self.name_edit.setCursorPosition(0)  # a long name shown from its start
        self.description_edit = self._text(data.description)
        self.definition_edit = self._text(data.definition)
        self.source_edit = QLineEdit(data.data_source)
        self.owner_edit = QLineEdit(data.owner)
        tabs.addTab(
            self._form(
                [
                    (
                        _("&Code:"),
                        "code",
                        self.code_edit,
                        _("Short and unique, used in formulas and imports, e.g. NPS or REV."),
                    ),
                    (_("&Name:"), "name", self.name_edit, ""),
                    (
                        _("&Description:"),
                        "description",
                        self.description_edit,
                        _("What it measures and why it matters."),
                    ),
                    (
                        _("Ca&lculation:"),
                        "definition",
                        self.definition_edit,
                        _("How it is calculated, so everyone gets the same number."),
                    ),
                    (
                        _("Data &source:"),
                        "data_source",
                        self.source_edit,
                        _("Where the numbers come from, e.g. the till system."),
                    ),
                    (_("&Owner:"), "owner", self.owner_edit, _("Who answers for this KPI.")),
                ]
            ),
            _("Definition"),
        )

        # how it is measured
        self.measure_combo = _combo(MEASURE_UNIT_LABELS, data.measure_unit)
        self.unit_label_edit = QLineEdit(data.unit_label)
        self.decimals_spin = QSpinBox()
        self.decimals_spin.setRange(0, 6)
        self.decimals_spin.setValue(int(data.decimals))
        self.direction_combo = _combo(DIRECTION_LABELS, data.direction)
        self.frequency_combo = _combo(PERIOD_KIND_NAMES, data.frequency)
        for index in range(self.frequency_combo.count()):
            self.frequency_combo.setItemText(
                index, self.frequency_combo.itemText(index).capitalize()
            )
        self.time_combo = _combo(AGGREGATION_LABELS, data.time_aggregation)
        self.units_combo = _combo(
            {k: v for k, v in AGGREGATION_LABELS.items() if k is not Aggregation.LAST},
            data.unit_aggregation,
        )
        self.indicator_combo = _combo(INDICATOR_LABELS, data.indicator_type)
        tabs.addTab(
            self._form(
                [
                    (_("&Unit of measure:"), "measure_unit", self.measure_combo, ""),
                    (
                        _("Unit &label:"),
                        "unit_label",
                        self.unit_label_edit,
                        _("For “Other”: what the numbers count, e.g. kWh."),
                    ),
                    (_("&Decimals:"), "decimals", self.decimals_spin, ""),
                    (
                        _("&Direction:"),
                        "direction",
                        self.direction_combo,
                        _("Within a range: green between a low and a high target."),
                    ),
                    (
                        _("&Frequency:"),
                        "frequency",
                        self.frequency_combo,
                        _("How often it is measured."),
                    ),
                    (
                        _("Over &time:"),
                        "time_aggregation",
                        self.time_combo,
                        _("How months add up to a quarter or a year."),
                    ),
                    (
                        _("Over u&nits:"),
                        "unit_aggregation",
                        self.units_combo,
                        _("How stores add up to a region or the company."),
                    ),
                    (
                        _("&Indicator:"),
                        "indicator_type",
                        self.indicator_combo,
                        _(
                            "Leading indicators move first and can be steered; "
                            "lagging ones show results."
                        ),
                    ),
                ]
            ),
            _("Measurement"),
        )

        # status and comparison
        self.threshold_combo = _combo(THRESHOLD_LABELS, data.threshold_mode)
        self.amber_spin = QDoubleSpinBox()
        self.amber_spin.setRange(0, 1e9)
        self.amber_spin.setDecimals(2)
        self.amber_spin.setValue(float(data.amber_margin))
        self.benchmark_edit = QLineEdit(
            "" if data.benchmark_value is None else f"{data.benchmark_value:g}"
        )
        self.benchmark_source_edit = QLineEdit(data.benchmark_source)
        self.formula_edit = QLineEdit(data.formula)
        tabs.addTab(
            self._form(
                [
                    (_("&Amber margin as:"), "threshold_mode", self.threshold_combo, ""),
                    (
                        _("A&mber margin:"),
                        "amber_margin",
                        self.amber_spin,
                        _(
                            "Green at or better than target; amber when worse by no more "
                            "than this; red beyond."
                        ),
                    ),
                    (
                        _("&Benchmark:"),
                        "benchmark_value",
                        self.benchmark_edit,
                        _("An industry or best-practice value to compare with (optional)."),
                    ),
                    (
                        _("Benchmark s&ource:"),
                        "benchmark_source",
                        self.benchmark_source_edit,
                        _("Where the benchmark comes from; required with a benchmark."),
                    ),
                    (
                        _("&Formula:"),
                        "formula",
                        self.formula_edit,
                        _(
                            "Optional: calculate from other KPIs' codes, "
                            "e.g. (PROM - DETR) / RESP * 100."
                        ),
                    ),
                ]
            ),
            _("Status"),
        )

        # goals
        goals_tab = QWidget()
        goals_layout = QVBoxLayout(goals_tab)
        self.goal_list = QListWidget()
        self.goal_list.setAccessibleName(_("Goals this KPI measures"))
        for row in goal_service.goal_tree():
            item = QListWidgetItem("\u2003" * row.depth + row.data.title)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if row.id in goal_ids else Qt.CheckState.Unchecked
            )
            self.goal_list.addItem(item)
        goals_layout.addWidget(self.goal_list)
        tabs.addTab(goals_tab, _("Goals"))

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        for editor in (
            self.code_edit,
            self.name_edit,
            self.benchmark_edit,
            self.benchmark_source_edit,
            self.formula_edit,
        ):
            editor.textChanged.connect(self.validate)
        self.code_edit.textEdited.connect(self._upper_code)
        self.validate()

    def _text(self, value: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(value)
        edit.setFixedHeight(64)
        edit.setTabChangesFocus(True)
        return edit

    def _form(self, rows: list[tuple[str, str, QWidget, str]]) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        panel = QWidget()
        form = QFormLayout(panel)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for label, name, editor, help_text in rows:
            box = FieldBox(editor, help_text)
            self.fields[name] = box
            form.addRow(label, box)
            buddy = form.labelForField(box)
            if buddy is not None:
                buddy.setBuddy(editor)  # type: ignore[attr-defined]
        scroll.setWidget(panel)
        return scroll

    def _upper_code(self, text: str) -> None:
        upper = text.upper().replace(" ", "_")
        if upper != text:
            position = self.code_edit.cursorPosition()
            self.code_edit.setText(upper)
            self.code_edit.setCursorPosition(position)

    def _benchmark(self) -> tuple[float | None, str | None]:
        text = self.benchmark_edit.text().strip()
        if not text:
            return None, None
        try:
            return parse_number(text).value, None
        except ValueError as error:
            return None, str(error)

    def result_data(self) -> KpiData:
        benchmark, _problem = self._benchmark()
        return KpiData(
            code=self.code_edit.text().strip(),
            name=self.name_edit.text().strip(),
            description=self.description_edit.toPlainText().strip(),
            definition=self.definition_edit.toPlainText().strip(),
            data_source=self.source_edit.text().strip(),
            owner=self.owner_edit.text().strip(),
            measure_unit=self.measure_combo.currentData(),
            unit_label=self.unit_label_edit.text().strip(),
            decimals=self.decimals_spin.value(),
            direction=self.direction_combo.currentData(),
            frequency=self.frequency_combo.currentData(),
            time_aggregation=self.time_combo.currentData(),
            unit_aggregation=self.units_combo.currentData(),
            indicator_type=self.indicator_combo.currentData(),
            threshold_mode=self.threshold_combo.currentData(),
            amber_margin=self.amber_spin.value(),
            benchmark_value=benchmark,
            benchmark_source=self.benchmark_source_edit.text().strip(),
            formula=self.formula_edit.text().strip(),
        )

    def goal_ids(self) -> tuple[int, ...]:
        return tuple(
            self.goal_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.goal_list.count())
            if self.goal_list.item(i).checkState() == Qt.CheckState.Checked
        )

    def validate(self) -> bool:
        problems = validate_kpi(self.result_data(), kpi_id=self.kpi_id)
        _value, benchmark_problem = self._benchmark()
        if benchmark_problem:
            problems["benchmark_value"] = benchmark_problem
        for name, box in self.fields.items():
            box.set_error(problems.get(name))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)
        return not problems

    def _accept_if_valid(self) -> None:
        if self.validate():
            self.accept()
