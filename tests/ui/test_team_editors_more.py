# ruff: noqa: F811  (the fixtures answer and opened are test_team_editors')
"""No lost update in the rest of the editors: the links of KPIs to goals (the KPI dialog and
the Goals page), target paths, a unit's settings and a review's details.

As in :mod:`tests.ui.test_team_editors`: someone else (a raw second connection) saves
between the editor's read and its save; the save asks, keep theirs stores nothing of mine,
keep mine saves over theirs. On a file and on a server."""

from __future__ import annotations

import pytest

from kpidesk.services import goals as goal_service
from kpidesk.services import kpis as kpi_service
from kpidesk.services.conflicts import ConflictError
from kpidesk.store import models
from kpidesk.ui import team
from tests.ui.test_team_editors import (  # noqa: F401
    CHOICES,
    answer,
    meeting,
    opened,
    other_writes,
    page_named,
    shown,
)


def links_of_kpi(kpi_id: int) -> set[int]:
    return {row.goal_id for row in models.KpiGoal.select().where(models.KpiGoal.kpi == kpi_id)}


def unlinked_goal(kpi_id: int) -> models.Goal:
    linked = links_of_kpi(kpi_id)
    return next(
        goal for goal in models.Goal.select().order_by(models.Goal.id) if goal.id not in linked
    )


@pytest.mark.parametrize("choice", CHOICES)
def test_kpi_dialog_goals(opened, demo_location, answer, monkeypatch, choice):
    answer.choice = choice
    page = page_named(opened, "kpis")
    page.select_kpi(1)
    theirs_goal, mine_goal = [
        goal
        for goal in models.Goal.select().order_by(models.Goal.id)
        if goal.id not in links_of_kpi(1)
    ][:2]
    read = links_of_kpi(1)
    opened_editors = []

    def edit(editor):
        opened_editors.append(set(editor.goal_ids()))
        if len(opened_editors) > 1:
            return False
        other_writes(
            demo_location,
            "INSERT INTO kpi_goal (kpi_id, goal_id) VALUES (?, ?)",
            (1, theirs_goal.id),
        )
        monkeypatch.setattr(editor, "goal_ids", lambda: [*read, mine_goal.id])
        return True

    monkeypatch.setattr(page, "open_editor", edit)
    page.edit_selected()
    assert len(answer.asked) == 1
    assert "goals:" in shown(answer)
    assert theirs_goal.title in shown(answer) and mine_goal.title in shown(answer)
    if choice is team.Choice.MINE:
        assert links_of_kpi(1) == read | {mine_goal.id}
        opened.action_undo.trigger()
        assert links_of_kpi(1) == read | {theirs_goal.id}  # undo brings back theirs
    else:
        assert links_of_kpi(1) == read | {theirs_goal.id}
        assert opened_editors[1] == read | {theirs_goal.id}  # the editor again, with theirs


@pytest.mark.parametrize("choice", CHOICES)
def test_goals_page_kpi_links(opened, demo_location, answer, choice):
    answer.choice = choice
    page = page_named(opened, "goals")
    goal_id = page.selected_goal_id()
    linked = {row.kpi_id for row in models.KpiGoal.select().where(models.KpiGoal.goal == goal_id)}
    free = [kpi for kpi in models.Kpi.select().order_by(models.Kpi.id) if kpi.id not in linked]
    theirs_kpi, mine_kpi = free[0], free[1]
    other_writes(
        demo_location,
        "INSERT INTO kpi_goal (kpi_id, goal_id) VALUES (?, ?)",
        (theirs_kpi.id, goal_id),
    )
    items = [page.kpi_list.item(i) for i in range(page.kpi_list.count())]
    item = next(i for i in items if i.data(team.Qt.ItemDataRole.UserRole) == mine_kpi.id)
    item.setCheckState(team.Qt.CheckState.Checked)
    assert len(answer.asked) == 1
    assert theirs_kpi.code in shown(answer) and mine_kpi.code in shown(answer)
    now = {row.kpi_id for row in models.KpiGoal.select().where(models.KpiGoal.goal == goal_id)}
    if choice is team.Choice.MINE:
        assert now == linked | {mine_kpi.id}
    else:
        assert now == linked | {theirs_kpi.id}
        checked = {
            i.data(team.Qt.ItemDataRole.UserRole)
            for i in (page.kpi_list.item(n) for n in range(page.kpi_list.count()))
            if i.checkState() == team.Qt.CheckState.Checked
        }
        assert checked == linked | {theirs_kpi.id}  # the list shows theirs


def test_link_services_refuse_a_changed_set(opened, demo_location):
    workspace = opened.session.workspace
    goal = unlinked_goal(1)
    read = links_of_kpi(1)
    other_writes(
        demo_location, "INSERT INTO kpi_goal (kpi_id, goal_id) VALUES (?, ?)", (1, goal.id)
    )
    with pytest.raises(ConflictError) as raised:
        kpi_service.set_kpi_goals(workspace, 1, set(), read_goals=read)
    assert raised.value.conflicts[0].theirs == {"goals": kpi_service.goal_names(read | {goal.id})}
    assert links_of_kpi(1) == read | {goal.id}  # nothing of mine saved
    with pytest.raises(ConflictError):
        goal_service.set_goal_kpis(workspace, goal.id, set(), read_kpis=set())
    kpi_service.set_kpi_goals(workspace, 1, set(), read_goals=read | {goal.id})
    assert links_of_kpi(1) == set()


def a_path(opened) -> tuple[int, int]:
    """KPI 1's path for unit 3, saved by me (in the session's workspace)."""
    from kpidesk.services import targets as target_service
    from kpidesk.services.targets import PathData

    target_service.set_target_path(
        opened.session.workspace, 1, 3, PathData("2026-01", 100.0, "2026-12", 200.0)
    )
    return 1, 3


def stored_path():
    from kpidesk.services import targets as target_service

    return target_service.target_path(1, 3)


@pytest.mark.parametrize("choice", CHOICES)
def test_target_path_saved(opened, demo_location, answer, choice):
    from kpidesk.domain.periods import Period
    from kpidesk.ui.target_dialog import TargetDialog

    answer.choice = choice
    a_path(opened)
    dialog = TargetDialog(opened.session, 1, 3, Period.month(2026, 10), parent=opened)
    other_writes(
        demo_location,
        "UPDATE target_path SET goal_value = 4242, row_version = row_version + 1"
        " WHERE kpi_id = 1 AND unit_id = 3",
    )
    dialog.goal_value.setText("777")
    saved = dialog.save_path()
    assert len(answer.asked) == 1
    assert "goal_value:" in shown(answer)
    assert "4" in shown(answer) and "777" in shown(answer)
    if choice is team.Choice.MINE:
        assert saved and stored_path().goal_value == 777
        opened.action_undo.trigger()
        assert stored_path().goal_value == 4242  # undo brings back theirs
    else:
        assert not saved and stored_path().goal_value == 4242
        assert dialog.goal_value.text() == "4242"  # the dialog shows theirs
    dialog.close()


@pytest.mark.parametrize("choice", CHOICES)
def test_target_path_removed_after_they_changed_it(opened, demo_location, answer, choice):
    from kpidesk.domain.periods import Period
    from kpidesk.ui.target_dialog import TargetDialog

    answer.choice = choice
    a_path(opened)
    dialog = TargetDialog(opened.session, 1, 3, Period.month(2026, 10), parent=opened)
    other_writes(
        demo_location,
        "UPDATE target_path SET goal_value = 4242, row_version = row_version + 1"
        " WHERE kpi_id = 1 AND unit_id = 3",
    )
    removed = dialog.remove_path()
    assert len(answer.asked) == 1 and "4" in shown(answer)
    if choice is team.Choice.MINE:
        assert removed and stored_path() is None
    else:
        assert not removed and stored_path().goal_value == 4242
    dialog.close()


def test_target_path_they_removed_is_not_saved_over_silently(opened, demo_location, answer):
    from kpidesk.domain.periods import Period
    from kpidesk.ui.target_dialog import TargetDialog

    answer.choice = team.Choice.THEIRS
    a_path(opened)
    dialog = TargetDialog(opened.session, 1, 3, Period.month(2026, 10), parent=opened)
    other_writes(demo_location, "DELETE FROM target_path WHERE kpi_id = 1 AND unit_id = 3")
    dialog.goal_value.setText("777")
    assert not dialog.save_path()
    assert len(answer.asked) == 1 and stored_path() is None
    dialog.close()


def units_dialog(opened):
    from kpidesk.ui.units_dialog import UnitsDialog

    return UnitsDialog(opened.session, opened)


def two_units() -> tuple[models.Unit, models.Unit]:
    """Two units under the top unit."""
    below = models.Unit.select().where(models.Unit.parent.is_null(False)).order_by(models.Unit.id)
    return below[0], below[1]


@pytest.mark.parametrize("choice", CHOICES)
def test_unit_renamed(opened, demo_location, answer, choice):
    answer.choice = choice
    dialog = units_dialog(opened)
    unit = two_units()[0]
    other_writes(
        demo_location,
        "UPDATE unit SET name = ?, row_version = row_version + 1 WHERE id = ?",
        ("Their unit", unit.id),
    )
    saved = dialog.rename_unit(unit.id, "My unit")
    assert len(answer.asked) == 1
    assert "name:" in shown(answer)
    assert "Their unit" in shown(answer) and "My unit" in shown(answer)
    stored = models.Unit.get_by_id(unit.id).name
    if choice is team.Choice.MINE:
        assert saved and stored == "My unit"
        opened.action_undo.trigger()
        assert models.Unit.get_by_id(unit.id).name == "Their unit"
    else:
        assert not saved and stored == "Their unit"
        assert dialog.tree.item_for(unit.id).text(0) == "Their unit"  # the tree shows theirs
    dialog.close()


@pytest.mark.parametrize("choice", CHOICES)
def test_unit_moved(opened, demo_location, answer, choice):
    answer.choice = choice
    dialog = units_dialog(opened)
    unit, root = two_units()  # root: the unit it moves under
    before_parent = unit.parent_id
    other_writes(
        demo_location,
        "UPDATE unit SET name = ?, row_version = row_version + 1 WHERE id = ?",
        ("Their unit", unit.id),
    )
    saved = dialog.move_unit(unit.id, root.id, None)
    assert len(answer.asked) == 1
    assert "parent:" in shown(answer) and root.name in shown(answer)
    stored = models.Unit.get_by_id(unit.id)
    if choice is team.Choice.MINE:
        assert saved and stored.parent_id == root.id and stored.name == "Their unit"
    else:
        assert not saved and stored.parent_id == before_parent
    dialog.close()


def test_unit_unchanged_by_others_renames_without_asking(opened, answer):
    dialog = units_dialog(opened)
    unit = two_units()[0]
    assert dialog.rename_unit(unit.id, "Mine once")
    assert dialog.rename_unit(unit.id, "Mine twice")  # my own save: read again
    assert answer.asked == []
    assert models.Unit.get_by_id(unit.id).name == "Mine twice"
    dialog.close()


@pytest.mark.parametrize("choice", CHOICES)
def test_review_details(meeting, demo_location, answer, choice):
    answer.choice = choice
    review_id = meeting.review_id
    other_writes(
        demo_location,
        "UPDATE review SET participants = ?, row_version = row_version + 1 WHERE id = ?",
        ("Their people", review_id),
    )
    meeting.participants_edit.setText("My people")
    meeting.participants_edit.editingFinished.emit()
    assert len(answer.asked) == 1
    assert "participants:" in shown(answer)
    assert "Their people" in shown(answer) and "My people" in shown(answer)
    stored = models.Review.get_by_id(review_id).participants
    if choice is team.Choice.MINE:
        assert stored == "My people"
        meeting.window().action_undo.trigger()
        assert models.Review.get_by_id(review_id).participants == "Their people"
    else:
        assert stored == "Their people"
        assert meeting.participants_edit.text() == "Their people"  # the fields show theirs


def test_review_details_unchanged_by_others_save_without_asking(meeting, answer):
    review_id = meeting.review_id
    for text in ("Karin", "Karin, Olle"):
        meeting.participants_edit.setText(text)
        meeting.participants_edit.editingFinished.emit()
    assert answer.asked == []
    assert models.Review.get_by_id(review_id).participants == "Karin, Olle"
