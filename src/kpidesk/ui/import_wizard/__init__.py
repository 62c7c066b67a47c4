"""The import wizard: ``wizard`` is the shell, each step a module of its own (see there)."""

from kpidesk.ui.import_wizard.common import Step, is_spreadsheet, spreadsheet_filter
from kpidesk.ui.import_wizard.state import WizardState
from kpidesk.ui.import_wizard.wizard import ImportWizard, open_import_wizard

__all__ = [
    "ImportWizard",
    "Step",
    "WizardState",
    "is_spreadsheet",
    "open_import_wizard",
    "spreadsheet_filter",
]
