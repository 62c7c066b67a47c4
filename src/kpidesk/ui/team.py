"""The team in the app: Workspace → People (for admins), the person's role said in a banner
with what it cannot do disabled, Settings → Your Name (the author of a file's changes), and
the question a lost race asks (keep theirs, keep mine, or merge two comments by hand).

The rights are the server's (see :mod:`kpidesk.store.pg_access`); this only shows them, so
nobody is offered a button the server would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.numbers import format_number
from kpidesk.domain.periods import format_moment
from kpidesk.i18n import N_, _, current_language
from kpidesk.services import audit, overview, people
from kpidesk.services.conflicts import UNREAD, Conflict, ConflictError
from kpidesk.store.access import ROLES, Access, Role
from kpidesk.ui.forms import ERROR_STYLE
from kpidesk.ui.widgets import MessageBar, MessageKind

if TYPE_CHECKING:
    from kpidesk.ui.main_window import MainWindow
    from kpidesk.ui.session import WorkspaceSession

ROLE_NAMES = {
    Role.VIEWER: N_("Viewer"),
    Role.UPDATER: N_("Updater"),
    Role.EDITOR: N_("Editor"),
    Role.ADMIN: N_("Admin"),
    Role.OWNER: N_("Owner"),
}
ROLE_HELP = {
    Role.VIEWER: N_("reads everything, changes nothing"),
    Role.UPDATER: N_("enters values, comments and actions for their units"),
    Role.EDITOR: N_("also changes goals, KPIs, targets and units"),
    Role.ADMIN: N_("also manages people"),
}


def role_notice(access: Access, unit_names: list[str]) -> str | None:
    """What the banner says of a role that cannot do everything (None: it can)."""
    if access.role is Role.VIEWER:
        return _("You are a viewer in this workspace: you can look, but not change anything.")
    if access.role is Role.UPDATER:
        return _(
            "You are an updater: you enter values, comments and actions for {units}. Goals, "
            "KPIs, targets and units are changed by an editor."
        ).format(units=", ".join(unit_names) or _("no unit yet"))
    return None


class PeopleDialog(QDialog):
    """Workspace → People: who may do what here; add and remove people (an admin's)."""

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("People"))
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Each person logs in to the server with their own name. The server enforces "
                "what their role allows, in the app and in any other program."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_("Name"), _("Role"), _("Units")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        layout.addWidget(self.table)

        form = QFormLayout()
        self.name_edit = QLineEdit()
        form.addRow(_("&Name:"), self.name_edit)
        self.role_combo = QComboBox()
        for role in ROLES:
            self.role_combo.addItem(f"{_(ROLE_NAMES[role])} – {_(ROLE_HELP[role])}", role.value)
        form.addRow(_("&Role:"), self.role_combo)
        self.units_list = QListWidget()
        self.units_list.setMaximumHeight(90)
        for unit in overview.unit_tree():
            item = QListWidgetItem("\u2003" * unit.depth + unit.name)
            item.setData(Qt.ItemDataRole.UserRole, unit.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.units_list.addItem(item)
        form.addRow(_("&Units:"), self.units_list)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("&Password:"), self.password_edit)
        layout.addLayout(form)
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        self._role_changed()

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.error_label)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(_("&Add Person"))
        self.add_button.clicked.connect(self.add_person)
        self.remove_button = QPushButton(_("&Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.refresh()

    def _role_changed(self) -> None:
        self.units_list.setEnabled(self.role_combo.currentData() == Role.UPDATER.value)

    def refresh(self) -> None:
        rows = people.list_people(self.session.workspace)
        self.table.setRowCount(len(rows))
        for row, person in enumerate(rows):
            for column, text in enumerate(
                (person.name, _(ROLE_NAMES[person.role]), ", ".join(person.units))
            ):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def checked_units(self) -> list[str]:
        return [
            self.units_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.units_list.count())
            if self.units_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def add_person(self) -> bool:
        name = self.name_edit.text().strip()
        role = Role(self.role_combo.currentData())
        units = self.checked_units() if role is Role.UPDATER else []
        if not name:
            self.error_label.setText(_("Give the person's login name."))
            return False
        if role is Role.UPDATER and not units:
            self.error_label.setText(_("Tick the units whose values an updater enters."))
            return False
        try:
            people.add_person(
                self.session.workspace, name, role, units, self.password_edit.text() or None
            )
        except DomainError as error:
            self.error_label.setText(error.message)
            return False
        self.password_edit.clear()
        self.name_edit.clear()
        self.error_label.clear()
        self.refresh()
        return True

    def remove_selected(self) -> bool:
        row = self.table.currentRow()
        if row < 0:
            return False
        name = self.table.item(row, 0).text()
        try:
            people.remove_person(self.session.workspace, name)
        except DomainError as error:
            self.error_label.setText(error.message)
            return False
        self.refresh()
        return True


class Choice(Enum):
    THEIRS = "theirs"
    MINE = "mine"
    MERGED = "merged"


class ConflictDialog(QDialog):
    """Someone else saved first: shows their version beside mine and asks which to keep; a
    comment's two texts can be merged by hand."""

    def __init__(
        self, conflict: Conflict, theirs: str, mine: str, *, merge: bool = False, parent=None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Changed by someone else"))
        self.choice = Choice.THEIRS
        layout = QVBoxLayout(self)
        when = spoken_time(conflict.at)
        intro = QLabel(
            _(
                "{who} saved this at {when}, after you began; your change is not saved yet. "
                "Which should stay?"
            ).format(who=conflict.by or "?", when=when)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.addRow(_("Theirs:"), QLabel(theirs or _("(removed)")))
        form.addRow(_("Mine:"), QLabel(mine or _("(removed)")))
        layout.addLayout(form)
        self.merged_edit: QPlainTextEdit | None = None
        if merge:
            self.merged_edit = QPlainTextEdit(f"{theirs}\n\n{mine}".strip())
            layout.addWidget(QLabel(_("Or merge the two by hand:")))
            layout.addWidget(self.merged_edit)
        buttons = QDialogButtonBox()
        keep_theirs = buttons.addButton(_("Keep &Theirs"), QDialogButtonBox.ButtonRole.RejectRole)
        keep_mine = buttons.addButton(_("Keep &Mine"), QDialogButtonBox.ButtonRole.AcceptRole)
        keep_theirs.clicked.connect(lambda: self._done(Choice.THEIRS))
        keep_mine.clicked.connect(lambda: self._done(Choice.MINE))
        if merge:
            save = buttons.addButton(_("Save &Merged"), QDialogButtonBox.ButtonRole.AcceptRole)
            save.clicked.connect(lambda: self._done(Choice.MERGED))
        layout.addWidget(buttons)

    def _done(self, choice: Choice) -> None:
        self.choice = choice
        self.done(QDialog.DialogCode.Accepted if choice is not Choice.THEIRS else 0)

    @property
    def merged_text(self) -> str:
        return self.merged_edit.toPlainText() if self.merged_edit is not None else ""


def with_read_tokens(changes: list, tokens: dict) -> list:
    """The grid's changes with the rows' tokens as the grid read them (None: no row)."""
    return [
        replace(change, read=tokens.get(change.key)) if change.read is UNREAD else change
        for change in changes
    ]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_number(value, None, current_language())
    if isinstance(value, tuple):
        return " – ".join(
            format_number(part, None, current_language()) if isinstance(part, float) else str(part)
            for part in value
            if part not in (None, "")
        )
    return str(value)


def settle_conflict(
    parent: QWidget, error: ConflictError, apply: Callable[[list], list], changes: list
) -> list | None:
    """Ask what to keep when a save lost a race; keep mine saves again over their version
    (what ``apply`` returns), keep theirs returns None. Nothing is locked meanwhile: the
    lost save's transaction has ended."""
    conflict = error.conflicts[0]
    dialog = ConflictDialog(
        conflict, _cell_text(conflict.theirs), _cell_text(conflict.mine), parent=parent
    )
    dialog.exec()
    if dialog.choice is not Choice.MINE:
        return None
    tokens = {item.key: item.token for item in error.conflicts}
    again = [replace(change, read=tokens.get(change.key, change.read)) for change in changes]
    return apply(again)


def row_text(values: dict[str, Any] | None, fields: list[str]) -> str:
    """A row's ``fields`` as the conflict dialog shows them, one a line (the history's
    names)."""
    if values is None:
        return ""
    return "\n".join(f"{field}: {_cell_text(values.get(field))}" for field in fields)


def save_row(parent: QWidget, save: Callable[[Any], Any], read_version: Any) -> tuple[bool, Any]:
    """Save one row by an editor against ``read_version`` (the row's version when the editor
    read it; or what else the save checks, such as a set of links read). When someone else
    saved it since, ask as the grid does: keep mine saves again over their version, keep
    theirs saves nothing. Returns (saved, what ``save`` returned). Nothing is locked while
    asking: the lost save's transaction has ended."""
    while True:
        try:
            return True, save(read_version)
        except ConflictError as error:
            conflict = error.conflicts[0]
            if conflict.theirs is None:
                raise  # removed meanwhile: nothing to save over
            mine, theirs = dict(conflict.mine or {}), dict(conflict.theirs)
            fields = [f for f in mine if _cell_text(mine[f]) != _cell_text(theirs.get(f))]
            read_version = conflict.token
            if not fields:  # they saved what I would have
                continue
            dialog = ConflictDialog(
                conflict, row_text(theirs, fields), row_text(mine, fields), parent=parent
            )
            dialog.exec()
            if dialog.choice is not Choice.MINE:
                return False, None


def save_told(parent: QWidget, save: Callable[[Any], Any], read_version: Any) -> tuple[bool, Any]:
    """:func:`save_row`, a refused save told in a message box (nothing saved)."""
    try:
        return save_row(parent, save, read_version)
    except DomainError as error:
        QMessageBox.warning(parent, _("Not saved"), error.message)
        return False, None


def skip_first(do: Callable[[], object]) -> Callable[[], None]:
    """``do`` as an undo step's redo for an edit already saved: the push's own first redo
    does nothing, a later redo saves again."""
    state = {"skip": True}

    def redo() -> None:
        if not state.pop("skip", False):
            do()

    return redo


def save_comment(
    parent: QWidget, save: Callable[[str, str], Any], read_text: str, mine: str
) -> tuple[str | None, Any]:
    """Save a comment with ``save(text, read_text)``, which checks in its own transaction
    that the comment is still ``read_text``. When someone else saved one since editing
    began, ask: theirs (nothing saved), mine, or the two merged by hand, saved against
    theirs. Returns (the text saved, what ``save`` returned); (None, None): theirs kept."""
    text = mine
    while True:
        try:
            return text, save(text, read_text)
        except ConflictError as error:
            conflict = error.conflicts[0]
            theirs = str(conflict.theirs or "")
            read_text = theirs
            if theirs.strip() == text.strip():  # they wrote the same
                continue
            dialog = ConflictDialog(conflict, theirs, text, merge=True, parent=parent)
            dialog.exec()
            if dialog.choice is Choice.MERGED:
                text = dialog.merged_text.strip()
            elif dialog.choice is not Choice.MINE:
                return None, None


OPS = {
    "insert": N_("added"),
    "update": N_("changed"),
    "delete": N_("removed"),
    "import": N_("imported"),
    "undo-import": N_("import undone"),
}
TABLES = {
    "kpi": N_("KPI"),
    "measurement": N_("Value"),
    "target": N_("Target"),
    "target_path": N_("Target path"),
    "decision": N_("Decision"),
    "action": N_("Action"),
}


def spoken_time(moment: datetime | None) -> str:
    """A stored time (UTC) in the computer's zone, as the user's language writes it."""
    if moment is None:
        return "?"
    return format_moment(moment.replace(tzinfo=UTC).astimezone().replace(tzinfo=None))


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return "?"
    return moment.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class HistoryDialog(QDialog):
    """A KPI's history: who changed its definition, targets and values, when, from what to
    what (the change log's); exportable as CSV."""

    def __init__(self, kpi_id: int, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("History of {kpi}").format(kpi=title))
        self.resize(820, 440)
        self.entries = audit.kpi_history(kpi_id)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([_("When"), _("Who"), _("What"), _("Change"), ""])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        rows = list(reversed(self.entries))
        self.table.setRowCount(len(rows))
        for row, entry in enumerate(rows):
            edits = "; ".join(
                f"{edit.field}: {_cell_text(edit.old)} → {_cell_text(edit.new)}"
                for edit in entry.edits
                if entry.op == "update"
            )
            cells = (
                local_time(entry.at),
                entry.actor,
                f"{_(TABLES.get(entry.table, entry.table))} {entry.what}",
                _(OPS.get(entry.op, entry.op)),
                edits,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        export = buttons.addButton(_("&Export CSV…"), QDialogButtonBox.ButtonRole.ActionRole)
        export.clicked.connect(self.ask_export)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def ask_export(self) -> None:
        path, _selected = QFileDialog.getSaveFileName(
            self, _("Export the history"), str(Path.home() / "history.csv"), "CSV (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> int:
        return audit.export_csv(self.entries, path)


class TeamUi:
    """What the main window adds for a team (installed once by ``install``)."""

    def __init__(self, window: MainWindow, workspace_menu, settings_menu) -> None:
        self.window = window
        self.banner: MessageBar | None = None
        self.action_people = workspace_menu.addAction(_("&People…"))
        self.action_people.triggered.connect(self.open_people)
        self.action_people.setEnabled(False)
        self.action_name = settings_menu.addAction(_("Your &Name…"))
        self.action_name.triggered.connect(self.ask_name)
        window.session.workspaceChanged.connect(self.workspace_changed)

    def workspace_changed(self) -> None:
        window, session = self.window, self.window.session
        if self.banner is not None:
            self.banner.dismiss()
            self.banner = None
        server = session.is_open and session.workspace.server is not None
        access = session.access
        self.action_people.setEnabled(bool(server and access.manages_people))
        self.action_people.setToolTip(
            "" if server and access.manages_people else _("For an admin of a server workspace.")
        )
        if not session.is_open:
            return
        window.action_units.setEnabled(not session.definitions_read_only)
        window.action_import.setEnabled(not session.read_only)
        names = [
            u.name for u in overview.unit_tree() if access.unit_ids and u.id in access.unit_ids
        ]
        text = role_notice(access, names) if server else None
        if text and not session.workspace.read_only:
            self.banner = MessageBar(MessageKind.INFO, text, closable=True)
            self.banner.setObjectName("roleBanner")
            window.banner_area.addWidget(self.banner)
            self.banner.show()

    def open_people(self) -> PeopleDialog:
        dialog = PeopleDialog(self.window.session, self.window)
        dialog.open()
        return dialog

    def ask_name(self) -> None:
        settings = self.window.session.settings
        name, ok = QInputDialog.getText(
            self.window,
            _("Your Name"),
            _("The name your changes, comments and decisions carry in a workspace file:"),
            text=settings.author_name,
        )
        if ok:
            settings.author_name = name
            if (
                self.window.session.workspace is not None
                and self.window.session.workspace.server is None
            ):
                self.window.session.workspace.actor = (
                    name.strip() or self.window.session.workspace.actor
                )


def install(window: MainWindow, workspace_menu, settings_menu) -> TeamUi:
    return TeamUi(window, workspace_menu, settings_menu)
