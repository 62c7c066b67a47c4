"""The strategy map: what it holds for the demo, and where its parts go (without Qt)."""

from datetime import date

import pytest

from kpidesk.domain.periods import Period
from kpidesk.domain.status import Status
from kpidesk.domain.strategy_layout import GoalShape, layout_map, wrap
from kpidesk.services import initiatives, strategy
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

OCTOBER = Period.month(2026, 10)


def test_bands_top_to_bottom_boxes_inside_and_arrows_between_boxes():
    goals = [
        GoalShape(1, "customer", "Customers who come back", 2),
        GoalShape(2, "customer", "Fewer leaving the club", 1),
        GoalShape(3, "financial", "Grow revenue", 3),
        GoalShape(4, "learning_growth", "A very long title " * 12, 0),
        GoalShape(5, "nowhere", "Not drawn: no band", 1),
    ]
    bands = [("financial", "Financial"), ("customer", "Customer"), ("learning_growth", "L")]
    shape = layout_map("The vision", "The mission", bands, goals, [(2, 1), (1, 3), (5, 3)])
    assert [band.key for band in shape.bands] == ["financial", "customer", "learning_growth"]
    tops = [band.rect.y for band in shape.bands]
    assert tops == sorted(tops) and shape.vision.bottom < tops[0]
    assert set(shape.boxes) == {1, 2, 3, 4}
    for band in shape.bands:
        for goal in goals:
            if goal.band == band.key:
                box = shape.boxes[goal.id].rect
                assert band.rect.y < box.y and box.bottom < band.rect.bottom
                assert band.rect.x < box.x and box.right < band.rect.right
    # boxes in a band never overlap; a box is tall enough for its lines
    one, two = shape.boxes[1].rect, shape.boxes[2].rect
    assert one.right < two.x or two.right < one.x
    assert shape.boxes[3].rect.h > shape.boxes[2].rect.h
    assert len(shape.boxes[4].title_lines) == 3 and shape.boxes[4].title_lines[-1].endswith("…")
    # arrows run from a sub-goal's edge to its goal's edge
    assert [(a.source, a.target) for a in shape.arrows] == [(2, 1), (1, 3)]
    upward = shape.arrows[1]
    assert upward.start[1] == pytest.approx(shape.boxes[1].rect.y)
    assert upward.end[1] == pytest.approx(shape.boxes[3].rect.bottom)
    assert shape.goal_at(*shape.boxes[2].rect.center) == 2
    assert shape.goal_at(1, 1) is None
    assert shape.height >= shape.bands[-1].rect.bottom


def test_wrap_keeps_words_whole_and_breaks_long_ones():
    assert wrap("Grow revenue by five percent", 72, 6.0) == ("Grow revenue", "by five", "percent")
    assert wrap("x" * 25, 60, 6.0) == ("x" * 10, "x" * 10, "x" * 5)


def test_the_demo_map(demo_file):
    with Workspace.open(demo_file, read_only=True):
        root = models.Unit.get(models.Unit.parent.is_null())
        smap = strategy.strategy_map(OCTOBER, root.id, today=date(2026, 11, 12))
        titles = {goal.title for goal in smap.goals}
        vision_goal = models.Goal.get(models.Goal.parent.is_null()).title
    assert smap.vision == "Norrland's best-loved home store – profitable and sustainable"
    assert smap.mission.startswith("We make it easy")
    assert vision_goal not in titles  # the tree's root is the vision, not a box
    assert [key for key, _label in smap.perspectives] == [
        "financial",
        "customer",
        "internal_process",
        "learning_growth",
        "sustainability",
    ]
    service = next(g for g in smap.goals if g.title == "Fast and accurate customer service")
    assert [k.code for k in service.kpis] == ["FCR", "RESP"]
    assert service.status is Status.RED
    (platform,) = service.initiatives
    assert platform.title == "New customer service platform" and platform.late == 1
    loyalty = next(g for g in smap.goals if g.title == "Fewer leaving the customer club")
    back = next(g for g in smap.goals if g.title == "Customers who come back")
    assert (loyalty.id, back.id) in smap.links
    shape = strategy.layout(smap)
    assert set(shape.boxes) == {g.id for g in smap.goals}


def test_vision_and_mission_are_the_workspaces(workspace_location):
    with Workspace.create(workspace_location, "Company") as ws:
        before = strategy.set_statement(ws, strategy.Statement(" Best in town ", "We sell"))
        assert before == strategy.Statement("", "")
        assert strategy.read_statement() == strategy.Statement("Best in town", "We sell")
        unit = models.Unit.get()
        assert strategy.strategy_map(OCTOBER, unit.id).vision == "Best in town"


def test_initiatives_with_milestones_and_actions(workspace_location):
    today = date(2026, 11, 12)
    with Workspace.create(workspace_location, "Company") as ws:
        goal = models.Goal.create(title="Serve fast")
        data = initiatives.InitiativeData(
            "New platform",
            "Ali",
            date(2026, 9, 1),
            date(2027, 3, 1),
            "active",
            (
                initiatives.MilestoneData("Chat live", date(2026, 10, 31)),
                initiatives.MilestoneData("Bought", date(2026, 9, 20), done=True),
                initiatives.MilestoneData("One queue", date(2026, 12, 1)),
                initiatives.MilestoneData("Review", date(2027, 2, 1)),
            ),
        )
        initiative_id = initiatives.create_initiative(ws, goal.id, data)
        (row,) = initiatives.list_initiatives(today=today)
        assert [m.data.title for m in row.milestones] == [
            "Bought",
            "Chat live",
            "One queue",
            "Review",
        ]
        assert [(m.late, m.due) for m in row.milestones] == [
            (False, False),
            (True, True),
            (False, True),
            (False, False),
        ]
        assert row.done_count == 1 and row.goal_title == "Serve fast"
        due = initiatives.due_milestones(today)
        assert [d.milestone.data.title for d in due] == ["Chat live", "One queue"]
        action = models.Action.create(title="Write FAQ")
        initiatives.set_action_initiative(ws, action.id, initiative_id)
        with pytest.raises(initiatives.InitiativeError):
            initiatives.create_initiative(ws, goal.id, initiatives.InitiativeData(" "))
        with pytest.raises(initiatives.InitiativeError):
            initiatives.create_initiative(
                ws,
                goal.id,
                initiatives.InitiativeData(
                    "x", start_date=date(2026, 2, 1), end_date=date(2026, 1, 1)
                ),
            )
        chat = row.milestones[1]
        assert initiatives.set_milestone_done(ws, chat.id, True) is False
        assert [d.milestone.data.title for d in initiatives.due_milestones(today)] == ["One queue"]
        deleted = initiatives.delete_initiative(ws, initiative_id)
        assert models.Action.get_by_id(action.id).initiative_id is None
        assert models.Milestone.select().count() == 0
        new_id = initiatives.restore_initiative(ws, deleted)
        assert models.Action.get_by_id(action.id).initiative_id == new_id
        (again,) = initiatives.list_initiatives(today=today)
        assert len(again.milestones) == 4 and again.milestones[1].data.done
