"""The native file dialogs and questions the shell and the pages use, in one place so tests
can answer them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from kpidesk.i18n import _


def workspace_filter() -> str:
    return _("KPI Desk workspaces (*.kpidesk)")


def ask_open_workspace(parent: QWidget, start: Path | None = None) -> Path | None:
    path, _selected = QFileDialog.getOpenFileName(
        parent, _("Open workspace"), str(start or Path.home()), workspace_filter()
    )
    return Path(path) if path else None


def ask_new_workspace(parent: QWidget, start: Path | None = None) -> Path | None:
    path, _selected = QFileDialog.getSaveFileName(
        parent,
        _("New workspace"),
        str(start or Path.home() / _("New workspace.kpidesk")),
        workspace_filter(),
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    return _with_suffix(path)


def ask_copy_destination(parent: QWidget, suggested: Path) -> Path | None:
    path, _selected = QFileDialog.getSaveFileName(
        parent, _("Save a copy as"), str(suggested), workspace_filter()
    )
    return _with_suffix(path)


def _with_suffix(path: str) -> Path | None:
    if not path:
        return None
    result = Path(path)
    return result if result.suffix == ".kpidesk" else result.with_name(result.name + ".kpidesk")


def confirm_delete(parent: QWidget, text: str, details: str) -> bool:
    """Ask before deleting; tests replace this function."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, _("Delete"), text, QMessageBox.StandardButton.Cancel, parent
    )
    box.setInformativeText(details)
    delete = box.addButton(_("Delete"), QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is delete
