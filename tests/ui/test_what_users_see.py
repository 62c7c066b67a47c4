"""What a user sees, made right: labels, the status bar, columns in view, whole grid
columns, long titles, Escape, the recent list, presenter mode and a review's dates."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget

from kpidesk.domain.periods import Period
from kpidesk.services import reviews as review_service
from kpidesk.store import models
from kpidesk.ui.pages.scorecard import COL_KPI

LITERAL_AMPERSAND = re.compile(r"&(?!&)")


def ampersands_shown(root: QWidget) -> list[str]:
    """The texts of labels that show an ``&`` where a shortcut was meant."""
    shown = []
    for label in root.findChildren(QLabel):
        text = label.text().replace("&&", "")
        rich = label.textFormat() is Qt.TextFormat.RichText or (
            label.textFormat() is Qt.TextFormat.AutoText and "<" in text and ">" in text
        )
        if not rich and LITERAL_AMPERSAND.search(text) and label.buddy() is None:
            shown.append(label.text())
    return shown


@pytest.fixture
def demo_window(window, demo_copy):
    window.resize(1280, 800)
    assert window.open_workspace(demo_copy)
    return window


def test_no_label_shows_a_literal_ampersand(demo_window, qtbot):
    from kpidesk.ui.charts import comparison_window, kpi_chart_window
    from kpidesk.ui.export_dialog import ExportDialog
    from kpidesk.ui.import_wizard import ImportWizard
    from kpidesk.ui.pages.reviews import StartReviewDialog

    window = demo_window
    for index in range(len(window.pages)):
        window.show_page(index)
    found = ampersands_shown(window)
    dialogs = [
        ExportDialog(window.session, window),
        ImportWizard(window.session, window),
        StartReviewDialog(Period.month(2026, 10), None, today=date(2026, 11, 12), parent=window),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        found += ampersands_shown(dialog)
    window.open_chart(models.Kpi.get(models.Kpi.code == "REV").id)
    window.compare_units()
    found += ampersands_shown(kpi_chart_window(window.session))
    found += ampersands_shown(comparison_window(window.session))
    assert found == []


def test_the_status_bar_names_the_workspace_once_after_a_language_switch(demo_window):
    window = demo_window
    window.set_language("sv")
    window.set_language("en")
    path = str(window.session.path)
    labels = [
        w for w in window.statusBar().findChildren(QLabel) if w.text() == path and w.isVisible()
    ]
    assert len(labels) == 1


@pytest.mark.parametrize("language", ["en", "sv"])
def test_the_scorecard_shows_every_column_at_1280_by_800(demo_window, language):
    window = demo_window
    window.set_language(language)
    window.show_page(0)
    page = window.pages["scorecard"]
    QTest.qWait(50)
    header = page.tree.header()
    assert header.length() <= page.tree.viewport().width()
    assert not page.tree.horizontalScrollBar().isVisible()
    window.health_panel.show()
    QTest.qWait(50)
    assert header.length() <= page.tree.viewport().width()
    assert not page.tree.horizontalScrollBar().isVisible()
    # a KPI whose name shows its code shows it once
    texts = [item.text(COL_KPI) for item in page.kpi_items()]
    assert not any(text.count("(CSAT)") > 1 for text in texts)
    assert any(text.endswith("(CSAT)") for text in texts)


def test_the_data_grid_never_shows_a_column_cut_in_half(demo_window):
    window = demo_window
    window.show_page(list(window.pages).index("data"))
    page = window.current_page()
    table = page.table
    header = table.horizontalHeader()
    bar = table.horizontalScrollBar()
    width = table.viewport().width()
    digit = QFontMetricsF(table.font()).horizontalAdvance("0")
    for size in (1280, 1111, 1000, 900):
        window.resize(size, 800)
        QTest.qWait(30)
        width = table.viewport().width()
        for value in range(bar.minimum(), bar.maximum() + 1):
            bar.setValue(value)
            for x in (0, width - 1):
                column = header.logicalIndexAt(x)
                if column < 0:
                    continue
                start = header.sectionViewportPosition(column)
                end = start + header.sectionSize(column)
                shown = min(end, width) - max(start, 0)
                # whole, or a sliver too narrow for a digit
                assert shown == header.sectionSize(column) or shown < digit, (size, value, x)


def test_a_long_goal_title_is_shown_from_its_start(demo_window):
    window = demo_window
    window.show_page(list(window.pages).index("goals"))
    page = window.current_page()
    vision = models.Goal.get(models.Goal.parent.is_null())
    page.select_goal(vision.id)
    assert page.title_edit.text() == vision.title
    assert page.title_edit.cursorPosition() == 0


def test_escape_closes_the_chart_and_the_comparison(demo_window, qtbot):
    from kpidesk.ui.charts import comparison_window, kpi_chart_window

    window = demo_window
    window.open_chart(models.Kpi.get(models.Kpi.code == "REV").id)
    chart = kpi_chart_window(window.session)
    qtbot.waitExposed(chart)
    QTest.keyClick(chart.kpi_combo, Qt.Key.Key_Escape)  # from a field of it, too
    assert not chart.isVisible()
    window.compare_units()
    compare = comparison_window(window.session)
    qtbot.waitExposed(compare)
    QTest.keyClick(compare, Qt.Key.Key_Escape)
    assert not compare.isVisible()


def test_the_recent_list_tells_files_of_the_same_name_apart(window, tmp_path):
    first = tmp_path / "norr" / "kund.kpidesk"
    second = tmp_path / "syd" / "kund.kpidesk"
    for path in (first, second):
        path.parent.mkdir()
        assert window.create_and_open(path)
    window._fill_recent_menu()
    texts = [a.text() for a in window.recent_menu.actions() if "kund" in a.text()]
    assert texts == ["&1 kund.kpidesk — syd", "&2 kund.kpidesk — norr"]


def test_presenter_mode_fills_the_screen(demo_window, qtbot, monkeypatch):
    from kpidesk.ui.review.presenter import PresenterWindow

    agenda = review_service.agenda(1)
    presenter = PresenterWindow(agenda)
    qtbot.addWidget(presenter)
    screen = QGuiApplication.primaryScreen()
    presenter.show_full_screen(screen)
    assert presenter.isFullScreen()
    assert presenter.geometry() == screen.geometry()


def test_the_meeting_draws_its_chart_with_the_one_line_chart(demo_window, qtbot, monkeypatch):
    """The meeting's small chart is the report's chart, in the window's colours: the last
    point in its status colour, the others in the line's."""
    from kpidesk.palette import ACTUAL_LINE, SYMBOL_COLORS
    from kpidesk.ui.review import chart as chart_module

    agenda = review_service.agenda(1)
    item = next(i for i in agenda.items if len([v for v in i.figures[0].values if v]) > 2)
    figures = item.figures[0]
    drawn = []
    real = chart_module.draw_kpi_chart

    def spy(painter, rect, kpi, rows, **options):
        drawn.append((kpi, list(rows), options))
        real(painter, rect, kpi, rows, **options)

    monkeypatch.setattr(chart_module, "draw_kpi_chart", spy)
    chart = chart_module.KpiChart()
    qtbot.addWidget(chart)
    chart.resize(420, 190)
    chart.set_series(item, figures, agenda.currency)
    image = chart.grab().toImage()
    kpi, rows, options = drawn[-1]
    assert kpi.code == item.code
    assert [row.value for row in rows] == list(figures.values)
    statuses = [row.status for row in rows if row.value is not None]
    assert statuses[-1] is figures.status and set(statuses[:-1]) == {None}
    assert options["colors"].actual == ACTUAL_LINE
    colours = {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    }
    assert SYMBOL_COLORS[figures.status].lower() in colours  # the last point
    assert ACTUAL_LINE.lower() in colours


def test_a_new_decision_takes_the_date_of_the_review_it_is_made_in(demo_window, monkeypatch):
    window = demo_window
    window.show_page(list(window.pages).index("reviews"))
    page = window.current_page()
    stores = [u.id for u in models.Unit.select() if u.parent_id is not None]
    workspace = window.session.workspace
    first = review_service.start_review(
        workspace, Period.month(2026, 10), stores, held_on=date(2026, 11, 3)
    )
    second = review_service.start_review(
        workspace, Period.month(2026, 9), stores[:1], held_on=date(2026, 10, 6)
    )
    page.refresh()
    meeting = page.meeting
    for review_id, held in ((first, date(2026, 11, 3)), (second, date(2026, 10, 6))):
        page.show_review(review_id)
        meeting.select_key(("kpi", meeting.agenda.items[0].kpi_id))
        assert meeting.item_view.records.decision_date.value() == held
        assert meeting.item_view.records.action_due.value() == date.fromordinal(
            held.toordinal() + 30
        )
    # a changed "held on" date is the new default
    meeting.held_edit.set_value(date(2026, 10, 8))
    meeting._save_details()
    assert meeting.item_view.records.decision_date.value() == date(2026, 10, 8)


def test_recent_labels_use_as_many_folders_as_tell_files_apart():
    from kpidesk.ui.welcome import recent_labels

    paths = [Path("/a/kund/norr/x.kpidesk"), Path("/b/kund/norr/x.kpidesk"), Path("/y.kpidesk")]
    assert recent_labels(paths) == [
        "x.kpidesk — a/kund/norr",
        "x.kpidesk — b/kund/norr",
        "y.kpidesk",
    ]
