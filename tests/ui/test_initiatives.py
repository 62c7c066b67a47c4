"""Initiatives on the demo: the Goals page lists a goal's initiatives and milestones, adds
one through its editor, ticks a milestone done (undoable); the review agenda brings up the
milestones due or late."""

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kpidesk.domain.periods import Period
from kpidesk.services.initiatives import MilestoneData
from kpidesk.store import models
from kpidesk.ui.review.common import FOLLOW_UP_KEY
from tests.ui.test_reviews import TODAY, start


def test_goals_page_initiatives_and_the_agenda(window, demo_copy, monkeypatch):
    window.open_workspace(demo_copy)
    goal = models.Goal.get(models.Goal.title == "Fast and accurate customer service")
    window.show_goal(goal.id)
    page = window.pages["goals"]
    panel = page.initiatives
    tree = panel.tree
    assert tree.topLevelItemCount() == 1
    top = tree.topLevelItem(0)
    assert top.text(0) == "New customer service platform" and top.text(1) == "Ali Hassan"
    assert [top.child(i).text(0) for i in range(top.childCount())] == [
        "Procurement done",
        "Chat live",
        "All channels in one queue",
    ]
    chat = top.child(1)
    assert chat.checkState(0) == Qt.CheckState.Unchecked and chat.text(3) == "Late"

    # tick a milestone done; undo puts it back
    chat.setCheckState(0, Qt.CheckState.Checked)
    QApplication.processEvents()
    assert models.Milestone.get(models.Milestone.title == "Chat live").done
    window.action_undo.trigger()
    assert not models.Milestone.get(models.Milestone.title == "Chat live").done

    # a new initiative through its editor
    def fill(editor):
        editor.title_edit.setText("Callback service")
        editor.owner_edit.setText("Ali Hassan")
        editor.add_milestone(MilestoneData("Pilot in Umeå", date(2026, 11, 20)))
        editor.accept()
        return editor.result() == editor.DialogCode.Accepted

    monkeypatch.setattr(panel, "open_editor", fill)
    panel.add_initiative()
    added = models.Initiative.get(models.Initiative.title == "Callback service")
    assert added.goal_id == goal.id and added.owner == "Ali Hassan"
    assert [m.title for m in added.milestones] == ["Pilot in Umeå"]
    assert tree.topLevelItemCount() == 2

    # the agenda of a new review brings the late and near milestones up
    window.show_page(list(window.pages).index("reviews"))
    reviews_page = window.current_page()
    reviews_page.today = TODAY
    start(reviews_page, monkeypatch, period=Period.month(2026, 10), unit_names={"Umeå store"})
    meeting = reviews_page.meeting
    titles = [m.milestone.data.title for m in meeting.agenda.milestones]
    assert titles[:2] == ["Sundsvall done", "Chat live"]
    assert "Pilot in Umeå" in titles and "Procurement done" not in titles
    meeting.select_key(FOLLOW_UP_KEY)
    shown = meeting.follow_up_view.milestones.text()
    assert "Chat live" in shown and "late" in shown and "Pilot in Umeå" in shown
