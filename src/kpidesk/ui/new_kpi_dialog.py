"""The import wizard's "Define…": a new KPI's kind, as proposed from the sheet, to change.

Name, unit of measure, decimals, direction, frequency and how values add up over time and
over units; a line says where the proposal came from (the KPI library, or the header and
the cells), so the user knows what to check.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.aggregation import AGGREGATION_LABELS, Aggregation
from kpidesk.domain.numbers import MEASURE_UNIT_LABELS, MeasureUnit
from kpidesk.domain.periods import PERIOD_KIND_NAMES, PeriodKind
from kpidesk.domain.status import DIRECTION_LABELS, Direction
from kpidesk.i18n import _, current_language
from kpidesk.services.import_mapping import NewKpi
from kpidesk.services.kpi_inference import default_library_names


def kind_text(new: NewKpi) -> str:
    """``currency, sum, by month``: a new KPI's kind in a few words."""
    return _("{unit}, {aggregation}, by {kind}").format(
        unit=_(MEASURE_UNIT_LABELS[MeasureUnit(new.measure_unit)]).lower(),
        aggregation=_(AGGREGATION_LABELS[new.aggregation]).lower(),
        kind=_(PERIOD_KIND_NAMES[PeriodKind(new.frequency)]),
    )


def _combo(labels: dict, current: object, *, capitalise: bool = False) -> QComboBox:  # type: ignore[type-arg]
    combo = QComboBox()
    for member, label in labels.items():
        text = _(label)
        combo.addItem(text[:1].upper() + text[1:] if capitalise else text, str(member))
    combo.setCurrentIndex(max(0, combo.findData(str(current))))
    return combo


class NewKpiDialog(QDialog):
    """Change the proposed kind of a KPI an import will create; :meth:`new_kpi` reads it."""

    def __init__(self, label: str, new: NewKpi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proposed = new
        self.setWindowTitle(_("New KPI “{name}”").format(name=new.name))
        layout = QVBoxLayout(self)
        source = QLabel(self._source_text(label, new))
        source.setWordWrap(True)
        source.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(source)
        form = QFormLayout()
        self.name_edit = QLineEdit(new.name)
        self.name_edit.setMaxLength(200)
        self.measure_combo = _combo(MEASURE_UNIT_LABELS, MeasureUnit(new.measure_unit))
        self.decimals_spin = QSpinBox()
        self.decimals_spin.setRange(0, 6)
        self.decimals_spin.setValue(max(0, min(6, new.decimals)))
        self.direction_combo = _combo(DIRECTION_LABELS, Direction(new.direction))
        self.frequency_combo = _combo(PERIOD_KIND_NAMES, PeriodKind(new.frequency), capitalise=True)
        self.time_combo = _combo(AGGREGATION_LABELS, new.aggregation)
        self.units_combo = _combo(
            {k: v for k, v in AGGREGATION_LABELS.items() if k is not Aggregation.LAST},
            new.across_units,
        )
        for text, field in (
            (_("&Name:"), self.name_edit),
            (_("&Unit of measure:"), self.measure_combo),
            (_("&Decimals:"), self.decimals_spin),
            (_("&Direction:"), self.direction_combo),
            (_("&Frequency:"), self.frequency_combo),
            (_("Over &time:"), self.time_combo),
            (_("Over u&nits:"), self.units_combo),
        ):
            label_widget = QLabel(text)
            label_widget.setBuddy(field)
            form.addRow(label_widget, field)
        layout.addLayout(form)
        hint = QLabel(
            _(
                "Over time: how months add up to a quarter or a year (a sum for amounts and "
                "counts, an average for averages, shares and scores). Over units: how stores "
                "add up to the company."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    @staticmethod
    def _source_text(label: str, new: NewKpi) -> str:
        library = default_library_names().library
        entry = library.by_code(new.library_code) if library and new.library_code else None
        if entry is not None:
            return _(
                "“{label}” is {name} in the KPI library; its unit, aggregation and direction "
                "are proposed from there."
            ).format(label=label, name=entry.name(current_language()))
        return _(
            "Proposed from the column header “{label}” and the cells below it; check it."
        ).format(label=label)

    def new_kpi(self) -> NewKpi:
        """The KPI as defined here."""
        name = " ".join(self.name_edit.text().split()) or self.proposed.name
        return replace(
            self.proposed,
            name=name,
            measure_unit=MeasureUnit(self.measure_combo.currentData()),
            decimals=self.decimals_spin.value(),
            direction=Direction(self.direction_combo.currentData()),
            frequency=PeriodKind(self.frequency_combo.currentData()),
            time_aggregation=Aggregation(self.time_combo.currentData()),
            unit_aggregation=Aggregation(self.units_combo.currentData()),
            unit_label=self.proposed.unit_label
            if MeasureUnit(self.measure_combo.currentData()).value
            == MeasureUnit(self.proposed.measure_unit).value
            else "",
        )
