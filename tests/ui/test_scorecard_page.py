"""The scorecard page on the demo: rows, statuses in colour and word, filters, activation."""

from kpidesk.domain.periods import Period
from kpidesk.ui.pages.scorecard import COL_ACTUAL, COL_KPI, COL_STATUS, KPI_ID


def scorecard(window):
    window.show_page(list(window.pages).index("scorecard"))
    return window.current_page()


def test_demo_scorecard_groups_by_goal_and_filters(window, demo_copy, qtbot):
    window.open_workspace(demo_copy)
    page = scorecard(window)
    items = page.kpi_items()
    assert len(items) == 13
    texts = {item.data(COL_KPI, KPI_ID): item.text(COL_STATUS) for item in items}
    assert any(text.startswith("✕ Off track") for text in texts.values())
    assert any(text.startswith("✓ On track") for text in texts.values())
    groups = [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())]
    assert any("Grow revenue" in g for g in groups)

    page.status_filter.setCurrentIndex(page.status_filter.findData("red"))
    red = page.kpi_items()
    assert red and all(item.text(COL_STATUS).startswith("✕") for item in red)
    page.status_filter.setCurrentIndex(0)
    page.owner_filter.setCurrentIndex(page.owner_filter.findData("Sara Lind"))
    assert {item.text(COL_KPI).split("(")[-1] for item in page.kpi_items()} == {
        "CSAT)",
        "NPS)",
        "CHURN)",
    }
    page.owner_filter.setCurrentIndex(0)
    page.group_combo.setCurrentIndex(page.group_combo.findData("none"))
    assert page.tree.topLevelItemCount() == 13

    with qtbot.waitSignal(page.kpiActivated) as signal:
        page.tree.itemActivated.emit(page.kpi_items()[0], 0)
    assert isinstance(signal.args[0], int)


def test_changing_unit_and_period_changes_values(window, demo_copy):
    window.open_workspace(demo_copy)
    page = scorecard(window)
    company = {i.text(COL_KPI): i.text(COL_ACTUAL) for i in page.kpi_items()}
    window.context_bar.unit_combo.setCurrentIndex(1)
    store = {i.text(COL_KPI): i.text(COL_ACTUAL) for i in page.kpi_items()}
    assert company["Revenue  (REV)"] != store["Revenue  (REV)"]
    window.session.set_period(Period.quarter(2026, 3))
    quarter = {i.text(COL_KPI): i.text(COL_ACTUAL) for i in page.kpi_items()}
    assert quarter["Revenue  (REV)"] != store["Revenue  (REV)"]
    assert page.kpi_items()[0].text(2) == "Q3 2026"


def test_empty_workspace_says_what_to_do(window, tmp_path):
    from kpidesk.store.workspace import Workspace

    path = tmp_path / "empty.kpidesk"
    Workspace.create(path, "Empty").close()
    window.open_workspace(path)
    page = scorecard(window)
    assert page.stack.currentWidget() is page.empty


def test_groups_are_spanned_and_open_and_columns_fit_their_contents(window, demo_copy):
    from PySide6.QtWidgets import QHeaderView

    window.open_workspace(demo_copy)
    page = scorecard(window)
    tree, header = page.tree, page.tree.header()
    for mode in ("goal", "none", "perspective"):
        page.group_combo.setCurrentIndex(page.group_combo.findData(mode))
        tops = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        headings = [item for item in tops if item.data(COL_KPI, KPI_ID) is None]
        assert bool(headings) == (mode != "none")
        assert all(h.isFirstColumnSpanned() and h.isExpanded() for h in headings)
        fitted = QHeaderView.ResizeMode.ResizeToContents
        for column in (COL_STATUS, COL_ACTUAL):
            assert header.sectionResizeMode(column) is fitted
            hint = max(tree.sizeHintForColumn(column), header.sectionSizeHint(column))
            assert header.sectionSize(column) == hint
        # the KPI names take the room the figures leave (elided, whole in the tooltip)
        assert header.sectionResizeMode(COL_KPI) is QHeaderView.ResizeMode.Stretch
