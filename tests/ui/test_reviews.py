"""A whole follow-up meeting on the demo, from start to close, and what a closed one keeps."""

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kpidesk.domain.periods import Period
from kpidesk.domain.status import Status
from kpidesk.services import reviews as review_service
from kpidesk.store import models
from kpidesk.ui.pages import reviews as reviews_module
from kpidesk.ui.review import meeting as meeting_module
from kpidesk.ui.review.common import FOLLOW_UP_KEY, OTHER_KEY, kpi_key
from kpidesk.ui.review.presenter import OVERVIEW_KEY, PresenterWindow

TODAY = date(2026, 11, 12)


@pytest.fixture
def page(window, demo_copy):
    window.open_workspace(demo_copy)
    window.show_page(list(window.pages).index("reviews"))
    page = window.current_page()
    page.today = TODAY
    page.refresh()
    return page


def start(page, monkeypatch, *, period, unit_names, title=None, participants=""):
    def fill(dialog):
        dialog.set_period(period)
        ids = [u.id for u in models.Unit.select() if u.name in unit_names]
        dialog.set_units(ids)
        if title:
            dialog.title_edit.setText(title)
        dialog.participants_edit.setText(participants)
        return True

    monkeypatch.setattr(page, "open_start_dialog", fill)
    page.start_review()
    return page.current_review_id()


def item_ids(meeting):
    return [key[1] for key in meeting.agenda_keys() if key[0] == "kpi"]


def test_a_whole_meeting_from_start_to_close(page, window, monkeypatch, qtbot):
    meeting = page.meeting
    # the demo's closed review is there; a new one starts for October, two stores
    assert page.review_combo.count() == 1
    review_id = start(
        page,
        monkeypatch,
        period=Period.month(2026, 10),
        unit_names={"Umeå store", "Luleå store"},
        participants="Karin Ek, Ali Hassan",
    )
    assert page.review_combo.count() == 2
    assert meeting.agenda.review.title == "Review October 2026"
    assert meeting.agenda.review.unit_names == ("Umeå store", "Luleå store")
    assert not meeting.agenda.review.closed

    # agenda: follow-up first, then red KPIs, then amber, then the rest, then "other"
    keys = meeting.agenda_keys()
    assert keys[0] == FOLLOW_UP_KEY and keys[-1] == OTHER_KEY
    statuses = [meeting.agenda.item(kpi_id).status for kpi_id in item_ids(meeting)]
    rank = {Status.RED: 0, Status.AMBER: 1}
    assert [rank.get(s, 2) for s in statuses] == sorted(rank.get(s, 2) for s in statuses)
    assert statuses[0] is Status.RED

    # last review's actions come up for follow-up; one is marked done in place
    assert meeting.stack.currentWidget() is meeting.follow_up_view
    follow_up = meeting.agenda.follow_up
    assert len(follow_up) == 4 and follow_up[0].overdue
    led = next(i for i, f in enumerate(follow_up) if f.title.startswith("Change to LED"))
    meeting.follow_up_view.status_combo(led).choose("done")
    action_id = follow_up[led].action_id
    assert models.Action.get_by_id(action_id).status == "done"
    assert models.Action.get_by_id(action_id).completed_at is not None

    # every red KPI without an action is warned about
    red = [i for i in meeting.agenda.items if i.status is Status.RED]
    warned = {w.kpi_id for w in meeting.agenda.warnings}
    assert warned and warned <= {i.kpi_id for i in red}
    panel = meeting.banners[-1]
    assert "off track" in panel.text

    # first red KPI without an action: comment, decision, action — all in place
    item = next(i for i in red if i.kpi_id in warned)
    meeting.select_key(kpi_key(item.kpi_id))
    view = meeting.item_view
    assert meeting.stack.currentWidget() is view
    assert view.figures.topLevelItemCount() == 2
    assert view.figures.topLevelItem(0).text(0).startswith(("✕", "!", "✓", "–"))
    assert view.chart.values and len(view.chart.values) == len(view.chart.targets)

    view.comment.setPlainText("Two new colleagues are still learning.")
    view.save_comment()
    records = view.records
    records.decision_text.setText("Pair new staff with a senior colleague")
    records.decision_by.setText("Karin Ek")
    qtbot.mouseClick(records.add_decision_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(records.action_title, "Write a delivery FAQ")
    records.action_owner.setText("Ali Hassan")
    records.action_due.set_value(date(2026, 11, 30))
    qtbot.mouseClick(records.add_action_button, Qt.MouseButton.LeftButton)

    current = meeting.agenda.item(item.kpi_id)
    assert current.comment.text == "Two new colleagues are still learning."
    assert [(d.data.text, d.data.decided_by, d.data.decided_on) for d in current.decisions] == [
        ("Pair new staff with a senior colleague", "Karin Ek", TODAY)
    ]
    assert [(a.data.title, a.data.owner, a.data.due_date) for a in current.actions] == [
        ("Write a delivery FAQ", "Ali Hassan", date(2026, 11, 30))
    ]
    assert item.kpi_id not in {w.kpi_id for w in meeting.agenda.warnings}
    assert meeting.current_key() == kpi_key(item.kpi_id)  # stays on the item after refresh
    assert records.decisions.topLevelItem(0).text(0) == "Pair new staff with a senior colleague"

    # an empty action is refused beside the field, nothing stored
    qtbot.mouseClick(records.add_action_button, Qt.MouseButton.LeftButton)
    assert records.action_error.text().startswith("An action needs")
    assert len(meeting.agenda.item(item.kpi_id).actions) == 1

    # the new action's status changes in place; undo puts it back
    new_action = meeting.agenda.item(item.kpi_id).actions[0].id
    combo = records.actions.itemWidget(records.actions.topLevelItem(0), 3)
    combo.choose("in_progress")
    assert models.Action.get_by_id(new_action).status == "in_progress"
    window.action_undo.trigger()
    assert models.Action.get_by_id(new_action).status == "open"

    # editing an action through its dialog
    def edit(editor):
        editor.owner_edit.setText("Sara Lind")
        editor.accept()
        return True

    monkeypatch.setattr(meeting, "open_editor", edit)
    records.actions.setCurrentItem(records.actions.topLevelItem(0))
    records.edit_action()
    assert models.Action.get_by_id(new_action).owner == "Sara Lind"

    # a decision about no KPI, under "other"
    meeting.select_key(OTHER_KEY)
    other = meeting.other_view.records
    other.decision_text.setText("Review the staffing plan in January")
    other.add_decision()
    assert [d.data.text for d in meeting.agenda.other_decisions] == [
        "Review the staffing plan in January"
    ]

    # presenter mode: one KPI at a time, arrow keys move, the meeting follows, Esc leaves
    meeting.select_key(kpi_key(item.kpi_id))
    meeting.present()
    presenter = meeting.presenter
    assert isinstance(presenter, PresenterWindow)
    assert presenter.isFullScreen()
    assert presenter.current_key() == kpi_key(item.kpi_id)
    QTest.keyClick(presenter, Qt.Key.Key_Right)
    assert presenter.current_key() != kpi_key(item.kpi_id)
    assert meeting.current_key() == presenter.current_key()
    QTest.keyClick(presenter, Qt.Key.Key_Left)
    QTest.keyClick(presenter, Qt.Key.Key_Home)
    assert presenter.current_key() == OVERVIEW_KEY
    QTest.keyClick(presenter, Qt.Key.Key_End)
    assert presenter.current_key() == OTHER_KEY
    with qtbot.waitSignal(presenter.closed):
        QTest.keyClick(presenter, Qt.Key.Key_Escape)
    assert meeting.presenter is None
    meeting.present()  # again, after leaving
    meeting.presenter.close()
    assert meeting.presenter is None

    # closing asks, then keeps what was presented and turns read-only
    asked = []
    monkeypatch.setattr(
        meeting_module,
        "confirm_close",
        lambda parent, title, details: asked.append(details) or True,
    )
    presented = {
        i.kpi_id: [(f.value, f.target, f.status) for f in i.figures] for i in meeting.agenda.items
    }
    meeting.close_review()
    assert "kept as it was presented" in asked[0]
    assert meeting.agenda.review.closed and meeting.agenda.kept
    assert not meeting.details_row.isVisibleTo(meeting)
    assert meeting.reopen_button.isVisibleTo(meeting) and not meeting.close_button.isVisibleTo(
        meeting
    )
    meeting.select_key(kpi_key(item.kpi_id))
    assert meeting.item_view.comment.isReadOnly()
    assert not meeting.item_view.records.add_action_button.isVisibleTo(meeting)
    trace = meeting.trace_label.text()
    assert "Opened" in trace and "Closed" in trace

    # data changes afterwards; the closed review still shows the old values
    with window.session.workspace.atomic():
        models.Measurement.update(value=0).where(models.Measurement.kpi == item.kpi_id).execute()
    window.session.dataChanged.emit()
    kept = {
        i.kpi_id: [(f.value, f.target, f.status) for f in i.figures] for i in meeting.agenda.items
    }
    assert kept == presented
    assert meeting.item_view.figures.topLevelItem(0).text(2) != "0.0%"

    # reopening is explicit: it needs a note, and leaves a trace shown in the review
    monkeypatch.setattr(meeting_module, "ask_reopen", lambda parent, title, closed: None)
    meeting.reopen_review()
    assert meeting.agenda.review.closed
    monkeypatch.setattr(
        meeting_module, "ask_reopen", lambda parent, title, closed: ("Forgot Luleå", False)
    )
    meeting.reopen_review()
    assert not meeting.agenda.review.closed
    assert "Reopened" in meeting.trace_label.text()
    assert "Forgot Luleå" in meeting.trace_label.text()
    events = [(e.event, e.note) for e in review_service.events(review_id)]
    assert events[-1] == ("reopened", "Forgot Luleå")

    # history: earlier reviews with their decisions and what became of their actions
    page.tabs.setCurrentWidget(page.history)
    tree = page.history.tree
    titles = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert titles[0].startswith("Review October 2026")
    assert titles[1].startswith("Monthly review 2026-09")
    demo = tree.topLevelItem(1)
    actions_group = demo.child(1)
    led_row = next(
        actions_group.child(i)
        for i in range(actions_group.childCount())
        if actions_group.child(i).text(0).startswith("Change to LED")
    )
    assert led_row.text(3) == "○ Open" and led_row.text(4) == "✓ Done"
    with qtbot.waitSignal(page.history.reviewActivated):
        tree.itemActivated.emit(demo, 0)
    assert page.current_review_id() == 1
    assert page.tabs.currentWidget() is meeting


def test_the_demo_review_is_closed_and_read_only(page):
    meeting = page.meeting
    assert meeting.agenda.review.closed
    assert meeting.banners[0].text.startswith("Closed")
    assert not meeting.details_row.isVisibleTo(meeting)
    assert not page.delete_button.isEnabled()
    meeting.select_key(FOLLOW_UP_KEY)
    assert meeting.follow_up_view.intro.text() == "No earlier actions to follow up."
    resp = next(i for i in meeting.agenda.items if i.code == "RESP")
    meeting.select_key(kpi_key(resp.kpi_id))
    assert "recruiting" in meeting.item_view.comment.toPlainText()
    assert meeting.item_view.records.decisions.topLevelItemCount() == 1


def test_start_dialog_needs_a_unit_and_an_open_review_can_be_deleted(page, monkeypatch):
    dialog = reviews_module.StartReviewDialog(Period.quarter(2026, 3), None, today=TODAY)
    assert dialog.period() == Period.quarter(2026, 3)
    assert dialog.title_edit.text() == "Review Q3 2026"
    dialog.set_units([])
    dialog.accept()
    assert dialog.units_field.error_text == "Choose at least one unit."
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("year"))
    assert dialog.period().kind.value == "year"
    assert dialog.title_edit.text().startswith("Review 20")

    review_id = start(
        page, monkeypatch, period=Period.quarter(2026, 3), unit_names={"Solbacka Hem AB"}
    )
    assert (
        page.meeting.agenda.item(
            next(i.kpi_id for i in page.meeting.agenda.items if i.code == "STOCK")
        )
        .figures[0]
        .period
        == "2026-Q3"
    )
    page.window().action_undo.trigger()  # undo the start
    assert models.Review.get_or_none(models.Review.id == review_id) is None
    page.window().action_redo.trigger()
    assert models.Review.get_by_id(review_id).title == "Review Q3 2026"

    monkeypatch.setattr(reviews_module, "confirm_delete", lambda *args: False)
    page.show_review(review_id)
    page.delete_review()
    assert models.Review.get_or_none(models.Review.id == review_id) is not None
    monkeypatch.setattr(reviews_module, "confirm_delete", lambda *args: True)
    page.delete_review()
    assert models.Review.get_or_none(models.Review.id == review_id) is None
    assert page.review_combo.count() == 1


def test_undo_of_an_edit_in_a_closed_review_drops_out_quietly(page, window, monkeypatch):
    meeting = page.meeting
    start(page, monkeypatch, period=Period.month(2026, 10), unit_names={"Umeå store"})
    item = meeting.agenda.items[0]
    meeting.select_key(kpi_key(item.kpi_id))
    meeting.item_view.records.decision_text.setText("Decided")
    meeting.item_view.records.add_decision()
    monkeypatch.setattr(meeting_module, "confirm_close", lambda *args: True)
    meeting.close_review()
    window.action_undo.trigger()  # the decision's undo: the review is closed, nothing happens
    assert models.Decision.select().where(models.Decision.text == "Decided").count() == 1
    assert meeting.agenda.review.closed


def test_presenter_walks_every_slide(page):
    meeting = page.meeting
    presenter = PresenterWindow(meeting.agenda)
    presenter.resize(1280, 720)
    presenter.show()
    seen = [presenter.current_key()]
    for _ in range(len(presenter.slides) + 2):
        QTest.keyClick(presenter, Qt.Key.Key_Space)
        seen.append(presenter.current_key())
    assert seen[0] == OVERVIEW_KEY
    assert set(seen) == set(presenter.slides)
    assert presenter.position_label.text() == f"{len(presenter.slides)} / {len(presenter.slides)}"
    QTest.keyClick(presenter, Qt.Key.Key_F11)
    assert not presenter.isVisible()
