"""The period and unit pickers above every page."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from kpidesk.domain.periods import PERIOD_KIND_NAMES, Period, PeriodKind, format_period
from kpidesk.i18n import _
from kpidesk.services import overview
from kpidesk.ui.icons import icon
from kpidesk.ui.session import WorkspaceSession


class ContextBar(QWidget):
    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._updating = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        period_label = QLabel(_("&Period:"))
        layout.addWidget(period_label)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(_("Kind of period"))
        for kind in PeriodKind:
            self.kind_combo.addItem(_(PERIOD_KIND_NAMES[kind]).capitalize(), kind.value)
        self.kind_combo.currentIndexChanged.connect(self._kind_chosen)
        layout.addWidget(self.kind_combo)

        self.previous_button = QToolButton()
        self.previous_button.setIcon(icon("chevron-left"))
        self.previous_button.setToolTip(_("Previous period (Alt+Left)"))
        self.previous_button.setAccessibleName(_("Previous period"))
        self.previous_button.setShortcut("Alt+Left")
        self.previous_button.clicked.connect(lambda: self._step(1))
        layout.addWidget(self.previous_button)

        self.period_combo = QComboBox()
        self.period_combo.setAccessibleName(_("Period"))
        self.period_combo.setMinimumContentsLength(14)
        self.period_combo.currentIndexChanged.connect(self._period_chosen)
        period_label.setBuddy(self.period_combo)
        layout.addWidget(self.period_combo)

        self.next_button = QToolButton()
        self.next_button.setIcon(icon("chevron-right"))
        self.next_button.setToolTip(_("Next period (Alt+Right)"))
        self.next_button.setAccessibleName(_("Next period"))
        self.next_button.setShortcut("Alt+Right")
        self.next_button.clicked.connect(lambda: self._step(-1))
        layout.addWidget(self.next_button)

        layout.addSpacing(16)
        unit_label = QLabel(_("&Unit:"))
        layout.addWidget(unit_label)
        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName(_("Unit"))
        self.unit_combo.setMinimumContentsLength(18)
        self.unit_combo.currentIndexChanged.connect(self._unit_chosen)
        unit_label.setBuddy(self.unit_combo)
        layout.addWidget(self.unit_combo)
        layout.addStretch()

        session.contextChanged.connect(self.refresh)
        session.workspaceChanged.connect(self.refresh)
        session.dataChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        context = self.session.context
        self.setEnabled(context is not None)
        if context is None:
            return
        self._updating = True
        try:
            kind = context.period.kind
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))
            periods = overview.selectable_periods(kind)
            if context.period not in periods:
                periods = sorted([*periods, context.period], reverse=True)
            self.period_combo.clear()
            for period in periods:
                self.period_combo.addItem(format_period(period), period.key)
            self.period_combo.setCurrentIndex(self.period_combo.findData(context.period.key))
            self.unit_combo.clear()
            for unit in overview.unit_tree():
                self.unit_combo.addItem("\u2003" * unit.depth + unit.name, unit.id)
            self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(context.unit_id)))
            index = self.period_combo.currentIndex()
            self.next_button.setEnabled(index > 0)
            self.previous_button.setEnabled(index < self.period_combo.count() - 1)
        finally:
            self._updating = False

    def _kind_chosen(self) -> None:
        if self._updating or self.session.context is None:
            return
        kind = PeriodKind(self.kind_combo.currentData())
        current = self.session.context.period
        anchor = current.thursday if current.kind is PeriodKind.WEEK else current.end
        chosen = Period.of(anchor, kind)
        if not kind.is_finer_than(current.kind):
            chosen = current.to(kind)
        self.session.set_period(chosen)

    def _period_chosen(self) -> None:
        if self._updating:
            return
        key = self.period_combo.currentData()
        if key:
            self.session.set_period(Period.from_key(key))

    def _step(self, offset: int) -> None:
        index = self.period_combo.currentIndex() + offset
        if 0 <= index < self.period_combo.count():
            self.period_combo.setCurrentIndex(index)

    def _unit_chosen(self) -> None:
        if self._updating:
            return
        unit_id = self.unit_combo.currentData()
        if unit_id is not None:
            self.session.set_unit(int(unit_id))
