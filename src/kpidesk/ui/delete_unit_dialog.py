"""Deleting a unit: what it holds, said in words, and the choice of what becomes of its data
(moved to another unit, or deleted with it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.numbers import format_number
from kpidesk.i18n import _, ngettext
from kpidesk.services.overview import UnitNode
from kpidesk.services.units import DeletedUnit, UnitUsage
from kpidesk.ui.icons import icon


def _count(n: int) -> str:
    return format_number(n, 0)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return _("{first} and {last}").format(first=", ".join(parts[:-1]), last=parts[-1])


def usage_parts(usage: UnitUsage) -> list[str]:
    """``["432 values", "36 targets", "1 sub-unit"]``: what the unit and its branch hold."""
    counts = (
        (usage.measurements, ngettext("{n} value", "{n} values", usage.measurements)),
        (usage.targets, ngettext("{n} target", "{n} targets", usage.targets)),
        (
            usage.target_paths,
            ngettext("{n} target path", "{n} target paths", usage.target_paths),
        ),
        (usage.chart_notes, ngettext("{n} chart note", "{n} chart notes", usage.chart_notes)),
        (
            usage.aliases,
            ngettext("{n} spreadsheet name", "{n} spreadsheet names", usage.aliases),
        ),
        (usage.other, ngettext("{n} other record", "{n} other records", usage.other)),
        (usage.descendants, ngettext("{n} sub-unit", "{n} sub-units", usage.descendants)),
    )
    return [text.format(n=_count(n)) for n, text in counts if n]


def describe_usage(name: str, usage: UnitUsage) -> str:
    """One sentence: “Butik Luleå” holds 432 values, 36 targets and 1 sub-unit."""
    items = _join(usage_parts(usage))
    reviews = ngettext("{n} review", "{n} reviews", usage.reviews).format(n=_count(usage.reviews))
    if items and usage.reviews:
        return _("“{name}” holds {items}, and is part of {reviews}.").format(
            name=name, items=items, reviews=reviews
        )
    if items:
        return _("“{name}” holds {items}.").format(name=name, items=items)
    if usage.reviews:
        return _("“{name}” is part of {reviews}.").format(name=name, reviews=reviews)
    return _("“{name}” holds no data.").format(name=name)


def describe_delete(snapshot: DeletedUnit, target_name: str | None) -> str:
    """What a delete did, for the message bar after it: what moved, and what did not."""
    if snapshot.move_data_to is None:
        return _("Deleted “{name}” with its data. Undo (Ctrl+Z) brings it all back.").format(
            name=snapshot.name
        )
    target = target_name or ""
    moved = _counted(
        snapshot.measurements_moved,
        snapshot.targets_moved,
        len(snapshot.moved_children),
    )
    if moved:
        text = _("Deleted “{name}” and moved {items} to “{target}”.").format(
            name=snapshot.name, items=moved, target=target
        )
    else:
        text = _("Deleted “{name}”.").format(name=snapshot.name)
    clashes = _counted(snapshot.measurements_conflicting, snapshot.targets_conflicting, 0)
    if clashes:
        text += " " + _(
            "{items} were not moved: “{target}” already had them for the same KPI and "
            "period, and kept its own."
        ).format(items=clashes, target=target)
    return text + " " + _("Undo (Ctrl+Z) puts everything back.")


def _counted(values: int, targets: int, sub_units: int) -> str:
    parts = [
        ngettext("{n} value", "{n} values", values).format(n=_count(values)) if values else "",
        ngettext("{n} target", "{n} targets", targets).format(n=_count(targets)) if targets else "",
        ngettext("{n} sub-unit", "{n} sub-units", sub_units).format(n=_count(sub_units))
        if sub_units
        else "",
    ]
    return _join([part for part in parts if part])


class DeleteChoice(StrEnum):
    CANCEL = "cancel"
    MOVE = "move"
    DISCARD = "discard"


@dataclass(frozen=True, slots=True)
class DeleteDecision:
    choice: DeleteChoice
    move_to: int | None = None


class DeleteUnitDialog(QDialog):
    """Asks what happens to a unit's data: move it to another unit, or delete it too.

    Construct it, then ``exec()`` (or, in tests, pick an option and ``accept()``); ``choice()``
    says what was decided.
    """

    def __init__(
        self,
        name: str,
        usage: UnitUsage,
        candidates: list[UnitNode],
        default_target: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Delete unit"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)

        top = QHBoxLayout()
        symbol = QLabel()
        symbol.setPixmap(icon("triangle-alert", QColor("#b45309")).pixmap(32, 32))
        top.addWidget(symbol, 0, Qt.AlignmentFlag.AlignTop)
        self.summary = QLabel(describe_usage(name, usage))
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.summary, 1)
        layout.addLayout(top)

        question = QLabel(_("What should happen to it?"))
        font = question.font()
        font.setBold(True)
        question.setFont(font)
        layout.addWidget(question)

        self.move_radio = QRadioButton(_("&Move its data and sub-units to:"))
        self.move_combo = QComboBox()
        self.move_combo.setAccessibleName(_("Unit that receives the data"))
        for node in candidates:
            self.move_combo.addItem("    " * node.depth + node.name, node.id)
        if default_target is not None and self.move_combo.findData(default_target) >= 0:
            self.move_combo.setCurrentIndex(self.move_combo.findData(default_target))
        move_row = QHBoxLayout()
        move_row.addWidget(self.move_radio)
        move_row.addWidget(self.move_combo, 1)
        layout.addLayout(move_row)
        layout.addWidget(
            _help(
                _(
                    "Where the receiving unit already has a value for the same KPI and "
                    "period, its own value is kept."
                )
            )
        )

        self.discard_radio = QRadioButton(_("&Delete it with all its data"))
        layout.addWidget(self.discard_radio)
        layout.addWidget(
            _help(_("Edit → Undo (Ctrl+Z) brings it back while the workspace is open."))
        )
        group = QButtonGroup(self)
        group.addButton(self.move_radio)
        group.addButton(self.discard_radio)
        if self.move_combo.count():
            self.move_radio.setChecked(True)
        else:
            self.move_radio.setEnabled(False)
            self.discard_radio.setChecked(True)
        self.move_radio.toggled.connect(self._update)

        self.buttons = QDialogButtonBox()
        self.delete_button = self.buttons.addButton(
            _("Delete"), QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setIcon(icon("trash-2"))
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)
        self.delete_button.setAutoDefault(False)
        self.delete_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        layout.addSpacing(6)
        layout.addWidget(self.buttons)
        self._update()
        self.setMinimumWidth(480)

    def _update(self) -> None:
        moving = self.move_radio.isChecked()
        self.move_combo.setEnabled(moving)
        self.delete_button.setText(_("Move and delete") if moving else _("Delete with data"))

    def choice(self) -> DeleteDecision:
        if self.result() != QDialog.DialogCode.Accepted:
            return DeleteDecision(DeleteChoice.CANCEL)
        if self.move_radio.isChecked() and self.move_combo.currentIndex() >= 0:
            return DeleteDecision(DeleteChoice.MOVE, self.move_combo.currentData())
        return DeleteDecision(DeleteChoice.DISCARD)


def _help(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    label.setIndent(22)
    return label
