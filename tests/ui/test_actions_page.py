"""The Actions page on the demo: filters, status in place with undo, overdue, open the review."""

from datetime import date

import pytest
from PySide6.QtCore import Qt

from kpidesk.store import models
from kpidesk.ui.models.action_table_model import ActionTableModel

TODAY = date(2026, 11, 12)


@pytest.fixture
def page(window, demo_copy):
    window.open_workspace(demo_copy)
    window.show_page(list(window.pages).index("actions"))
    page = window.current_page()
    page.today = TODAY
    page.refresh()
    return page


def titles(page):
    return [row.data.title for row in page.model.rows]


def cell(page, row, column, role=Qt.ItemDataRole.DisplayRole):
    return page.model.data(page.model.index(row, column), role)


def test_every_action_with_overdue_ones_standing_out(page):
    assert page.stack.currentWidget() is page.table
    assert len(page.model.rows) == 4
    assert "2 overdue" in page.summary.text()
    late = [n for n, row in enumerate(page.model.rows) if row.overdue]
    assert [page.model.rows[n].data.title for n in late] == [
        "Change to LED lighting in Sundsvall",
        "Follow up the member discount in Luleå",
    ]
    due = cell(page, late[0], ActionTableModel.DUE)
    assert "⚠ Overdue by 54 days" in due  # a symbol and a word, not colour alone
    assert cell(page, late[0], ActionTableModel.DUE, Qt.ItemDataRole.ForegroundRole) is not None
    on_time = next(n for n, row in enumerate(page.model.rows) if not row.overdue)
    assert cell(page, on_time, ActionTableModel.DUE, Qt.ItemDataRole.BackgroundRole) is None
    assert {cell(page, n, ActionTableModel.REVIEW) for n in range(4)} == {"Monthly review 2026-09"}


def test_filters(page):
    page.owner_filter.setCurrentIndex(page.owner_filter.findData("Ali Hassan"))
    assert len(titles(page)) == 2
    page.owner_filter.setCurrentIndex(0)
    page.status_filter.setCurrentIndex(page.status_filter.findData("unfinished"))
    assert len(titles(page)) == 3
    page.status_filter.setCurrentIndex(page.status_filter.findData("done"))
    assert titles(page) == ["Hire two hourly staff for customer service"]
    page.status_filter.setCurrentIndex(0)
    page.overdue_filter.setChecked(True)
    assert len(titles(page)) == 2
    page.overdue_filter.setChecked(False)
    energy = models.Kpi.get(models.Kpi.code == "ENERGY").id
    page.kpi_filter.setCurrentIndex(page.kpi_filter.findData(energy))
    assert titles(page) == ["Change to LED lighting in Sundsvall"]
    page.kpi_filter.setCurrentIndex(0)
    goal = models.Goal.get(models.Goal.title.startswith("Fewer leaving")).id
    page.goal_filter.setCurrentIndex(page.goal_filter.findData(goal))
    assert titles(page) == ["Follow up the member discount in Luleå"]
    page.goal_filter.setCurrentIndex(0)
    page.search.setText("response time")
    assert titles(page) == ["Measure response time per channel (email, chat, phone)"]


def test_status_changed_in_place_with_undo(page, window):
    action = models.Action.get(models.Action.title.startswith("Change to LED"))
    combo = page.status_combo(action.id)
    assert combo is not None and combo.status() == "open"
    combo.choose("done")
    stored = models.Action.get_by_id(action.id)
    assert stored.status == "done" and stored.completed_at is not None
    assert "1 overdue" in page.summary.text()
    assert page.status_combo(action.id).status() == "done"
    window.action_undo.trigger()
    stored = models.Action.get_by_id(action.id)
    assert stored.status == "open" and stored.completed_at is None
    assert "2 overdue" in page.summary.text()


def test_each_action_opens_the_review_it_came_from(page, window):
    action = models.Action.get(models.Action.title.startswith("Follow up"))
    page.select_action(action.id)
    assert page.open_review_button.isEnabled()
    page.open_review_button.click()
    reviews = window.current_page()
    assert reviews.key == "reviews"
    assert reviews.current_review_id() == action.review_id
    assert reviews.tabs.currentWidget() is reviews.meeting


def test_empty_workspace_says_where_actions_come_from(window, tmp_path):
    from kpidesk.store.workspace import Workspace

    path = tmp_path / "empty.kpidesk"
    Workspace.create(path, "Empty").close()
    window.open_workspace(path)
    window.show_page(list(window.pages).index("actions"))
    page = window.current_page()
    assert page.stack.currentWidget() is page.empty
    window.show_page(list(window.pages).index("reviews"))
    assert window.current_page().stack.currentWidget() is window.current_page().empty
