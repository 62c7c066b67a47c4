"""File → Merge a Copy…: the conflict dialog, resolving per item and all at once, the merge
off the GUI thread and on the undo stack."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kpidesk.services.data_entry import CellChange, set_values
from kpidesk.services.merge import Prefer, merge_copy
from kpidesk.store import models
from kpidesk.store.workspace import Workspace
from kpidesk.ui import merge_dialog
from kpidesk.ui.merge_dialog import ConflictDialog

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _set(path: Path, changes: dict[tuple[str, str, str], float]) -> None:
    workspace = Workspace.open(path, bind=False)
    try:
        with workspace.bound():
            cells = []
            for (code, unit, period), value in changes.items():
                kpi = models.Kpi.get(models.Kpi.code == code)
                unit_row = models.Unit.get(models.Unit.name == unit)
                cells.append(CellChange(kpi.id, unit_row.id, period, value))
            set_values(workspace, cells)
    finally:
        workspace.close()


@pytest.fixture
def forked(demo_file, tmp_path):
    """Two plain copies: three cells changed differently, one only in the copy."""
    mine, theirs = tmp_path / "mine.kpidesk", tmp_path / "theirs.kpidesk"
    shutil.copy(demo_file, mine)
    shutil.copy(demo_file, theirs)
    cells = [("REV", "Luleå store", "2026-0" + str(month)) for month in (3, 4, 5)]
    _set(mine, {cell: 100.0 + n for n, cell in enumerate(cells)})
    _set(theirs, {cell: 200.0 + n for n, cell in enumerate(cells)})
    _set(theirs, {("REV", "Umeå store", "2026-05"): 999.0})
    return mine, theirs


def _report(mine: Path, theirs: Path):
    workspace = Workspace.open(mine, bind=False)
    try:
        return merge_copy(workspace, theirs, dry_run=True)
    finally:
        workspace.close()


def test_the_conflict_dialog_lists_both_versions_and_resolves(qtbot, forked):
    report = _report(*forked)
    assert len(report.conflicts) == 3
    dialog = ConflictDialog(report.conflicts, report.other)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 3
    first_mine = dialog.table.item(0, 1).text()
    first_theirs = dialog.table.item(0, 2).text()
    assert "100" in first_mine and "200" in first_theirs
    assert "Luleå store" in dialog.table.item(0, 0).text()
    assert "root" in first_mine or "\n" in first_mine  # who changed it, on its own line
    assert not dialog.merge_button.isEnabled()
    dialog.choose(0, Prefer.THEIRS)
    assert not dialog.merge_button.isEnabled()
    dialog.choose_all(Prefer.MINE)
    assert dialog.merge_button.isEnabled()
    dialog.choose(1, Prefer.THEIRS)
    choices = dialog.choices()
    assert sorted(choices.values()) == [Prefer.MINE, Prefer.MINE, Prefer.THEIRS]


def test_merge_a_copy_from_the_menu_and_undo_it(qtbot, window, forked, monkeypatch):
    mine, theirs = forked
    window.open_workspace(mine)
    monkeypatch.setattr(merge_dialog, "ask_copy", lambda parent: theirs)
    seen = []

    def resolve(parent, report):
        seen.append(report)
        return {(c.table, c.key): Prefer.THEIRS for c in report.conflicts}

    monkeypatch.setattr(merge_dialog, "resolve_conflicts", resolve)
    assert window.action_merge.isEnabled()
    window.action_merge.trigger()
    qtbot.waitUntil(
        lambda: window.merge_flow.report is not None and not window.merge_flow.running,
        timeout=20_000,
    )
    assert len(seen[0].conflicts) == 3
    assert window.merge_flow.report.applied == {"measurement": 4}

    def value(unit: str, period: str) -> float | None:
        kpi = models.Kpi.get(models.Kpi.code == "REV")
        row = models.Measurement.get_or_none(
            kpi=kpi.id, unit=models.Unit.get(name=unit).id, period=period
        )
        return row.value if row else None

    assert value("Luleå store", "2026-05") == 202.0
    assert value("Umeå store", "2026-05") == 999.0
    assert window.session.undo_stack.canUndo()
    window.action_undo.trigger()
    assert value("Luleå store", "2026-05") == 102.0
    assert value("Umeå store", "2026-05") != 999.0
    window.action_redo.trigger()
    assert value("Luleå store", "2026-05") == 202.0


@pytest.mark.parametrize("language", ["en", "sv"])
def test_screenshot_of_the_conflict_dialog(qtbot, forked, language, tmp_path):
    """Rendered to PNG; ``KPIDESK_SAVE_SCREENSHOTS=1`` writes docs/screenshots/ (kept out
    of ordinary runs, which must not change tracked files)."""
    from kpidesk import i18n

    previous = i18n.current_language()
    i18n.set_language(language)
    try:
        report = _report(*forked)
        dialog = ConflictDialog(report.conflicts, report.other)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.choose(0, Prefer.THEIRS)
        qtbot.wait(50)
        image = dialog.grab()
        assert image.width() > 600
        folder = SCREENSHOTS if os.environ.get("KPIDESK_SAVE_SCREENSHOTS") else tmp_path
        assert image.save(str(folder / f"merge-conflicts-{language}.png"))
    finally:
        i18n.set_language(previous)
