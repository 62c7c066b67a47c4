"""The first screen: create a workspace, open one (a file or on a server), open a recent one,
or open the demo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.i18n import _
from kpidesk.store.location import ServerAddress
from kpidesk.ui.icons import app_icon, icon


def recent_labels(locations: list[Path | ServerAddress]) -> list[str]:
    """Names for a list of workspaces: the file name, and where two have the same name, the
    folders that tell them apart (``demo.kpidesk — Kunder/Norr``); a server workspace's
    database and server (``solbacka — db.example.com:5432``)."""
    paths = [location for location in locations if isinstance(location, Path)]
    labels = []
    for path in locations:
        if isinstance(path, ServerAddress):
            labels.append(f"{path.dbname} — {path.server}")
            continue
        twins = [other for other in paths if other.name == path.name and other != path]
        if not twins:
            labels.append(path.name)
            continue
        depth = 1
        parts = path.parent.parts
        while depth < len(parts) and any(
            other.parent.parts[-depth:] == parts[-depth:] for other in twins
        ):
            depth += 1
        folder = str(Path(*parts[-depth:])) if parts else str(path.parent)
        labels.append(f"{path.name} — {folder}")
    return labels


class WelcomePage(QWidget):
    newRequested = Signal()
    openRequested = Signal()
    demoRequested = Signal()
    serverRequested = Signal()
    recentRequested = Signal(object)
    """A recent workspace: its path or server address."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        outer.addLayout(column, 3)
        outer.addStretch(1)
        column.addStretch(1)

        heading_row = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(56, 56))
        heading_row.addWidget(logo)
        heading = QLabel(_("KPI Desk"))
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        heading.setFont(font)
        heading_row.addWidget(heading)
        heading_row.addStretch()
        column.addLayout(heading_row)
        tagline = QLabel(
            _(
                "Goals, KPIs and follow-up meetings for your business, in one file "
                "on your own computer."
            )
        )
        tagline.setWordWrap(True)
        column.addWidget(tagline)
        column.addSpacing(18)

        buttons = QHBoxLayout()
        self.new_button = self._button("file-plus", _("&New workspace…"), self.newRequested)
        self.open_button = self._button("folder-open", _("&Open…"), self.openRequested)
        self.server_button = self._button(
            "database", _("Open from a &server…"), self.serverRequested
        )
        self.demo_button = self._button("sparkles", _("Open the &demo"), self.demoRequested)
        for button in (self.new_button, self.open_button, self.server_button, self.demo_button):
            buttons.addWidget(button)
        buttons.addStretch()
        column.addLayout(buttons)
        column.addSpacing(18)

        recent_heading = QLabel(_("Recent workspaces"))
        bold = QFont(recent_heading.font())
        bold.setBold(True)
        recent_heading.setFont(bold)
        column.addWidget(recent_heading)
        self.recent_list = QListWidget()
        self.recent_list.setAccessibleName(_("Recent workspaces"))
        self.recent_list.setAlternatingRowColors(True)
        self.recent_list.itemActivated.connect(self._open_item)
        column.addWidget(self.recent_list, 1)
        self.no_recent = QLabel(
            _("No recent workspaces yet. Create one, or open the demo to look around.")
        )
        self.no_recent.setWordWrap(True)
        column.addWidget(self.no_recent)
        column.addStretch(1)

    def _button(self, icon_name: str, text: str, signal: Signal) -> QPushButton:
        button = QPushButton(icon(icon_name), text)
        button.setMinimumHeight(36)
        button.clicked.connect(signal)
        return button

    def set_recent_files(
        self,
        paths: list[Path | ServerAddress],
        follow_up: Callable[[Path | ServerAddress], str] | None = None,
    ) -> None:
        """The recent workspaces, each with its next follow-up (``follow_up``: as it was
        when it was last closed here) where there is one."""
        self.recent_list.clear()
        for path in paths:
            due = follow_up(path) if follow_up is not None else ""
            after = f"  ·  {due}" if due else ""
            if isinstance(path, ServerAddress):
                item = QListWidgetItem(
                    icon("database"),
                    _("{database}\non the server {server} as {user}").format(
                        database=path.dbname + after, server=path.server, user=path.user
                    ),
                )
                item.setData(Qt.ItemDataRole.UserRole, path)
                item.setToolTip(path.url)
                self.recent_list.addItem(item)
                continue
            exists = path.exists()
            label = path.stem if exists else _("{name} (missing)").format(name=path.stem)
            item = QListWidgetItem(icon("history"), f"{label}{after}\n{path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(str(path))
            if not exists:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.recent_list.addItem(item)
        self.recent_list.setVisible(bool(paths))
        self.no_recent.setVisible(not paths)

    def _open_item(self, item: QListWidgetItem) -> None:
        self.recentRequested.emit(item.data(Qt.ItemDataRole.UserRole))
