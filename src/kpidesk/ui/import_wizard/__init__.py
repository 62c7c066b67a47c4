"""The import wizard: ``wizard`` is the shell, each step a module of its own (see there);
a SIE file has a step of its own (``sie_step``)."""

from kpidesk.ui.import_wizard.common import (
    Step,
    is_importable,
    is_sie,
    is_spreadsheet,
    spreadsheet_filter,
)
from kpidesk.ui.import_wizard.state import WizardState
from kpidesk.ui.import_wizard.wizard import ImportWizard, open_import_wizard

__all__ = [
    "ImportWizard",
    "Step",
    "WizardState",
    "is_importable",
    "is_sie",
    "is_spreadsheet",
    "open_import_wizard",
    "spreadsheet_filter",
]
