"""File → Restore from Backup: the workspace's backups with dates, reasons and counts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.numbers import format_number
from kpidesk.i18n import _
from kpidesk.services.backups import describe_counts, list_backups, reason_label

PATH = Qt.ItemDataRole.UserRole


class RestoreDialog(QDialog):
    def __init__(self, workspace_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Restore from backup"))
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Choose a backup of {name}. The workspace as it is now is backed up first, so "
                "a restore can itself be undone by restoring that copy."
            ).format(name=workspace_path.name)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QTreeWidget()
        self.list.setHeaderLabels([_("Made"), _("Why"), _("Contents"), _("Size")])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.setAccessibleName(_("Backups"))
        for info in list_backups(workspace_path):
            contents = describe_counts(info.counts) if info.counts else (info.problem or "")
            size = format_number(info.size / 1024, 0) + " kB"
            item = QTreeWidgetItem(
                [info.created.strftime("%Y-%m-%d %H:%M"), reason_label(info.reason), contents, size]
            )
            item.setData(0, PATH, str(info.path))
            if not info.usable:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addTopLevelItem(item)
        layout.addWidget(self.list, 1)
        self.empty = QLabel(
            _(
                "There are no backups of this workspace yet. KPI Desk makes one "
                "when you open it, before imports and before updates."
            )
        )
        self.empty.setWordWrap(True)
        self.empty.setVisible(self.list.topLevelItemCount() == 0)
        layout.addWidget(self.empty)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton(
            _("&Restore"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setEnabled(False)
        self.list.itemSelectionChanged.connect(
            lambda: self.restore_button.setEnabled(self.chosen() is not None)
        )
        self.list.itemActivated.connect(lambda _item: self.accept())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def chosen(self) -> Path | None:
        items = self.list.selectedItems()
        return Path(items[0].data(0, PATH)) if items else None
