"""Pick KPIs from the built-in library: search, tick one or many, link them to a goal."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.kpi_library import KpiEntry, KpiLibrary, load_library
from kpidesk.domain.numbers import MEASURE_UNIT_LABELS
from kpidesk.domain.periods import PERIOD_KIND_NAMES
from kpidesk.domain.status import DIRECTION_LABELS
from kpidesk.i18n import _, current_language
from kpidesk.services import goals as goal_service
from kpidesk.services.kpis import INDICATOR_LABELS

CODE = Qt.ItemDataRole.UserRole


class LibraryPicker(QDialog):
    def __init__(
        self,
        existing_codes: set[str],
        *,
        goal_id: int | None = None,
        library: KpiLibrary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("KPI library"))
        self.resize(900, 600)
        self.library = library or load_library()
        self.existing = existing_codes
        self.language = current_language()
        layout = QVBoxLayout(self)

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search the library, e.g. churn or sjukfrånvaro"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._fill)
        layout.addWidget(self.search)

        splitter = QSplitter()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("KPI"), _("Unit of measure"), _("Frequency")])
        self.tree.setColumnWidth(0, 320)
        self.tree.setAccessibleName(_("Library KPIs"))
        self.tree.currentItemChanged.connect(self._show_details)
        self.tree.itemChanged.connect(self._update_button)
        splitter.addWidget(self.tree)
        self.details = QTextBrowser()
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

        form = QFormLayout()
        self.goal_combo = QComboBox()
        self.goal_combo.addItem(_("No goal"), None)
        for row in goal_service.goal_tree():
            self.goal_combo.addItem("\u2003" * row.depth + row.data.title, row.id)
        self.goal_combo.setCurrentIndex(max(0, self.goal_combo.findData(goal_id)))
        form.addRow(_("&Link to goal:"), self.goal_combo)
        layout.addLayout(form)
        self.note = QLabel(
            _("KPIs already in the workspace are marked; adding one again gives it a new code.")
        )
        self.note.setWordWrap(True)
        layout.addWidget(self.note)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton(_("Add"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._fill()

    def _fill(self) -> None:
        text = self.search.text().strip()
        matches = (
            {entry.code for entry in self.library.search(text, self.language)}
            if text
            else {entry.code for entry in self.library.entries}
        )
        checked = set(self.chosen_codes())
        self.tree.blockSignals(True)
        self.tree.clear()
        for group in self.library.groups:
            entries = [e for e in self.library.in_group(group.key) if e.code in matches]
            if not entries:
                continue
            group_item = QTreeWidgetItem(self.tree, [group.name(self.language)])
            group_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for entry in entries:
                name = entry.name(self.language)
                if entry.code in self.existing:
                    name = _("{name} (in the workspace)").format(name=name)
                item = QTreeWidgetItem(
                    group_item,
                    [
                        name,
                        _(MEASURE_UNIT_LABELS[entry.measure_unit]),
                        _(PERIOD_KIND_NAMES[entry.frequency]).capitalize(),
                    ],
                )
                item.setData(0, CODE, entry.code)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    0, Qt.CheckState.Checked if entry.code in checked else Qt.CheckState.Unchecked
                )
        self.tree.expandAll()
        self.tree.blockSignals(False)
        first = self.tree.topLevelItem(0)
        if first is not None and first.childCount():
            self.tree.setCurrentItem(first.child(0))  # the details pane is never empty
        self._update_button()

    def _items(self) -> list[QTreeWidgetItem]:
        result = []
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            result.extend(group.child(i) for i in range(group.childCount()))
        return result

    def chosen_codes(self) -> list[str]:
        return [
            item.data(0, CODE)
            for item in self._items()
            if item.checkState(0) == Qt.CheckState.Checked
        ]

    def chosen_entries(self) -> list[KpiEntry]:
        return [self.library.by_code(code) for code in self.chosen_codes()]

    def goal_id(self) -> int | None:
        return self.goal_combo.currentData()

    def set_checked(self, codes: set[str]) -> None:
        for item in self._items():
            item.setCheckState(
                0, Qt.CheckState.Checked if item.data(0, CODE) in codes else Qt.CheckState.Unchecked
            )

    def _update_button(self) -> None:
        count = len(self.chosen_codes())
        self.add_button.setEnabled(count > 0)
        self.add_button.setText(
            _("Add {count} KPIs").format(count=count) if count != 1 else _("Add 1 KPI")
        )

    def _show_details(self) -> None:
        item = self.tree.currentItem()
        code = item.data(0, CODE) if item else None
        entry = self.library.by_code(code) if code else None
        if entry is None:
            self.details.clear()
            return
        lang = self.language
        rows = [
            (_("Code"), entry.code),
            (
                _("Unit of measure"),
                _(MEASURE_UNIT_LABELS[entry.measure_unit])
                + (f" ({entry.unit_label})" if entry.unit_label else ""),
            ),
            (_("Direction"), _(DIRECTION_LABELS[entry.direction])),
            (_("Frequency"), _(PERIOD_KIND_NAMES[entry.frequency]).capitalize()),
            (_("Indicator"), _(INDICATOR_LABELS[entry.indicator])),
        ]
        if entry.formula(lang):
            rows.append((_("Formula"), entry.formula(lang)))
        if entry.benchmark:
            rows.append((_("Benchmark"), f"{entry.benchmark.value:g} — {entry.benchmark.source}"))
        table = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows)
        self.details.setHtml(
            f"<h3>{entry.name(lang)}</h3><p>{entry.definition(lang)}</p>"
            f"<table cellspacing='4'>{table}</table>"
        )
