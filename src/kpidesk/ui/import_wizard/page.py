"""The base of each step's page: its place in the wizard, and the wizard's services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from kpidesk.ui.import_wizard.wizard import ImportWizard


class StepPage(QWidget):
    """One step's page. It reads and writes the wizard's :class:`WizardState`, runs long
    work and shows messages through the wizard, and never reaches into another step."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wizard = wizard
        self.session = wizard.session
        self.state = wizard.state
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)

    def enter(self) -> None:
        """Called when the step is to be shown, coming from the step before."""
