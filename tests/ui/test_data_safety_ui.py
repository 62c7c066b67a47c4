"""The app's side of issue #15: every save dialog passes the output guard, and a damaged
workspace is never opened for writing but offers read-only opening and a restore."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from kpidesk.services.backups import backup_dir_for, create_backup
from kpidesk.services.exports import ExportFormat
from kpidesk.ui import dialogs
from kpidesk.ui.widgets import MessageKind
from tests.safety import damage_an_index, sha256


def buttons(bar):
    from PySide6.QtWidgets import QPushButton

    return {button.text(): button for button in bar.findChildren(QPushButton)}


def test_a_damaged_workspace_offers_read_only_and_restore(window, demo_copy, monkeypatch):
    create_backup(demo_copy)
    damage_an_index(demo_copy)
    damaged = sha256(demo_copy)

    assert not window.open_workspace(demo_copy)
    assert not window.session.is_open and sha256(demo_copy) == damaged
    [bar] = window.messages()
    assert bar.kind is MessageKind.ERROR and "is damaged" in bar.text
    assert "restored from its backup" in bar.text
    offered = buttons(bar)
    assert set(offered) == {"Open read-only", "Restore from a backup…"}

    offered["Open read-only"].click()
    assert window.session.is_open and window.session.read_only
    assert sha256(demo_copy) == damaged  # looked at, never written
    [warning] = [bar for bar in window.messages() if bar.isVisible()]
    assert warning.kind is MessageKind.WARNING and "read-only" in warning.text

    chosen = {}
    monkeypatch.setattr(
        window, "open_restore_dialog", lambda dialog: chosen.setdefault("path", _first(demo_copy))
    )
    buttons(warning)["Restore from a backup…"].click()
    assert window.session.is_open and not window.session.read_only
    [aside] = list(demo_copy.parent.glob(f"{demo_copy.name}.damaged-*"))
    assert sha256(aside) == damaged
    assert any(aside.name in bar.text for bar in window.messages())


def _first(workspace):
    from kpidesk.services.backups import list_backups

    return list_backups(workspace)[0].path


def test_without_a_backup_only_read_only_is_offered(window, demo_copy):
    damage_an_index(demo_copy)
    assert not window.open_workspace(demo_copy)
    [bar] = window.messages()
    assert "There is no backup of it" in bar.text
    assert set(buttons(bar)) == {"Open read-only"}


@pytest.mark.skipif(sys.platform == "win32", reason="hard links")
def test_the_export_dialog_refuses_a_workspace_or_a_backup(window, demo_copy, qtbot, tmp_path):
    from kpidesk.ui.export_dialog import ExportDialog

    window.open_workspace(demo_copy)
    dialog = ExportDialog(window.session, window)
    qtbot.addWidget(dialog)
    alias = tmp_path / "alias.xlsx"
    os.link(demo_copy, alias)
    before = sha256(demo_copy)
    dialog.set_format(ExportFormat.PACK)
    dialog.set_destination(alias)
    dialog.start()
    assert "workspace itself" in dialog.error_label.text() and not dialog.busy
    copy = create_backup(demo_copy)
    dialog.set_format(ExportFormat.CSV)
    dialog.set_destination(copy.with_suffix(".csv"))
    dialog.start()
    assert "backups folder" in dialog.error_label.text() and not dialog.busy
    assert sha256(demo_copy) == before and not copy.with_suffix(".csv").exists()


def test_save_a_copy_and_new_refuse_workspaces_and_backups(
    window, demo_copy, tmp_path, monkeypatch
):
    other = tmp_path / "other.kpidesk"
    shutil.copyfile(demo_copy, other)
    before = sha256(other)
    window.open_workspace(demo_copy)
    assert not window.save_copy_to(other)
    assert "is a KPI Desk workspace" in window.messages()[-1].text
    assert sha256(other) == before
    folder = backup_dir_for(demo_copy)
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(
        dialogs, "ask_new_workspace", lambda parent, start=None: folder / "fresh.kpidesk"
    )
    window.new_workspace()
    assert "backups folder" in window.messages()[-1].text
    assert not (folder / "fresh.kpidesk").exists()


def test_the_chart_is_saved_whole_and_never_into_the_backups(window, demo_copy, tmp_path):
    from kpidesk.store import models
    from kpidesk.ui.charts import open_kpi_chart

    window.open_workspace(demo_copy)
    revenue = models.Kpi.get(models.Kpi.code == "REV").id
    chart = open_kpi_chart(window.session, revenue, parent=window)
    images = tmp_path / "images"
    images.mkdir()
    saved = chart.export(images / "rev.png")
    assert saved == images / "rev.png" and saved.read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in images.iterdir()) == ["rev.png"]
    folder = create_backup(demo_copy).parent
    assert chart.export(folder / "rev.png") is None
    assert "backups folder" in chart.statusBar().currentMessage()
    assert not (folder / "rev.png").exists()
