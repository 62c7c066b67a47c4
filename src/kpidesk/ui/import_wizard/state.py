"""What the wizard has found and decided so far, read and written by its steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kpidesk.io.workbook import WorkbookPreview
from kpidesk.services.import_mapping import NewKpi, ProfileData
from kpidesk.services.importing import ImportResult, ScanResult, UndoResult
from kpidesk.ui.import_wizard.command import ImportCommand


@dataclass
class WizardState:
    """One run of the wizard, step by step: the file and its sheets (1), the sheet read in
    its layout (2), the profile found and the new KPIs defined on the mapping (3), the dry
    run (4), and the import with its undo (5)."""

    path: Path | None = None
    preview: WorkbookPreview | None = None
    scan: ScanResult | None = None
    profile: ProfileData | None = None
    defined: dict[str, NewKpi] = field(default_factory=dict)
    """A new KPI as the user defined it (Define…), by its label's key."""
    check: ImportResult | None = None
    result: ImportResult | None = None
    command: ImportCommand | None = None
    undo_result: UndoResult | None = None

    def forget_sheet(self) -> None:
        """Another file or sheet: what was read and checked of the last one is stale."""
        self.scan = None
        self.check = None
