"""File → Merge a Copy…: choose the copy, resolve its conflicts, merge it off the GUI thread,
and put the merge on the undo stack."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.i18n import N_, _, ngettext
from kpidesk.services.merge import Conflict, MergeReport, Prefer, merge_copy, undo_merge
from kpidesk.services.merge.describe import shown_when
from kpidesk.ui.dialogs import workspace_filter
from kpidesk.ui.undo import CallbackCommand
from kpidesk.ui.widgets import MessageKind
from kpidesk.ui.worker import WorkerRun

Choices = dict[tuple[str, tuple[Any, ...]], Prefer]


def version_text(conflict: Conflict, side: str) -> str:
    """One side's version of a conflicting row, and who changed it when, in two lines."""
    version = getattr(conflict, side)
    if version is None:
        shown = _("deleted")
    elif set(version) <= {"value", "comment", "value_high"}:
        parts = [_format_number(version.get("value"))]
        if version.get("value_high") is not None:
            parts[0] += "–" + _format_number(version["value_high"])
        if version.get("comment"):
            parts.append(f"“{version['comment']}”")
        shown = " ".join(parts)
    else:
        shown = ", ".join(
            f"{key}: {value}" for key, value in version.items() if value not in (None, "")
        )
    who = conflict.changed_by.get(side) or _("unknown")
    when = shown_when(conflict.changed_at.get(side))
    return f"{shown}\n{who}, {when}" if when else f"{shown}\n{who}"


def _format_number(value: Any) -> str:
    from kpidesk.domain.numbers import format_number

    if value is None:
        return "–"
    try:
        return format_number(float(value), decimals=None)
    except TypeError:
        return str(value)


class ConflictDialog(QDialog):
    """Each conflict with both versions, who changed each and when; kept per item (the
    combo box in its row) or all at once."""

    def __init__(self, conflicts: list[Conflict], other: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Merge a Copy"))
        self.conflicts = conflicts
        layout = QVBoxLayout(self)
        count = len(conflicts)
        intro = QLabel(
            ngettext(
                "{other} and this workspace both changed {count} thing differently. Choose"
                " which version to keep; nothing is merged until every conflict is resolved.",
                "{other} and this workspace both changed {count} things differently. Choose"
                " which version to keep; nothing is merged until every conflict is resolved.",
                count,
            ).format(other=other, count=count)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(count, 4, self)
        self.table.setHorizontalHeaderLabels([_("What"), _("This workspace"), other, _("Keep")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.combos: list[QComboBox] = []
        for row, conflict in enumerate(conflicts):
            for column, text in enumerate(
                (conflict.what, version_text(conflict, "mine"), version_text(conflict, "theirs"))
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
            combo = QComboBox(self.table)
            combo.addItem(_("This workspace's"), Prefer.MINE)
            combo.addItem(_("The copy's"), Prefer.THEIRS)
            combo.setCurrentIndex(-1)
            combo.setPlaceholderText(_("Choose…"))
            combo.currentIndexChanged.connect(self._update)
            self.combos.append(combo)
            self.table.setCellWidget(row, 3, combo)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        all_row = QHBoxLayout()
        self.all_mine = QPushButton(_("Keep All of This Workspace's"), self)
        self.all_theirs = QPushButton(_("Take All of the Copy's"), self)
        self.all_mine.clicked.connect(lambda: self.choose_all(Prefer.MINE))
        self.all_theirs.clicked.connect(lambda: self.choose_all(Prefer.THEIRS))
        all_row.addWidget(self.all_mine)
        all_row.addWidget(self.all_theirs)
        all_row.addStretch(1)
        layout.addLayout(all_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.merge_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.merge_button.setText(_("Merge"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(900, min(220 + 56 * count, 640))
        self._update()

    def choose_all(self, prefer: Prefer) -> None:
        for combo in self.combos:
            combo.setCurrentIndex(combo.findData(prefer))

    def choose(self, row: int, prefer: Prefer) -> None:
        combo = self.combos[row]
        combo.setCurrentIndex(combo.findData(prefer))

    @Slot()
    def _update(self) -> None:
        self.merge_button.setEnabled(all(combo.currentIndex() >= 0 for combo in self.combos))

    def choices(self) -> Choices:
        return {
            (conflict.table, conflict.key): Prefer(combo.currentData())
            for conflict, combo in zip(self.conflicts, self.combos, strict=True)
            if combo.currentIndex() >= 0
        }


def ask_copy(parent: QWidget) -> Path | None:
    """The copy to merge in; tests replace this function."""
    path, _selected = QFileDialog.getOpenFileName(parent, _("Merge a copy"), "", workspace_filter())
    return Path(path) if path else None


def resolve_conflicts(parent: QWidget, report: MergeReport) -> Choices | None:
    """Show the conflicts and return the choices (None: cancelled); tests replace this."""
    dialog = ConflictDialog(report.conflicts, report.other, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.choices()


class MergeFlow(QObject):
    """One merge from the main window: check the copy, resolve, merge, offer undo."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self._run: WorkerRun | None = None
        self.report: MergeReport | None = None

    def start(self, path: Path | None = None) -> None:
        if self.session.workspace is None or self.session.read_only:
            return
        path = path or ask_copy(self.window)
        if path is None:
            return
        self._in_worker(
            lambda progress, cancelled: merge_copy(self.session.workspace, path, dry_run=True),
            lambda report: self._checked(path, report),
        )

    def _checked(self, path: Path, report: MergeReport) -> None:
        choices: Choices = {}
        if report.conflicts:
            chosen = resolve_conflicts(self.window, report)
            if chosen is None:
                self.window.show_message(MessageKind.INFO, _("Nothing was merged."))
                return
            choices = chosen
        workspace = self.session.workspace
        self._in_worker(
            lambda progress, cancelled: merge_copy(workspace, path, choices=choices),
            lambda done: self._merged(path, choices, done),
        )

    def _merged(self, path: Path, choices: Choices, report: MergeReport) -> None:
        self.report = report
        if report.total == 0:
            self.window.show_message(
                MessageKind.INFO, _("Nothing new in {theirs} to merge.").format(theirs=path.name)
            )
            return
        workspace = self.session.workspace
        state = {"merge_id": report.merge_id, "first": True}

        def do() -> None:
            if state["first"]:
                state["first"] = False
                return
            again = merge_copy(workspace, path, choices=choices)
            state["merge_id"] = again.merge_id

        def undo() -> None:
            if state["merge_id"] is not None:
                undo_merge(workspace, int(state["merge_id"]))

        self.session.undo_stack.push(
            CallbackCommand(
                _("Merge {name}").format(name=path.name),
                do,
                undo,
                self.session.dataChanged.emit,
            )
        )
        self.window.show_message(
            MessageKind.INFO,
            ngettext(
                "Merged {theirs}: {count} change. A backup was made first.",
                "Merged {theirs}: {count} changes. A backup was made first.",
                report.total,
            ).format(theirs=path.name, count=report.total),
        )

    def _in_worker(self, job: Callable[..., object], on_success: Callable[[Any], None]) -> None:
        run = WorkerRun(
            job,
            self.session.workspace,
            self,
            failure=N_("The merge failed: {reason}"),
            stopped=N_("The merge stopped unexpectedly."),
        )
        run.succeeded.connect(on_success)
        run.failed.connect(lambda message: self.window.show_message(MessageKind.ERROR, message))
        self._run = run
        run.start()

    @property
    def running(self) -> bool:
        return self._run is not None and self._run.thread.isRunning()
