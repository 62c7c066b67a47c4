"""File → Open Server Workspace…: the server, database, login and TLS mode of a workspace on
a PostgreSQL server.

The dialog stays open until the workspace opens: what the server says (a refused login, an
unreachable host, a database holding no workspace) is shown in it in one line, and the user
corrects a field and tries again. A password is asked for only when libpq has none
(``PGPASSWORD``, ``~/.pgpass``, ``PGSERVICE``) and none is remembered; it is kept in the
system's keyring only when "Remember" is ticked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
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

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_, _
from kpidesk.services.server_access import (
    DEFAULT_PORT,
    SSL_MODES,
    ServerFields,
    fields_of,
    open_server_workspace,
)
from kpidesk.store.errors import ServerLoginError
from kpidesk.store.location import ServerAddress
from kpidesk.ui.forms import ERROR_STYLE
from kpidesk.ui.icons import icon
from kpidesk.ui.widgets import MessageKind

if TYPE_CHECKING:
    from kpidesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)

SSL_LABELS = {
    "prefer": N_("Encrypt when the server offers it"),
    "require": N_("Always encrypt"),
    "verify-ca": N_("Encrypt and check the server's certificate"),
    "verify-full": N_("Encrypt and check the certificate and the server's name"),
    "disable": N_("Never encrypt"),
}

Attempt = Callable[[ServerAddress, str | None, bool], str | None]
"""Opens the workspace (address, password typed or None, remember); returns None when it
opened, else the one-line reason it did not."""


class ServerDialog(QDialog):
    def __init__(
        self,
        attempt: Attempt,
        parent: QWidget | None = None,
        *,
        address: ServerAddress | None = None,
        message: str = "",
    ) -> None:
        super().__init__(parent)
        self._attempt = attempt
        self.setWindowTitle(_("Open Server Workspace"))
        self.setWindowIcon(icon("database"))
        self.setMinimumWidth(520)
        outer = QVBoxLayout(self)
        intro = QLabel(
            _(
                "A workspace on a PostgreSQL server is shared: everyone who opens it works "
                "on the same goals and figures."
            )
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)

        form = QFormLayout()
        self.host_edit = QLineEdit()
        self.host_edit.setPlaceholderText("db.example.com")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(DEFAULT_PORT)
        self.database_edit = QLineEdit()
        self.user_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(_("From PGPASSWORD, ~/.pgpass or the keyring"))
        self.ssl_combo = QComboBox()
        for mode in SSL_MODES:
            self.ssl_combo.addItem(_(SSL_LABELS[mode]), mode)
        self.remember_check = QCheckBox(_("&Remember the password in the system's keyring"))
        form.addRow(_("&Server:"), self.host_edit)
        form.addRow(_("&Port:"), self.port_spin)
        form.addRow(_("&Database:"), self.database_edit)
        form.addRow(_("&User name:"), self.user_edit)
        form.addRow(_("Pass&word:"), self.password_edit)
        form.addRow("", self.remember_check)
        form.addRow(_("&Encryption (TLS):"), self.ssl_combo)
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is not None and isinstance(label.widget(), QLabel):
                label.widget().setBuddy(field.widget())
        outer.addLayout(form)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.message_label)
        outer.addStretch(1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.open_button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        self.open_button.setText(_("&Open"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.try_open)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

        self._extra: tuple[tuple[str, str], ...] = ()
        if address is not None:
            self.set_fields(fields_of(address))
        self.show_message(message)
        for edit in (self.host_edit, self.database_edit, self.user_edit):
            edit.textChanged.connect(self._update_open_button)
        self._update_open_button()
        first_empty = next(
            (
                edit
                for edit in (self.host_edit, self.database_edit, self.user_edit)
                if not edit.text()
            ),
            self.password_edit,
        )
        first_empty.setFocus()

    def set_fields(self, fields: ServerFields) -> None:
        self.host_edit.setText(fields.host)
        self.port_spin.setValue(fields.port)
        self.database_edit.setText(fields.database)
        self.user_edit.setText(fields.user)
        index = self.ssl_combo.findData(fields.sslmode)
        self.ssl_combo.setCurrentIndex(max(index, 0))
        self._extra = fields.extra

    def fields(self) -> ServerFields:
        return ServerFields(
            host=self.host_edit.text(),
            port=self.port_spin.value(),
            database=self.database_edit.text(),
            user=self.user_edit.text(),
            sslmode=str(self.ssl_combo.currentData()),
            extra=self._extra,
        )

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _update_open_button(self) -> None:
        self.open_button.setEnabled(
            bool(self.database_edit.text().strip() and self.user_edit.text().strip())
        )

    def try_open(self) -> bool:
        """Open the workspace the fields name; close on success, else say why and stay."""
        try:
            address = self.fields().address()
        except DomainError as error:
            self.show_message(error.message)
            return False
        password = self.password_edit.text() or None
        self.show_message("")
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            problem = self._attempt(address, password, self.remember_check.isChecked())
        finally:
            QApplication.restoreOverrideCursor()
        if problem is not None:
            self.show_message(problem)
            self.password_edit.selectAll()
            return False
        self.accept()
        return True


class ServerOpening:
    """How the main window opens a server workspace: first with what libpq or the keyring
    has, then, when the server wants a password (or another one), through the dialog."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.last_was_login = False

    def open(self, address: ServerAddress, *, read_only: bool = False) -> bool:
        """Open ``address`` (from the recent list, the command line); True when it opened."""
        self.window._clear_messages()
        problem = self.attempt(address, None, False, read_only=read_only)
        if problem is None:
            return True
        if self.last_was_login:
            return self.ask(address, problem)
        bar = self.window.show_message(MessageKind.ERROR, problem)
        change = bar.add_button(_("Change…"))
        change.clicked.connect(lambda: self.ask(address))
        return False

    def ask(self, address: ServerAddress | None = None, message: str = "") -> bool:
        """The Open Server Workspace dialog, filled in from ``address`` (else the open
        workspace's server); True when it opened a workspace."""
        workspace = self.window.session.workspace
        if address is None and workspace is not None:
            address = workspace.server
        dialog = ServerDialog(self.attempt, self.window, address=address, message=message)
        opened = self.run_dialog(dialog)
        dialog.deleteLater()
        return opened

    def run_dialog(self, dialog: ServerDialog) -> bool:
        """Show the dialog until it opens a workspace or is cancelled; tests replace this."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def attempt(
        self,
        address: ServerAddress,
        password: str | None,
        remember: bool,
        *,
        read_only: bool = False,
    ) -> str | None:
        """Open ``address`` and make it the window's workspace; None when it opened, else
        the one-line reason it did not (the workspace open before stays open)."""
        self.last_was_login = False
        session = self.window.session
        if session.workspace is not None and session.workspace.server == address:
            session.close()  # the same database again (for writing, another login)
        try:
            workspace = open_server_workspace(
                address, password=password, remember=remember, read_only=read_only
            )
        except DomainError as error:
            log.warning("could not open %s: %s", address, error)
            self.last_was_login = isinstance(error, ServerLoginError)
            return error.message
        self.window.attach(workspace)
        return None
