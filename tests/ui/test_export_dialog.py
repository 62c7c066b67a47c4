"""File → Export: choices, every format written from the dialog, errors inline, Cancel."""

from __future__ import annotations

import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt

from kpidesk.domain.periods import Period
from kpidesk.services.exports import ExportFormat, ExportResult
from kpidesk.services.progress import Cancelled
from kpidesk.ui import export_dialog
from kpidesk.ui.export_dialog import ExportDialog


@pytest.fixture
def dialog(window, demo_copy, qtbot):
    window.open_workspace(demo_copy)
    dialog = ExportDialog(window.session, window)
    qtbot.addWidget(dialog)
    yield dialog
    dialog.cancel()
    dialog.wait_until_idle()


def run(dialog, qtbot, timeout=60000) -> None:
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=timeout)
    dialog.wait_until_idle()


def test_defaults_follow_the_session(dialog, demo_copy):
    assert dialog.format is ExportFormat.PACK
    assert dialog.period == Period.month(2026, 10)
    assert dialog.unit_ids == [dialog.session.context.unit_id]
    assert dialog.language == "en"
    assert dialog.destination == demo_copy.parent / "Solbacka Hem AB review pack 2026-10.xlsx"
    dialog.set_format(ExportFormat.TEMPLATE)
    assert len(dialog.unit_ids) == 4  # the stores, where data is entered
    assert dialog.destination.name == "Solbacka Hem AB data template 2026-10.xlsx"
    assert dialog.prefill_check.isVisibleTo(dialog)
    dialog.set_format(ExportFormat.CSV)
    assert not dialog.units_list.isEnabled() and not dialog.period_combo.isEnabled()


def test_pack_from_the_dialog_runs_off_the_gui_thread(dialog, qtbot, tmp_path, monkeypatch):
    threads = []
    original = export_dialog.exports.prepare

    def spying_prepare(*args, **kwargs):
        threads.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(export_dialog.exports, "prepare", spying_prepare)
    destination = tmp_path / "pack.xlsx"
    dialog.set_destination(destination)
    dialog.set_language("sv")
    with qtbot.waitSignal(dialog.exported, timeout=60000) as signal:
        dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    assert threads and threads[0] != threading.get_ident()
    result = signal.args[0]
    assert isinstance(result, ExportResult) and result.count == 13
    assert "Styrkort" in openpyxl.load_workbook(destination).sheetnames
    assert str(destination) in dialog.status_label.text()
    assert dialog.open_button.isVisibleTo(dialog)
    opened = []
    monkeypatch.setattr(export_dialog, "open_result", opened.append)
    dialog.open_button.click()
    assert opened == [destination]


def test_template_csv_pdf_and_charts(dialog, qtbot, tmp_path):
    dialog.set_format(ExportFormat.TEMPLATE)
    dialog.prefill_check.setChecked(True)
    dialog.set_destination(tmp_path / "template.xlsx")
    run(dialog, qtbot)
    assert dialog.result is not None and dialog.result.count == 52
    sheet = openpyxl.load_workbook(tmp_path / "template.xlsx").worksheets[0]
    assert sheet["D2"].value is not None

    dialog.set_format(ExportFormat.CSV)
    dialog.set_destination(tmp_path / "all.csv")
    run(dialog, qtbot)
    assert dialog.result.format is ExportFormat.CSV and dialog.result.count > 1000
    assert (tmp_path / "all.csv").read_text(encoding="utf-8").startswith("kpi_code,")

    dialog.set_format(ExportFormat.PDF)
    dialog.set_destination(tmp_path / "report.pdf")
    run(dialog, qtbot)
    assert dialog.error_label.text() == ""
    assert dialog.result.format is ExportFormat.PDF and dialog.result.count == 18
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")

    dialog.set_format(ExportFormat.CHARTS)
    dialog.image_combo.setCurrentIndex(dialog.image_combo.findData(".svg"))
    dialog.set_destination(tmp_path / "charts")
    run(dialog, qtbot)
    assert dialog.result.count == 13
    assert (tmp_path / "charts" / "REV Revenue.svg").is_file()
    leftovers = [p.name for p in tmp_path.rglob("*partial*")]
    assert leftovers == []


def test_choose_uses_the_replaceable_save_dialog(dialog, tmp_path, monkeypatch):
    asked = []

    def answer(parent, kind, suggested):
        asked.append((kind, suggested.name))
        return tmp_path / "chosen.xlsx"

    monkeypatch.setattr(export_dialog, "choose_destination", answer)
    dialog.browse_button.click()
    assert asked == [(ExportFormat.PACK, "Solbacka Hem AB review pack 2026-10.xlsx")]
    assert dialog.destination == tmp_path / "chosen.xlsx"
    dialog.set_format(ExportFormat.PDF)
    assert dialog.destination == tmp_path / "chosen.pdf"


def test_problems_show_inside_the_dialog(dialog, qtbot, tmp_path):
    dialog.set_destination(tmp_path / "missing" / "pack.xlsx")
    run(dialog, qtbot)
    assert "Could not write" in dialog.error_label.text()
    assert dialog.error_label.isVisibleTo(dialog)
    dialog.set_unit_ids([])
    dialog.export_button.click()
    assert "at least one unit" in dialog.error_label.text()
    dialog.set_unit_ids([1])
    dialog.path_edit.clear()
    dialog.export_button.click()
    assert "where to save" in dialog.error_label.text()
    assert not dialog.busy


def test_cancel_stops_the_work_and_writes_nothing(dialog, qtbot, tmp_path, monkeypatch):
    started = threading.Event()

    def slow_write(prepared, *, progress, cancelled, **_kwargs):
        started.set()
        for step in range(2000):
            progress(step, 2000)
            if cancelled():
                raise Cancelled()
            time.sleep(0.005)
        raise AssertionError("not cancelled")

    monkeypatch.setattr(export_dialog.exports, "write", slow_write)
    out = tmp_path / "out"
    out.mkdir()
    dialog.set_destination(out / "pack.xlsx")
    dialog.export_button.click()
    assert dialog.busy and not dialog.export_button.isEnabled()
    assert dialog.close_button.text() == "Cancel"
    assert started.wait(20)
    qtbot.waitUntil(lambda: dialog.progress_bar.maximum() == 2000, timeout=10000)
    dialog.close_button.click()  # Cancel while busy: stops, does not close
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    dialog.wait_until_idle()
    assert "Cancelled" in dialog.status_label.text()
    assert dialog.result is None
    assert list(out.iterdir()) == []
    assert dialog.close_button.text() == "Close"


def test_a_review_exports_its_own_pack(window, demo_copy, qtbot, tmp_path):
    pytest.importorskip("kpidesk.services.reviews")
    window.open_workspace(demo_copy)
    dialog = ExportDialog(window.session, window, review_id=1)
    qtbot.addWidget(dialog)
    assert set(dialog.format_buttons) == {ExportFormat.PACK, ExportFormat.PDF, ExportFormat.CHARTS}
    assert not dialog.units_list.isEnabled()
    dialog.set_destination(tmp_path / "review.xlsx")
    run(dialog, qtbot)
    assert dialog.error_label.text() == "", dialog.error_label.text()
    book = openpyxl.load_workbook(tmp_path / "review.xlsx")
    assert book["Overview"]["B3"].value.startswith("Monthly review")
    assert "Comments" in book.sheetnames


def test_units_can_be_chosen(dialog, qtbot, tmp_path):
    items = [dialog.units_list.item(i) for i in range(dialog.units_list.count())]
    for item in items:
        item.setCheckState(Qt.CheckState.Checked if "store" in item.text() else
                           Qt.CheckState.Unchecked)  # fmt: skip
    assert len(dialog.unit_ids) == 3
    dialog.set_destination(tmp_path / "stores.xlsx")
    run(dialog, qtbot)
    with zipfile.ZipFile(tmp_path / "stores.xlsx") as archive:
        assert sum(n.startswith("xl/charts/chart") for n in archive.namelist()) == 39


def test_path_is_a_path(tmp_path):
    assert isinstance(tmp_path, Path)
