"""No lost update: two people editing one row, each from what they read. The second save finds
the row changed, stores nothing and reports who changed it and to what; saving again against
what is there now ("keep mine") is applied. On a file and on a server; on a server with two
connections at once, as two people would."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from kpidesk.services import actions, data_entry, goals, kpis, targets
from kpidesk.services.conflicts import ConflictError
from kpidesk.services.data_entry import CellChange
from kpidesk.services.reviews import editing
from kpidesk.services.targets import TargetChange
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

KEY = (1, 3, "2026-10")  # revenue, Luleå store, October 2026 in the demo


def test_two_people_entering_one_value_get_a_conflict_not_an_overwrite(demo_location):
    with Workspace.open(demo_location) as first:
        read = data_entry.read_tokens([KEY])[KEY]
        assert read is not None
        data_entry.set_values(first, [CellChange(*KEY, 111.0, read=read)])
        # the second person read the cell before the first saved
        with pytest.raises(ConflictError) as raised:
            data_entry.set_values(first, [CellChange(*KEY, 222.0, read=read)])
        conflict = raised.value.conflicts[0]
        assert conflict.key == KEY and conflict.theirs[0] == 111.0 and conflict.mine[0] == 222.0
        assert conflict.by  # the change log names who
        assert models.Measurement.get(kpi=1, unit=3, period="2026-10").value == 111.0
        # keep mine: save again against what is there now
        data_entry.set_values(first, [CellChange(*KEY, 222.0, read=conflict.token)])
        assert models.Measurement.get(kpi=1, unit=3, period="2026-10").value == 222.0


def test_a_value_typed_into_a_cell_someone_filled_meanwhile_conflicts(demo_location):
    key = (1, 3, "2031-01")
    with Workspace.open(demo_location) as workspace:
        assert data_entry.read_tokens([key])[key] is None
        data_entry.set_values(workspace, [CellChange(*key, 5.0, read=None)])
        with pytest.raises(ConflictError):
            data_entry.set_values(workspace, [CellChange(*key, 6.0, read=None)])
        with pytest.raises(ConflictError):  # deleting what someone changed
            data_entry.set_values(workspace, [CellChange(*key, None, read=None)])
        assert models.Measurement.get(kpi=1, unit=3, period="2031-01").value == 5.0


def test_targets_kpis_goals_actions_decisions_and_comments_are_checked(demo_location):
    with Workspace.open(demo_location) as workspace:
        tkey = (1, None, "2026-10")
        read = targets.read_target_tokens([tkey])[tkey]
        targets.set_targets(workspace, [TargetChange(*tkey, 10.0, read=read)])
        with pytest.raises(ConflictError):
            targets.set_targets(workspace, [TargetChange(*tkey, 20.0, read=read)])

        kpi = models.Kpi.get_by_id(1)
        data = kpis.KpiData.of(kpi)
        kpis.update_kpi(workspace, 1, replace(data, name="A"), read_version=kpi.row_version)
        with pytest.raises(ConflictError) as raised:
            kpis.update_kpi(workspace, 1, replace(data, name="B"), read_version=kpi.row_version)
        assert raised.value.conflicts[0].theirs["name"] == "A"
        assert models.Kpi.get_by_id(1).name == "A"

        goal = models.Goal.select().first()
        gdata = goals.GoalData.of(goal)
        goals.update_goal(
            workspace, goal.id, replace(gdata, title="X"), read_version=goal.row_version
        )
        with pytest.raises(ConflictError):
            goals.update_goal(
                workspace, goal.id, replace(gdata, title="Y"), read_version=goal.row_version
            )

        action = models.Action.select().first()
        adata = actions.ActionData.of(action)
        actions.update_action(
            workspace, action.id, replace(adata, title="X"), read_version=action.row_version
        )
        with pytest.raises(ConflictError):
            actions.update_action(
                workspace, action.id, replace(adata, title="Y"), read_version=action.row_version
            )

        review = models.Review.create(
            title="R", period="2026-10", participants="", status="open", snapshot="{}",
            created_at=models.utcnow(),
        )  # fmt: skip
        decision_id = editing.add_decision(workspace, review.id, editing.DecisionData("D"))
        version = models.Decision.get_by_id(decision_id).row_version
        editing.update_decision(
            workspace, decision_id, editing.DecisionData("D1"), read_version=version
        )
        with pytest.raises(ConflictError):
            editing.update_decision(
                workspace, decision_id, editing.DecisionData("D2"), read_version=version
            )

        editing.set_comment(workspace, review.id, 1, "first", "anna", read_text="")
        with pytest.raises(ConflictError) as raised:
            editing.set_comment(workspace, review.id, 1, "second", "bo", read_text="")
        assert raised.value.conflicts[0].theirs == "first"
        assert raised.value.conflicts[0].mine == "second"
        merged = "first\n\nsecond"
        editing.set_comment(workspace, review.id, 1, merged, "bo", read_text="first")
        assert models.ReviewComment.get(review=review.id).text == merged


def test_on_a_server_racing_saves_of_one_cell_apply_one_and_report_the_other(demo_file, pg_url):
    from kpidesk.services.servers import publish

    publish(demo_file, pg_url)
    with Workspace.open(pg_url, bind=False) as reader, reader.bound():
        read = data_entry.read_tokens([KEY])[KEY]
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def save(value: float) -> None:
        with Workspace.open(pg_url, bind=False) as workspace, workspace.bound():
            start.wait()
            try:
                data_entry.set_values(workspace, [CellChange(*KEY, value, read=read)])
                outcomes.append(f"saved {value}")
            except ConflictError:
                outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(float(n),)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [outcome for outcome in outcomes if outcome.startswith("saved")]
    assert len(saved) == 1 and outcomes.count("conflict") == 7
    with Workspace.open(pg_url, read_only=True):
        value = models.Measurement.get(kpi=1, unit=3, period="2026-10").value
        assert saved == [f"saved {value}"]
