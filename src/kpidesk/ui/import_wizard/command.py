"""The import on the session's undo stack."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import _
from kpidesk.services import importing
from kpidesk.services.importing import (
    ImportResult,
    UndoResult,
)
from kpidesk.ui.session import WorkspaceSession

log = logging.getLogger(__name__)


class ImportCommand(QUndoCommand):
    """An import already made, on the undo stack: undo takes it back (and it cannot be
    redone: the command then leaves the stack)."""

    def __init__(self, session: WorkspaceSession, result: ImportResult) -> None:
        super().__init__(_("Import {file}").format(file=result.file_name))
        self.session = session
        self.batch_id = result.batch_id
        self.undo_result: UndoResult | None = None
        self._first = True

    def redo(self) -> None:
        self._first = False  # the import was made before the command was pushed

    def undo(self) -> None:
        workspace = self.session.workspace
        self.setObsolete(True)
        if workspace is None or self.batch_id is None:
            return
        info = importing.batch_info(self.batch_id)
        if info is None or info.undone:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.undo_result = importing.undo_import(workspace, self.batch_id)
        except DomainError as error:
            log.warning("could not undo import %s: %s", self.batch_id, error)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.session.dataChanged.emit()
