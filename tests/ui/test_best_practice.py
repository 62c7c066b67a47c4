"""Best practice in the meeting: the best unit beside every red KPI, and a tip written in an
earlier review shown beside its KPI in the next one."""

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kpidesk.domain.periods import Period
from kpidesk.domain.status import Status
from kpidesk.store import models
from kpidesk.ui.review import meeting as meeting_module
from kpidesk.ui.review.common import KEY_ROLE, kpi_key
from kpidesk.ui.review.presenter import PresenterWindow
from tests.ui.test_reviews import TODAY, start


@pytest.fixture
def page(window, demo_copy):
    window.open_workspace(demo_copy)
    window.show_page(list(window.pages).index("reviews"))
    page = window.current_page()
    page.today = TODAY
    page.refresh()
    return page


def list_text(meeting, kpi_id):
    for index in range(meeting.agenda_list.count()):
        entry = meeting.agenda_list.item(index)
        if tuple(entry.data(KEY_ROLE)) == kpi_key(kpi_id):
            return entry.text()
    raise AssertionError(kpi_id)


def test_best_unit_beside_red_kpis_and_a_tip_from_an_earlier_review(
    page,
    monkeypatch,
    qtbot,
):
    meeting = page.meeting
    start(
        page,
        monkeypatch,
        period=Period.month(2026, 10),
        unit_names={"Umeå store", "Luleå store", "Sundsvall store"},
    )
    red = [item for item in meeting.agenda.items if item.status is Status.RED]
    assert red
    view = meeting.item_view
    for item in red:
        meeting.select_key(kpi_key(item.kpi_id))
        best = item.best
        assert best is not None and best.unit in {"Umeå store", "Luleå store", "Sundsvall store"}
        shown = view.best_practice.best.text()
        assert shown.startswith(f"Best: {best.unit} ") and f"{best.behind} " in shown
        assert f"★ Best: {best.unit}" in list_text(meeting, item.kpi_id)
        # the best unit is the best of the figures shown, by the KPI's direction
        values = [f.value for f in item.figures if f.value is not None]
        assert best.value == (min(values) if item.direction == "lower" else max(values))

    # a tip written beside the first red KPI, for the best unit
    item = red[0]
    meeting.select_key(kpi_key(item.kpi_id))
    panel = view.best_practice
    assert panel.tip_unit.currentData() == item.best.unit_id
    panel.tip_text.setText("Daily stand-up on the figures")
    panel.tip_author.setText("Sara Lind")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    tip = models.Tip.get(models.Tip.text == "Daily stand-up on the figures")
    assert (tip.kpi_id, tip.unit_id, tip.text, tip.author) == (
        item.kpi_id,
        item.best.unit_id,
        "Daily stand-up on the figures",
        "Sara Lind",
    )
    assert tip.review_id == meeting.review_id
    assert panel.tips.topLevelItem(0).text(0) == "Daily stand-up on the figures"

    # marked tried, with its result, through its editor
    def tried(editor):
        editor.tried.setChecked(True)
        editor.tried_on.set_value(date(2026, 11, 20))
        editor.result.setText("Fewer late deliveries")
        editor.accept()
        return True

    monkeypatch.setattr(meeting, "open_editor", tried)
    panel.tips.setCurrentItem(panel.tips.topLevelItem(0))
    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    tip = models.Tip.get_by_id(tip.id)
    assert (tip.tried_on, tip.result) == (date(2026, 11, 20), "Fewer late deliveries")

    # presenter mode: the best unit and the tip on the KPI's slide
    presenter = PresenterWindow(meeting.agenda, kpi_key(item.kpi_id))
    presenter.resize(1280, 720)
    presenter.show()
    texts = [label.text() for label in presenter.content.findChildren(QLabel)]
    assert any(t.startswith(f"★ Best: {item.best.unit}") for t in texts)
    assert any("Daily stand-up on the figures" in t and "Fewer late" in t for t in texts)
    presenter.close()

    # the review closes; the next one, for one store, shows the tip beside that KPI
    monkeypatch.setattr(meeting_module, "confirm_close", lambda *args, **kwargs: True)
    meeting.close_review()
    assert meeting.agenda.review.closed
    start(page, monkeypatch, period=Period.month(2026, 10), unit_names={"Umeå store"})
    assert not meeting.agenda.review.closed
    meeting.select_key(kpi_key(item.kpi_id))
    row = view.best_practice.tips.topLevelItem(0)
    assert row.text(0) == "Daily stand-up on the figures"
    assert row.text(1).startswith("Sara Lind, " + item.best.unit)
    assert row.text(2).endswith("Fewer late deliveries")
