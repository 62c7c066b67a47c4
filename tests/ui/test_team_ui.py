"""The team in the app, against a real server: each role sees what it may do (and is told
why the rest is off), an admin manages people in Workspace → People, and a value someone else
saved while it was being typed asks keep theirs or keep mine instead of overwriting."""

from __future__ import annotations

import itertools
import os

import psycopg
import pytest

from kpidesk.domain.periods import Period
from kpidesk.services import people
from kpidesk.store import models
from kpidesk.store.access import Role
from kpidesk.store.workspace import Workspace
from kpidesk.ui import team
from tests.ui.test_data_page import row_of

_names = itertools.count(1)


@pytest.fixture
def demo_url(demo_file, pg_url):
    from kpidesk.services.servers import publish

    publish(demo_file, pg_url)
    return pg_url


def login(pg_server, url, role, units=()):
    name = f"{role}-{os.getpid()}-{next(_names)}"
    people.add_person_at(url, name, role, list(units))
    return pg_server.url(url.rsplit("/", 1)[1], user=name)


def open_data_page(window, url, unit_id):
    window.session.attach(Workspace.open(url))
    window.session.set_period(Period.month(2026, 10))
    window.session.set_unit(unit_id)
    window.show_page(list(window.pages).index("data"))
    return window.current_page()


def test_an_updater_sees_their_role_and_writes_their_units_only(window, pg_server, demo_url):
    url = login(pg_server, demo_url, "updater", ["Luleå store"])
    page = open_data_page(window, url, 3)
    banner = window.findChild(team.MessageBar, "roleBanner")
    assert banner is not None and "updater" in banner.text and "Luleå store" in banner.text
    assert not window.team.action_people.isEnabled()
    assert not window.action_units.isEnabled()
    last = len(page.grid.periods) - 1
    assert page.model.editable(row_of(page, "REV"), last)
    window.session.set_unit(2)  # Umeå store: not theirs
    assert not page.model.editable(row_of(page, "REV"), last)
    window.show_page(list(window.pages).index("kpis"))
    assert not window.current_page().new_button.isEnabled()
    window.grab().save(str(os.environ.get("KPIDESK_SHOTS", "/tmp")) + "/team-updater.png")


def test_a_viewer_changes_nothing(window, pg_server, demo_url):
    url = login(pg_server, demo_url, "viewer")
    page = open_data_page(window, url, 3)
    assert window.session.read_only
    assert not page.model.editable(row_of(page, "REV"), len(page.grid.periods) - 1)
    assert not window.action_import.isEnabled()


def test_an_admin_adds_and_removes_people_in_the_dialog(window, pg_server, demo_url, qtbot):
    url = login(pg_server, demo_url, "admin")
    window.session.attach(Workspace.open(url))
    assert window.team.action_people.isEnabled()
    assert window.session.access.role is Role.ADMIN
    dialog = window.team.open_people()
    qtbot.addWidget(dialog)
    name = f"märta 'o {os.getpid()}"
    dialog.name_edit.setText(name)
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("updater"))
    assert not dialog.add_person()  # an updater needs units
    assert "units" in dialog.error_label.text()
    for i in range(dialog.units_list.count()):
        item = dialog.units_list.item(i)
        if item.data(team.Qt.ItemDataRole.UserRole) == "Online shop":
            item.setCheckState(team.Qt.CheckState.Checked)
    assert dialog.add_person()
    shown = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert name in shown
    dialog.grab().save(str(os.environ.get("KPIDESK_SHOTS", "/tmp")) + "/team-people.png")
    dialog.table.selectRow(shown.index(name))
    assert dialog.remove_selected()
    assert name not in {row.name for row in people.people_at(demo_url)}


@pytest.mark.parametrize("choice", [team.Choice.MINE, team.Choice.THEIRS])
def test_a_value_saved_by_someone_else_meanwhile_asks_what_to_keep(
    window, demo_url, monkeypatch, choice
):
    from tests.ui.test_data_page import type_into

    page = open_data_page(window, demo_url, 3)
    asked = []

    def answer(dialog):
        asked.append(dialog)
        dialog.choice = choice
        return 1

    monkeypatch.setattr(team.ConflictDialog, "exec", answer)
    row, column = row_of(page, "REV"), len(page.grid.periods) - 1
    with psycopg.connect(demo_url, autocommit=True) as other:  # saved while I was typing
        other.execute(
            "UPDATE measurement SET value = 555 WHERE kpi_id = 1 AND unit_id = 3"
            " AND period = '2026-10'"
        )
    type_into(page, row, column, "777")
    assert len(asked) == 1
    assert any("555" in label.text() for label in asked[0].findChildren(team.QLabel))
    stored = models.Measurement.get(kpi=1, unit=3, period="2026-10").value
    assert stored == (777.0 if choice is team.Choice.MINE else 555.0)


def test_a_comment_someone_else_saved_meanwhile_can_be_merged_by_hand(
    window, demo_copy, monkeypatch
):
    from kpidesk.services import reviews

    window.open_workspace(demo_copy)
    workspace = window.session.workspace
    review = models.Review.create(
        title="R", period="2026-10", participants="", status="open", snapshot="{}",
        created_at=models.utcnow(),
    )  # fmt: skip
    reviews.set_comment(workspace, review.id, 1, "theirs", "anna")
    asked = []

    def answer(dialog):
        asked.append(dialog)
        dialog.choice = team.Choice.MERGED
        assert "theirs" in dialog.merged_text and "mine" in dialog.merged_text
        dialog.merged_edit.setPlainText("theirs, and mine")
        return 1

    monkeypatch.setattr(team.ConflictDialog, "exec", answer)

    def save(text, read_text):
        return reviews.set_comment(workspace, review.id, 1, text, "me", read_text=read_text)

    saved, before = team.save_comment(window, save, "", "mine")  # I read no comment
    assert saved == "theirs, and mine" and before == ("theirs", "anna")
    assert reviews.comment_text(review.id, 1) == "theirs, and mine"
    saved, _before = team.save_comment(window, save, "theirs, and mine", "mine")  # nobody else
    assert saved == "mine" and reviews.comment_text(review.id, 1) == "mine"
    assert len(asked) == 1


def test_a_kpis_history_shows_who_changed_what_and_exports(window, demo_copy, tmp_path):
    from kpidesk.services import data_entry
    from kpidesk.services.data_entry import CellChange

    window.settings.author_name = "Märta Ek"
    window.open_workspace(demo_copy)
    data_entry.set_values(window.session.workspace, [CellChange(1, 3, "2026-10", 1.0)])
    window.show_page(list(window.pages).index("kpis"))
    page = window.current_page()
    page.table.selectRow(0)
    dialog = page.show_history()
    assert dialog is not None
    first = [dialog.table.item(0, column).text() for column in range(5)]
    assert first[1] == "Märta Ek" and first[3] == "changed" and "value:" in first[4]
    dialog.grab().save(str(os.environ.get("KPIDESK_SHOTS", "/tmp")) + "/team-history.png")
    rows = dialog.export_to(tmp_path / "history.csv")
    assert rows >= 1 and "Märta Ek" in (tmp_path / "history.csv").read_text(encoding="utf-8")
    dialog.close()
