"""The reporting round end to end in the window: File → Collect Figures… writes a template
per owner (three owners), two are filled by writing their cells and imported back, the
Reporting page shows the third missing, and its reminder (mailto: and .ics) is right."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import openpyxl
import pytest
from PySide6.QtCore import QDate

from kpidesk.domain.periods import format_day
from kpidesk.io.round_stamp import read_stamp
from kpidesk.services.importing import ImportOptions, OnConflict, run_import
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

DUE = date.today() + timedelta(days=5)
"""Ahead of today, so the figures imported now are on time."""


@pytest.fixture
def three_owners(tmp_path):
    path = tmp_path / "Acme.kpidesk"
    with Workspace.create(path, "Acme AB", language="en") as workspace, workspace.atomic():
        root = models.Unit.get()
        for name in ("North", "South"):
            models.Unit.create(name=name, parent=root)
        for code, name, owner in (
            ("REV", "Revenue", "Anna Ek"),
            ("NPS", "Net Promoter Score", "Bo Lind"),
            ("SICK", "Sick leave", "cecilia@example.com"),
        ):
            models.Kpi.create(code=code, name=name, owner=owner, frequency="month")
    return path


def _fill(path, value):
    workbook = openpyxl.load_workbook(path)
    data = workbook.worksheets[0]
    for row in range(2, data.max_row + 1):
        data.cell(row=row, column=4).value = value
        value += 1
    workbook.save(path)


def test_the_whole_round(window, three_owners, tmp_path, qtbot, monkeypatch):
    from kpidesk.ui.collect_dialog import CollectDialog

    out = tmp_path / "out"
    out.mkdir()
    window.open_workspace(three_owners)
    dialog = CollectDialog(window.session, window)
    dialog.period_edit.setText("March 2026")
    dialog.due_edit.setDate(QDate(DUE.year, DUE.month, DUE.day))
    dialog.folder_edit.setText(str(out))
    assert dialog.write(), dialog.error.text()
    started = dialog.started
    assert [each.owner for each in started.files] == ["Anna Ek", "Bo Lind", "cecilia@example.com"]
    templates = {each.owner: each.path for each in started.files}
    for owner, path in templates.items():
        stamp = read_stamp(path)
        assert stamp is not None and (stamp.owner, stamp.period_key) == (owner, "2026-03")
        assert stamp.due_date == DUE
        workbook = openpyxl.load_workbook(path)
        data, instructions = workbook.worksheets
        assert data.protection.sheet and not data.cell(row=2, column=4).protection.locked
        assert data.cell(row=2, column=1).protection.locked
        # only this owner's KPI, for each unit without sub-units
        codes = {data.cell(row=row, column=2).value for row in range(2, data.max_row + 1)}
        units = {data.cell(row=row, column=3).value for row in range(2, data.max_row + 1)}
        assert len(codes) == 1 and units == {"North", "South"}
        assert owner in instructions.cell(row=3, column=2).value
        assert format_day(DUE, "en") in instructions.cell(row=3, column=2).value
        assert path.with_suffix(".ics").exists()

    # two owners fill theirs in (as a spreadsheet program would) and send them back
    _fill(templates["Anna Ek"], 1200)
    _fill(templates["Bo Lind"], 40)
    for owner in ("Anna Ek", "Bo Lind"):
        result = run_import(
            window.session.workspace,
            templates[owner],
            ImportOptions(on_conflict=OnConflict.REPLACE),
        )
        assert result.imported == 2, result.problems
        assert any(f"Recognised {owner}'s figures" in note.text for note in result.notes)
    window.session.dataChanged.emit()

    window.show_page(list(window.pages).index("reporting"))
    page = window.current_page()
    page.today = DUE + timedelta(days=2)
    page.folder = out
    page.refresh()
    assert page.stack.currentWidget() is page.table
    rows = {
        page.table.item(row, 0).text(): [
            page.table.item(row, column).text() for column in range(1, 6)
        ]
        for row in range(page.table.rowCount())
    }
    assert rows["Anna Ek"] == ["1", "1", "0", "✓ Delivered", ""]
    assert rows["Bo Lind"] == ["1", "1", "0", "✓ Delivered", ""]
    assert rows["cecilia@example.com"] == ["1", "0", "1", "✕ Late", "Sick leave"]
    assert "1 of 3 owners still to deliver" in page.summary.text()

    page.select_owner("cecilia@example.com")
    assert page.mail_button.isEnabled()
    note = page.reminder()
    parts = urlsplit(note.mailto)
    assert parts.scheme == "mailto" and unquote(parts.path) == "cecilia@example.com"
    query = parse_qs(parts.query)
    assert query["subject"] == [f"Figures for March 2026, due {format_day(DUE, 'en')}"]
    body = query["body"][0]
    assert "Acme AB figures 2026-03 cecilia@example.com.xlsx" in body
    assert "- Sick leave" in body and "\r\n" in body
    assert note.attachment == templates["cecilia@example.com"]

    opened = []
    monkeypatch.setattr("kpidesk.services.reporting.xdg_email_command", lambda _note: None)
    monkeypatch.setattr(
        "kpidesk.ui.pages.reporting.QDesktopServices.openUrl",
        lambda url: opened.append(url.toString(url.ComponentFormattingOption.FullyEncoded)),
    )
    page.remind_by_mail()
    assert opened and opened[0].startswith("mailto:cecilia@example.com?subject=Figures")

    saved = page.save_calendar_event(tmp_path / "reminder.ics")
    ics = saved.read_bytes().decode("utf-8")
    assert ics.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert f"DTSTART;VALUE=DATE:{DUE:%Y%m%d}\r\n" in ics
    assert f"DTEND;VALUE=DATE:{DUE + timedelta(days=1):%Y%m%d}\r\n" in ics
    assert "SUMMARY:cecilia@example.com: figures for March 2026 due\r\n" in ics
    assert ics.count("BEGIN:VEVENT") == 1 and ics.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    window.grab().save(str(tmp_path / "reporting.png"))
