"""Actions: validation, status with completion time, overdue against a given day, filters."""

from datetime import date, datetime

import pytest

from kpidesk.services import actions
from kpidesk.services.actions import ActionData, ActionError, ActionFilter, is_overdue
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

TODAY = date(2026, 11, 22)


@pytest.fixture
def ws(workspace_location):
    with Workspace.create(workspace_location, "Company") as workspace:
        with workspace.atomic():
            goal = models.Goal.create(title="Grow")
            kpi = models.Kpi.create(code="REV", name="Revenue")
            other = models.Kpi.create(code="CSAT", name="Satisfaction")
            review = models.Review.create(title="March review", period="2026-03")
        workspace.ids = {"goal": goal.id, "kpi": kpi.id, "other": other.id, "review": review.id}
        yield workspace


def test_overdue_means_unfinished_and_due_before_today():
    assert is_overdue(date(2026, 11, 21), "open", TODAY)
    assert is_overdue(date(2026, 1, 1), "in_progress", TODAY)
    assert not is_overdue(TODAY, "open", TODAY)  # due today is not late yet
    assert not is_overdue(date(2026, 1, 1), "done", TODAY)
    assert not is_overdue(date(2026, 1, 1), "cancelled", TODAY)
    assert not is_overdue(None, "open", TODAY)
    assert actions.days_overdue(date(2026, 11, 12), "open", TODAY) == 10
    assert actions.days_overdue(date(2026, 11, 12), "done", TODAY) == 0


def test_an_action_needs_a_title(ws):
    assert actions.validate_action(ActionData("  "))["title"].startswith("An action needs")
    with pytest.raises(ActionError):
        actions.create_action(ws, ActionData(""))
    with pytest.raises(ActionError):
        actions.create_action(ws, ActionData("Call", status="maybe"))
    assert models.Action.select().count() == 0


def test_status_done_sets_completed_at_and_undo_puts_it_back(ws):
    action_id = actions.create_action(ws, ActionData("Call the supplier", owner=" Ali "))
    assert models.Action.get_by_id(action_id).owner == "Ali"
    moment = datetime(2026, 11, 20, 14, 0)
    before = actions.set_status(ws, action_id, "done", now=moment)
    assert before.status == "open" and before.completed_at is None
    stored = models.Action.get_by_id(action_id)
    assert stored.status == "done" and stored.completed_at == moment
    actions.restore_status(ws, action_id, before)
    stored = models.Action.get_by_id(action_id)
    assert stored.status == "open" and stored.completed_at is None
    actions.set_status(ws, action_id, "done", now=moment)
    actions.set_status(ws, action_id, "in_progress")
    assert models.Action.get_by_id(action_id).completed_at is None
    with pytest.raises(ActionError):
        actions.set_status(ws, action_id, "finished")


def test_created_done_gets_a_completion_time_and_edits_keep_it(ws):
    moment = datetime(2026, 3, 1, 9, 0)
    action_id = actions.create_action(ws, ActionData("Already done", status="done"), now=moment)
    assert models.Action.get_by_id(action_id).completed_at == moment
    before = actions.update_action(ws, action_id, ActionData("Done, renamed", status="done"))
    assert before.title == "Already done"
    assert models.Action.get_by_id(action_id).completed_at == moment
    actions.update_action(ws, action_id, ActionData("Reopened", status="open"))
    assert models.Action.get_by_id(action_id).completed_at is None


def test_list_filters_and_order(ws):
    ids = ws.ids
    a = actions.create_action(
        ws,
        ActionData("Late", owner="Ali", due_date=date(2026, 11, 1), kpi_id=ids["kpi"]),
        ids["review"],
    )
    b = actions.create_action(
        ws, ActionData("Soon", owner="Sara", due_date=date(2026, 12, 1), goal_id=ids["goal"])
    )
    c = actions.create_action(
        ws, ActionData("Finished late", owner="Ali", due_date=date(2026, 10, 1), status="done")
    )
    d = actions.create_action(ws, ActionData("Some day", owner="", status="in_progress"))

    every = actions.list_actions(today=TODAY)
    assert [row.id for row in every] == [c, a, b, d]  # by due date, none last
    late = actions.list_actions(ActionFilter(overdue_only=True), today=TODAY)
    assert [row.id for row in late] == [a]
    assert late[0].overdue and late[0].days_overdue == 21
    assert late[0].review_title == "March review" and late[0].kpi_code == "REV"
    assert not next(r for r in every if r.id == c).overdue

    def ids_of(**criteria):
        return {row.id for row in actions.list_actions(ActionFilter(**criteria), today=TODAY)}

    assert ids_of(owner="Ali") == {a, c}
    assert ids_of(status="done") == {c}
    assert ids_of(status="unfinished") == {a, b, d}
    assert ids_of(kpi_id=ids["kpi"]) == {a}
    assert ids_of(goal_id=ids["goal"]) == {b}
    assert ids_of(review_id=ids["review"]) == {a}
    assert ids_of(text="some") == {d}
    assert next(r for r in every if r.id == b).goal_title == "Grow"
    assert actions.owners() == ["Ali", "Sara"]
    # the same lists on another day: nothing is stored about being late
    assert actions.list_actions(ActionFilter(overdue_only=True), today=date(2026, 10, 31)) == []


def test_delete_and_restore_keep_the_id_and_times(ws):
    moment = datetime(2026, 3, 1, 9, 0)
    action_id = actions.create_action(
        ws, ActionData("Gone", status="done", kpi_id=ws.ids["kpi"]), ws.ids["review"], now=moment
    )
    deleted = actions.delete_action(ws, action_id)
    assert models.Action.select().count() == 0
    actions.restore_action(ws, deleted)
    stored = models.Action.get_by_id(action_id)
    assert (stored.title, stored.review_id, stored.kpi_id) == (
        "Gone",
        ws.ids["review"],
        ws.ids["kpi"],
    )
    assert stored.created_at == moment and stored.completed_at == moment
