"""No lost update in the editors: the KPI dialog, the goal editor, the targets dialog and the
suggested targets, a review's decisions, actions and comment, the Actions page's status.

Each editor reads a row; someone else (a second connection: a raw writer on the server, a
second connection to the file) changes it before the editor saves. The save is not applied
silently: the grid's conflict dialog names who changed what, and keep theirs stores nothing
of mine (the editor shows theirs), keep mine saves over theirs. On a file and on a server."""

from __future__ import annotations

import contextlib
import sqlite3
from types import SimpleNamespace

import psycopg
import pytest

from kpidesk.domain.periods import Period
from kpidesk.services import actions as action_service
from kpidesk.services import reviews as review_service
from kpidesk.services.actions import ActionData
from kpidesk.services.reviews import DecisionData
from kpidesk.store import models
from kpidesk.store.workspace import Workspace
from kpidesk.ui import team

CHOICES = [team.Choice.MINE, team.Choice.THEIRS]


def other_writes(location, statement: str, params: tuple = ()) -> None:
    """Someone else saves (their own connection, committed), one version on, as KPI Desk does."""
    if str(location).startswith("postgresql"):
        with psycopg.connect(str(location), autocommit=True) as other:
            other.execute(statement.replace("?", "%s"), params)
    else:
        with contextlib.closing(sqlite3.connect(location, timeout=10)) as other:
            other.execute(statement, params)
            other.commit()


@pytest.fixture
def answer(monkeypatch):
    """Answers the conflict dialog with ``answer.choice``; ``answer.asked`` the dialogs shown."""

    state = SimpleNamespace(choice=team.Choice.MINE, merged="", asked=[])

    def exec_(dialog):
        state.asked.append([label.text() for label in dialog.findChildren(team.QLabel)])
        dialog.choice = state.choice
        if state.merged:
            dialog.merged_edit.setPlainText(state.merged)
        return 1

    monkeypatch.setattr(team.ConflictDialog, "exec", exec_)
    return state


@pytest.fixture
def opened(window, demo_location):
    if str(demo_location).startswith("postgresql"):
        window.session.attach(Workspace.open(demo_location))
    else:
        window.open_workspace(demo_location)
    return window


def page_named(window, name):
    window.show_page(list(window.pages).index(name))
    return window.current_page()


def shown(answer) -> str:
    return " ".join(answer.asked[0])


@pytest.mark.parametrize("choice", CHOICES)
def test_kpi_editor(opened, demo_location, answer, monkeypatch, choice):
    answer.choice = choice
    page = page_named(opened, "kpis")
    page.select_kpi(1)
    opened_editors = []

    def edit(editor):
        opened_editors.append(editor.name_edit.text())
        if len(opened_editors) > 1:  # theirs kept: the editor again, holding theirs
            return False
        other_writes(
            demo_location,
            "UPDATE kpi SET name = ?, row_version = row_version + 1 WHERE id = 1",
            ("Their name",),
        )
        editor.name_edit.setText("My name")
        return True

    monkeypatch.setattr(page, "open_editor", edit)
    page.edit_selected()
    assert len(answer.asked) == 1
    assert "Their name" in shown(answer) and "My name" in shown(answer)
    assert "name:" in shown(answer)
    stored = models.Kpi.get_by_id(1).name
    if choice is team.Choice.MINE:
        assert stored == "My name" and len(opened_editors) == 1
        opened.action_undo.trigger()
        assert models.Kpi.get_by_id(1).name == "Their name"  # undo brings back what I replaced
    else:
        assert stored == "Their name"
        assert opened_editors[1] == "Their name"


def test_kpi_editor_unchanged_by_others_saves_without_asking(opened, answer, monkeypatch):
    page = page_named(opened, "kpis")
    page.select_kpi(1)

    def edit(editor):
        editor.owner_edit.setText("Sara")
        return True

    monkeypatch.setattr(page, "open_editor", edit)
    page.edit_selected()
    page.select_kpi(1)
    page.edit_selected()  # my own save: read again, no conflict with myself
    assert answer.asked == []
    assert models.Kpi.get_by_id(1).owner == "Sara"


@pytest.mark.parametrize("choice", CHOICES)
def test_goal_editor(opened, demo_location, answer, choice):
    answer.choice = choice
    page = page_named(opened, "goals")
    goal_id = page.selected_goal_id()
    assert goal_id is not None
    other_writes(
        demo_location,
        "UPDATE goal SET owner = ?, row_version = row_version + 1 WHERE id = ?",
        ("Their owner", goal_id),
    )
    page.owner_edit.setText("My owner")
    page.owner_edit.editingFinished.emit()
    assert len(answer.asked) == 1
    assert "Their owner" in shown(answer) and "My owner" in shown(answer)
    stored = models.Goal.get_by_id(goal_id).owner
    if choice is team.Choice.MINE:
        assert stored == "My owner"
    else:
        assert stored == "Their owner"
        assert page.owner_edit.text() == "Their owner"  # the editor shows theirs


@pytest.mark.parametrize("choice", CHOICES)
def test_actions_page_status(opened, demo_location, answer, choice):
    answer.choice = choice
    workspace = opened.session.workspace
    action_id = action_service.create_action(workspace, ActionData(title="Call the bank"))
    page = page_named(opened, "actions")
    page.refresh()
    other_writes(
        demo_location,
        "UPDATE action SET status = ?, row_version = row_version + 1 WHERE id = ?",
        ("in_progress", action_id),
    )
    page.set_status(action_id, "done")
    assert len(answer.asked) == 1
    assert "in_progress" in shown(answer) and "done" in shown(answer)
    stored = models.Action.get_by_id(action_id).status
    assert stored == ("done" if choice is team.Choice.MINE else "in_progress")


@pytest.fixture
def meeting(opened, monkeypatch):
    from tests.ui.test_reviews import start

    page = page_named(opened, "reviews")
    start(page, monkeypatch, period=Period.month(2026, 10), unit_names={"Luleå store"})
    return page.meeting


@pytest.mark.parametrize("choice", CHOICES)
def test_decision_editor(meeting, demo_location, answer, monkeypatch, choice):
    answer.choice = choice
    workspace = meeting.session.workspace
    decision_id = review_service.add_decision(
        workspace, meeting.review_id, DecisionData(text="Hire one more", decided_by="Karin")
    )
    meeting.reload()
    row = meeting._decision_row(decision_id)
    opened_editors = []

    def edit(editor):
        opened_editors.append(editor.text_edit.text())
        if len(opened_editors) > 1:
            return False
        other_writes(
            demo_location,
            "UPDATE decision SET text = ?, row_version = row_version + 1 WHERE id = ?",
            ("Hire two more", decision_id),
        )
        editor.text_edit.setText("Hire none")
        return True

    monkeypatch.setattr(meeting, "open_editor", edit)
    meeting.edit_decision(row)
    assert len(answer.asked) == 1
    assert "Hire two more" in shown(answer) and "Hire none" in shown(answer)
    stored = models.Decision.get_by_id(decision_id).text
    if choice is team.Choice.MINE:
        assert stored == "Hire none"
    else:
        assert stored == "Hire two more" and opened_editors[1] == "Hire two more"


@pytest.mark.parametrize("choice", CHOICES)
def test_action_editor_and_status_in_the_meeting(
    meeting, demo_location, answer, monkeypatch, choice
):
    answer.choice = choice
    workspace = meeting.session.workspace
    action_id = review_service.add_action(
        workspace, meeting.review_id, ActionData(title="Write a FAQ", owner="Ali")
    )
    meeting.reload()
    row = meeting._action_row(action_id)
    opened_editors = []

    def edit(editor):
        opened_editors.append(editor.owner_edit.text())
        if len(opened_editors) > 1:
            return False
        other_writes(
            demo_location,
            "UPDATE action SET owner = ?, row_version = row_version + 1 WHERE id = ?",
            ("Sara", action_id),
        )
        editor.owner_edit.setText("Karin")
        return True

    monkeypatch.setattr(meeting, "open_editor", edit)
    meeting.edit_action(row)
    assert len(answer.asked) == 1 and "Sara" in shown(answer) and "Karin" in shown(answer)
    stored = models.Action.get_by_id(action_id).owner
    assert stored == ("Karin" if choice is team.Choice.MINE else "Sara")
    if choice is team.Choice.THEIRS:
        assert opened_editors[1] == "Sara"

    # the status, as the record panel's list read it
    read = meeting._action_row(action_id).row_version
    other_writes(
        demo_location,
        "UPDATE action SET status = 'in_progress', row_version = row_version + 1 WHERE id = ?",
        (action_id,),
    )
    meeting.set_action_status(action_id, "done", read)
    assert len(answer.asked) == 2
    stored = models.Action.get_by_id(action_id).status
    assert stored == ("done" if choice is team.Choice.MINE else "in_progress")


@pytest.mark.parametrize("choice", [*CHOICES, team.Choice.MERGED])
def test_comment_is_checked_in_its_save(meeting, demo_location, answer, choice):
    answer.choice = choice
    kpi_id = meeting.agenda.items[0].kpi_id
    # someone saves a comment after I began typing mine (I read none)
    other_writes(
        demo_location,
        "INSERT INTO review_comment (review_id, kpi_id, text, author, created_at, uid,"
        " row_version) VALUES (?, ?, 'theirs', 'anna', '2026-10-01 10:00:00', ?, 1)",
        (meeting.review_id, kpi_id, uid_value(demo_location)),
    )
    answer.merged = "theirs, and mine" if choice is team.Choice.MERGED else ""
    meeting.set_comment(kpi_id, "mine", read_text="")
    assert len(answer.asked) == 1
    stored = review_service.comment_text(meeting.review_id, kpi_id)
    expected = {
        team.Choice.MINE: "mine",
        team.Choice.THEIRS: "theirs",
        team.Choice.MERGED: "theirs, and mine",
    }[choice]
    assert stored == expected


def uid_value(location):
    import uuid

    return str(uuid.uuid4()) if str(location).startswith("postgresql") else uuid.uuid4().bytes


@pytest.mark.parametrize("choice", CHOICES)
def test_targets_dialog(opened, demo_location, answer, choice):
    from kpidesk.ui.target_dialog import TargetDialog

    answer.choice = choice
    dialog = TargetDialog(opened.session, 1, 3, Period.month(2026, 10), parent=opened)
    assert dialog.suggest()
    dialog.suggestion_buttons[0].setChecked(True)
    dialog._select(dialog.apply_from, "2026-11")
    dialog._select(dialog.apply_to, "2026-12")
    other_writes(
        demo_location,
        "INSERT INTO target (kpi_id, unit_id, period, value, uid, row_version)"
        " VALUES (1, 3, '2026-12', 4242, ?, 1)",
        (uid_value(demo_location),),
    )
    saved = dialog.apply_suggestion()
    assert len(answer.asked) == 1 and "4" in shown(answer)
    stored = {
        t.period: t.value
        for t in models.Target.select().where((models.Target.kpi == 1) & (models.Target.unit == 3))
    }
    if choice is team.Choice.MINE:
        assert saved and stored["2026-11"] == stored["2026-12"] != 4242
    else:
        assert not saved and stored["2026-12"] == 4242
    dialog.close()


@pytest.mark.parametrize("choice", CHOICES)
def test_suggested_targets(opened, demo_location, answer, choice):
    from kpidesk.ui.suggested_targets import SuggestedTargetsDialog

    answer.choice = choice
    other_writes(demo_location, "DELETE FROM target WHERE kpi_id = 1")
    dialog = SuggestedTargetsDialog(opened.session, opened)
    proposal = next(p for p in dialog.proposals if p.kpi_id == 1)
    dialog.set_checked({1})
    key = proposal.changes[-1].key
    other_writes(  # someone sets one of those targets while the dialog is open
        demo_location,
        "INSERT INTO target (kpi_id, unit_id, period, value, uid, row_version)"
        " VALUES (?, ?, ?, 4242, ?, 1)",
        (*key, uid_value(demo_location)),
    )
    saved = dialog.apply()
    assert len(answer.asked) == 1
    stored = models.Target.get(kpi=key[0], unit=key[1], period=key[2]).value
    if choice is team.Choice.MINE:
        assert saved and stored == proposal.changes[-1].value
        assert models.Target.select().where(models.Target.kpi == 1).count() == len(proposal.changes)
    else:
        assert not saved and stored == 4242
        assert models.Target.select().where(models.Target.kpi == 1).count() == 1
    dialog.close()
