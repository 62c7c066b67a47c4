"""Targets for one KPI and unit (or every unit): a path to a goal, and a suggested target.

The path runs in a straight line from a baseline value in one period to a goal value in a
later one. “Suggest a target” shows every suggestion that can be made from the KPI's own
history (last year plus trend) and from the other units (the best one's level), each with
how it was derived; the one chosen can be stored as the target of a run of periods, or
taken as the path's goal. The KPI's thresholds are shown for reference (they are edited
with the KPI). Every change is one undo step on the session's stack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.numbers import MeasureUnit, format_number, format_value
from kpidesk.domain.periods import Period, PeriodKind, format_period
from kpidesk.domain.status import DIRECTION_LABELS, Direction, ThresholdMode
from kpidesk.domain.targets import (
    BEST_UNIT_NEEDED,
    SUGGESTION_METHOD_LABELS,
    TargetSuggestion,
    history_needed,
)
from kpidesk.i18n import _, current_language, ngettext
from kpidesk.services import data_entry
from kpidesk.services import targets as target_service
from kpidesk.services.conflicts import UNREAD, ConflictError
from kpidesk.services.data_entry import GridKpi
from kpidesk.services.overview import unit_tree
from kpidesk.services.targets import PathData, TargetChange
from kpidesk.ui import team
from kpidesk.ui.forms import FieldBox, error_label, heading
from kpidesk.ui.icons import icon
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand

_PER_YEAR = {PeriodKind.WEEK: 52, PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}


def thresholds_text(kpi: GridKpi, currency: str = "SEK") -> str:
    """The KPI's direction and green/amber/red rule, in a sentence."""
    direction = Direction(kpi.direction)
    if ThresholdMode(kpi.threshold_mode) is ThresholdMode.ABSOLUTE:
        margin = format_value(
            kpi.amber_margin,
            kpi.measure_unit,
            decimals=kpi.decimals,
            currency=currency,
            unit_label=kpi.unit_label,
        )
    else:
        percent = format_value(kpi.amber_margin, MeasureUnit.PERCENT)
        margin = _("{amount} of the target").format(amount=percent)
    if direction is Direction.WITHIN_BAND:
        rule = _(
            "Green inside the target range; amber when outside it by no more than {margin}; "
            "red beyond."
        )
    elif direction is Direction.LOWER_IS_BETTER:
        rule = _(
            "Green at or below the target; amber when above it by no more than {margin}; "
            "red beyond."
        )
    else:
        rule = _(
            "Green at or above the target; amber when below it by no more than {margin}; "
            "red beyond."
        )
    return f"{_(DIRECTION_LABELS[direction])}. {rule.format(margin=margin)}"


class TargetDialog(QDialog):
    def __init__(
        self,
        session: WorkspaceSession,
        kpi_id: int,
        unit_id: int | None,
        period: Period,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.kpi = data_entry.grid_kpi(kpi_id)
        kind = self.kpi.frequency
        self.period = period if period.kind is kind else data_entry.end_period(period, kind)
        workspace = session.workspace
        self.currency = workspace.settings().currency if workspace else "SEK"
        self.suggestions: list[TargetSuggestion] = []
        self.setWindowTitle(_("Targets for {kpi}").format(kpi=self.kpi.name))
        self.setMinimumWidth(640)
        writable = not session.read_only

        outer = QVBoxLayout(self)
        outer.addWidget(heading(data_entry.kpi_label(self.kpi)))
        rule = QLabel(
            thresholds_text(self.kpi, self.currency)
            + " "
            + _("Thresholds are set with the KPI, on the KPIs page.")
        )
        rule.setWordWrap(True)
        rule.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        outer.addWidget(rule)

        scope_row = QHBoxLayout()
        scope_label = QLabel(_("&For:"))
        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName(_("Unit"))
        self.unit_combo.addItem(_("All units"), None)
        for unit in unit_tree():
            self.unit_combo.addItem("\u2003" * unit.depth + unit.name, unit.id)
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(unit_id)))
        self.unit_combo.currentIndexChanged.connect(self._scope_changed)
        scope_label.setBuddy(self.unit_combo)
        scope_row.addWidget(scope_label)
        scope_row.addWidget(self.unit_combo, 1)
        outer.addLayout(scope_row)

        periods = [self.period.shift(n) for n in range(-3 * _PER_YEAR[kind], 5 * _PER_YEAR[kind])]

        # the path ---------------------------------------------------------------------
        path_box = QGroupBox(_("Path to a goal"))
        path_layout = QVBoxLayout(path_box)
        self.path_label = QLabel()
        self.path_label.setWordWrap(True)
        path_layout.addWidget(self.path_label)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.baseline_period = self._period_combo(periods, _("Baseline period"))
        self.baseline_value = QLineEdit()
        self.baseline_value.setAccessibleName(_("Baseline value"))
        self.baseline_value.setPlaceholderText(_("The level you start from"))
        self.baseline_field = FieldBox(self.baseline_value)
        form.addRow(_("&Baseline:"), self._pair(self.baseline_period, self.baseline_field))
        self.goal_period = self._period_combo(periods, _("Goal period"))
        self.goal_value = QLineEdit()
        self.goal_value.setAccessibleName(_("Goal value"))
        self.goal_value.setPlaceholderText(_("The level to reach"))
        self.goal_field = FieldBox(
            self.goal_value,
            _("The target runs in equal steps from the baseline to the goal, then stays there."),
        )
        form.addRow(_("&Goal:"), self._pair(self.goal_period, self.goal_field))
        path_layout.addLayout(form)
        self.path_error = error_label()
        path_layout.addWidget(self.path_error)
        buttons = QHBoxLayout()
        buttons.addStretch()
        self.remove_path_button = QPushButton(icon("trash-2"), _("&Remove path"))
        self.remove_path_button.clicked.connect(self.remove_path)
        self.save_path_button = QPushButton(_("&Save path"))
        self.save_path_button.clicked.connect(self.save_path)
        buttons.addWidget(self.remove_path_button)
        buttons.addWidget(self.save_path_button)
        path_layout.addLayout(buttons)
        outer.addWidget(path_box)

        # suggestions ------------------------------------------------------------------
        suggest_box = QGroupBox(_("Suggest a target"))
        suggest_layout = QVBoxLayout(suggest_box)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("For the period:")))
        self.suggest_period = self._period_combo(periods, _("Period to suggest a target for"))
        self.suggest_period.setCurrentIndex(self.suggest_period.findData(self.period.key))
        self.suggest_period.currentIndexChanged.connect(self._suggest_period_changed)
        row.addWidget(self.suggest_period)
        self.suggest_button = QPushButton(icon("sparkles"), _("Suggest a &target"))
        self.suggest_button.clicked.connect(self.suggest)
        row.addWidget(self.suggest_button)
        row.addStretch()
        suggest_layout.addLayout(row)
        self.suggestion_area = QVBoxLayout()
        suggest_layout.addLayout(self.suggestion_area)
        self.suggestion_group = QButtonGroup(self)
        self.suggestion_buttons: list[QRadioButton] = []
        self.explanations: list[QLabel] = []
        self.no_suggestion = QLabel()
        self.no_suggestion.setWordWrap(True)
        self.no_suggestion.setVisible(False)
        suggest_layout.addWidget(self.no_suggestion)
        apply_row = QHBoxLayout()
        apply_row.addWidget(QLabel(_("Use it for the periods from")))
        self.apply_from = self._period_combo(periods, _("First period to set"))
        apply_row.addWidget(self.apply_from)
        apply_row.addWidget(QLabel(_("to")))
        self.apply_to = self._period_combo(periods, _("Last period to set"))
        apply_row.addWidget(self.apply_to)
        apply_row.addStretch()
        suggest_layout.addLayout(apply_row)
        self.suggest_error = error_label()
        suggest_layout.addWidget(self.suggest_error)
        apply_buttons = QHBoxLayout()
        apply_buttons.addStretch()
        self.use_as_goal_button = QPushButton(_("Use as the path's &goal"))
        self.use_as_goal_button.clicked.connect(self.use_as_goal)
        self.apply_button = QPushButton(_("Set these t&argets"))
        self.apply_button.clicked.connect(self.apply_suggestion)
        apply_buttons.addWidget(self.use_as_goal_button)
        apply_buttons.addWidget(self.apply_button)
        suggest_layout.addLayout(apply_buttons)
        outer.addWidget(suggest_box)

        self.status = QLabel()
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        outer.addWidget(close)

        for widget in (self.save_path_button, self.remove_path_button):
            widget.setEnabled(writable)
        self._suggest_period_changed()
        self._scope_changed()
        session.dataChanged.connect(self._show_path)

    # building helpers -------------------------------------------------------------------
    @staticmethod
    def _period_combo(periods: list[Period], name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for period in periods:
            combo.addItem(format_period(period), period.key)
        return combo

    @staticmethod
    def _pair(left: QWidget, right: QWidget) -> QWidget:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(left, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(right, 1)
        return box

    @staticmethod
    def _set_error(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    @staticmethod
    def _select(combo: QComboBox, key: str) -> None:
        index = combo.findData(key)
        if index >= 0:
            combo.setCurrentIndex(index)

    def unit_id(self) -> int | None:
        data = self.unit_combo.currentData()
        return None if data is None else int(data)

    def _format(self, value: float) -> str:
        return format_value(
            value,
            self.kpi.measure_unit,
            decimals=self.kpi.decimals,
            currency=self.currency,
            unit_label=self.kpi.unit_label,
        )

    def _parse(self, editor: QLineEdit, field: FieldBox) -> float | None:
        try:
            value = data_entry.parse_cell(
                editor.text(), self.kpi, decimal_hint="." if current_language() == "en" else None
            )
        except DomainError as error:
            field.set_error(error.message)
            return None
        field.set_error(None)
        return value

    def _push(self, text: str, do: Callable[[], object], undo: Callable[[], object]) -> None:
        """``do`` has been done; put a step on the undo stack that can undo and redo it."""
        state = {"skip": True}

        def redo() -> None:
            if state.pop("skip", False):
                return
            do()

        # the step outlives the dialog: it only tells the session, which tells the dialog
        self.session.undo_stack.push(
            CallbackCommand(text, redo, undo, self.session.dataChanged.emit)
        )

    # the path ---------------------------------------------------------------------------
    def _read_targets(self) -> None:
        """The targets' rows of the periods offered, as read now: what applying checks."""
        combo = self.apply_from
        keys = [(self.kpi.id, self.unit_id(), combo.itemData(i)) for i in range(combo.count())]
        self.read_targets = target_service.read_target_tokens(keys)

    def _scope_changed(self) -> None:
        self._read_targets()
        self.read_path = target_service.read_path_token(self.kpi.id, self.unit_id())
        path = target_service.target_path(self.kpi.id, self.unit_id())
        if path is not None:
            self._select(self.baseline_period, path.baseline_period)
            self._select(self.goal_period, path.goal_period)
            self.baseline_value.setText(format_number(path.baseline_value, None, grouping=False))
            self.goal_value.setText(format_number(path.goal_value, None, grouping=False))
        else:
            self._select(self.baseline_period, self.period.key)
            goal = Period.of(Period.whole_year(self.period.year + 1).end, self.kpi.frequency)
            self._select(self.goal_period, goal.key)
        self._show_path()

    def _show_path(self) -> None:
        path = target_service.target_path(self.kpi.id, self.unit_id())
        if path is None:
            self.path_label.setText(_("No path yet."))
        else:
            self.path_label.setText(
                _("Now: from {baseline} in {baseline_period} to {goal} in {goal_period}.").format(
                    baseline=self._format(path.baseline_value),
                    baseline_period=format_period(Period.from_key(path.baseline_period)),
                    goal=self._format(path.goal_value),
                    goal_period=format_period(Period.from_key(path.goal_period)),
                )
            )
        self.remove_path_button.setEnabled(path is not None and not self.session.read_only)

    def save_path(self) -> bool:
        workspace = self.session.workspace
        if workspace is None or self.session.read_only:
            return False
        baseline = self._parse(self.baseline_value, self.baseline_field)
        goal = self._parse(self.goal_value, self.goal_field)
        if baseline is None or goal is None:
            return False
        path = PathData(
            self.baseline_period.currentData(), baseline, self.goal_period.currentData(), goal
        )
        kpi_id, unit_id = self.kpi.id, self.unit_id()
        try:
            saved, before = team.save_row(
                self,
                lambda read: target_service.set_target_path(
                    workspace, kpi_id, unit_id, path, read=read
                ),
                self.read_path,
            )
        except DomainError as error:
            self._set_error(self.path_error, error.message)
            return False
        self._set_error(self.path_error, "")
        if not self._path_saved(saved):
            return False
        self._push(
            _("Target path for {kpi}").format(kpi=self.kpi.code),
            lambda: target_service.set_target_path(workspace, kpi_id, unit_id, path),
            lambda: target_service.set_target_path(workspace, kpi_id, unit_id, before),
        )
        self.status.setText(_("The path is saved."))
        return True

    def remove_path(self) -> bool:
        workspace = self.session.workspace
        if workspace is None or self.session.read_only:
            return False
        kpi_id, unit_id = self.kpi.id, self.unit_id()
        saved, before = team.save_told(
            self,
            lambda read: target_service.remove_target_path(workspace, kpi_id, unit_id, read=read),
            self.read_path,
        )
        if not self._path_saved(saved) or before is None:
            return False
        self._push(
            _("Remove the target path for {kpi}").format(kpi=self.kpi.code),
            lambda: target_service.remove_target_path(workspace, kpi_id, unit_id),
            lambda: target_service.set_target_path(workspace, kpi_id, unit_id, before),
        )
        self.status.setText(_("The path is removed."))
        return True

    def _path_saved(self, saved: bool) -> bool:
        """After a path's save: read the path again (what the next save checks); theirs
        kept (not saved): the fields show theirs."""
        if not saved:
            self._scope_changed()
            self.session.dataChanged.emit()
            return False
        self.read_path = target_service.read_path_token(self.kpi.id, self.unit_id())
        return True

    # suggestions ------------------------------------------------------------------------
    def _suggest_period_changed(self) -> None:
        key = self.suggest_period.currentData()
        self._select(self.apply_from, key)
        self._select(self.apply_to, key)
        self._clear_suggestions()

    def _clear_suggestions(self) -> None:
        for button in self.suggestion_buttons:
            self.suggestion_group.removeButton(button)
        for widget in (*self.suggestion_buttons, *self.explanations):
            widget.hide()
            widget.deleteLater()
        self.suggestion_buttons = []
        self.explanations = []
        self.suggestions = []
        self.no_suggestion.setVisible(False)
        self._update_suggestion_buttons()

    def _update_suggestion_buttons(self) -> None:
        chosen = self.chosen_suggestion() is not None
        self.apply_button.setEnabled(chosen and not self.session.read_only)
        self.use_as_goal_button.setEnabled(chosen and not self.session.read_only)

    def suggest(self) -> list[TargetSuggestion]:
        self._clear_suggestions()
        period = Period.from_key(self.suggest_period.currentData())
        self.suggestions = target_service.suggestions(self.kpi.id, self.unit_id(), period)
        for number, suggestion in enumerate(self.suggestions):
            button = QRadioButton(
                _("{value} — {method}").format(
                    value=self._format(suggestion.value),
                    method=_(SUGGESTION_METHOD_LABELS[suggestion.method]),
                )
            )
            font = button.font()
            font.setBold(True)
            button.setFont(font)
            button.toggled.connect(self._update_suggestion_buttons)
            self.suggestion_group.addButton(button, number)
            explanation = QLabel(
                target_service.explain(suggestion, self.kpi, currency=self.currency)
            )
            explanation.setWordWrap(True)
            explanation.setContentsMargins(24, 0, 0, 6)
            self.suggestion_area.addWidget(button)
            self.suggestion_area.addWidget(explanation)
            self.suggestion_buttons.append(button)
            self.explanations.append(explanation)
        if self.suggestion_buttons:
            self.suggestion_buttons[0].setChecked(True)
        else:
            template, params = history_needed(self.kpi.frequency)
            self.no_suggestion.setText(
                _("No target can be suggested for {period}.").format(period=format_period(period))
                + " "
                + _(template).format(**params)
                + " "
                + _(BEST_UNIT_NEEDED)
            )
            self.no_suggestion.setVisible(True)
        self._update_suggestion_buttons()
        self._fit_height()
        QTimer.singleShot(0, self._fit_height)  # once the new labels know their fonts
        return self.suggestions

    def _fit_height(self) -> None:
        """Grow to show every wrapped explanation (a dialog does not grow by itself)."""
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else 0
        needed = max(needed, layout.totalMinimumSize().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    def chosen_suggestion(self) -> TargetSuggestion | None:
        number = self.suggestion_group.checkedId()
        if 0 <= number < len(self.suggestions):
            return self.suggestions[number]
        return None

    def use_as_goal(self) -> None:
        suggestion = self.chosen_suggestion()
        if suggestion is None:
            return
        self.goal_value.setText(format_number(suggestion.value, None, grouping=False))
        self._select(self.goal_period, self.suggest_period.currentData())

    def apply_suggestion(self) -> bool:
        """Store the chosen suggestion as the target of every period from … to …."""
        workspace = self.session.workspace
        suggestion = self.chosen_suggestion()
        if workspace is None or suggestion is None or self.session.read_only:
            return False
        first = Period.from_key(self.apply_from.currentData())
        last = Period.from_key(self.apply_to.currentData())
        if last < first:
            self._set_error(self.suggest_error, _("The last period comes before the first."))
            return False
        self._set_error(self.suggest_error, "")
        unit_id = self.unit_id()
        changes = []
        period = first
        while period <= last:
            key = (self.kpi.id, unit_id, period.key)
            read = self.read_targets.get(key, UNREAD)
            changes.append(TargetChange(*key, suggestion.value, read=read))
            period = period.next()

        def save(checked: list[TargetChange]) -> list[TargetChange]:
            return target_service.set_targets(workspace, checked)

        try:
            try:
                before = save(changes)
            except ConflictError as conflict:
                before = team.settle_conflict(self, conflict, save, changes)
        except DomainError as error:
            self._set_error(self.suggest_error, error.message)
            return False
        self._read_targets()
        if before is None:  # theirs kept
            self.session.dataChanged.emit()
            return False
        changes = [replace(change, read=UNREAD) for change in changes]
        self._push(
            ngettext(
                "Set one target for {kpi}", "Set {count} targets for {kpi}", len(changes)
            ).format(count=len(changes), kpi=self.kpi.code),
            lambda: target_service.set_targets(workspace, changes),
            lambda: target_service.set_targets(workspace, before),
        )
        self.status.setText(
            _("{value} is now the target from {first} to {last}.").format(
                value=self._format(suggestion.value),
                first=format_period(first),
                last=format_period(last),
            )
        )
        return True
