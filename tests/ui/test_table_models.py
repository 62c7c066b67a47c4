"""The table models and their proxy, without a widget: rows, columns, sorting, filtering."""

from datetime import date

from PySide6.QtCore import QPoint, Qt

from kpidesk.services.actions import ActionData, ActionRow
from kpidesk.services.kpis import KpiData, KpiRow
from kpidesk.ui.models.action_table_model import ActionTableModel
from kpidesk.ui.models.kpi_table_model import KpiTableModel
from kpidesk.ui.models.proxy import TableProxy

DISPLAY = Qt.ItemDataRole.DisplayRole


def kpi(kpi_id, code, name, count):
    return KpiRow(kpi_id, KpiData(code=code, name=name), (), False, measurement_count=count)


def action(action_id, title, status, due):
    return ActionRow(
        action_id,
        ActionData(title=title, status=status, due_date=due),
        None,
        "",
        "",
        False,
        "",
        "",
        "",
        None,
        None,
        False,
        0,
    )


def column(proxy, number):
    return [proxy.index(row, number).data(DISPLAY) for row in range(proxy.rowCount())]


def test_the_kpi_table_keeps_the_services_order_until_a_column_is_sorted(qapp):
    model = KpiTableModel()
    proxy = TableProxy(model)
    model.set_rows(
        [kpi(1, "REV", "Revenue", 9), kpi(2, "NPS", "nps", 10), kpi(3, "AOV", "Basket", 0)], {}
    )
    assert model.rowCount() == 3 and model.columnCount() == 9
    assert column(proxy, KpiTableModel.CODE) == ["REV", "NPS", "AOV"]
    proxy.sort(KpiTableModel.VALUES, Qt.SortOrder.AscendingOrder)
    assert column(proxy, KpiTableModel.VALUES) == [0, 9, 10]  # numbers as numbers
    proxy.sort(KpiTableModel.NAME, Qt.SortOrder.AscendingOrder)
    assert column(proxy, KpiTableModel.NAME) == ["Basket", "nps", "Revenue"]  # case ignored
    assert proxy.source_row(proxy.index(0, 0)) == 2
    assert proxy.view_row(2) == 0


def test_the_action_table_sorts_statuses_in_their_order_and_dates_as_dates(qapp):
    model = ActionTableModel()
    proxy = TableProxy(model)
    model.set_rows(
        [
            action(1, "Call back", "done", date(2026, 10, 2)),
            action(2, "Hire", "open", None),
            action(3, "Measure", "in_progress", date(2026, 9, 30)),
        ]
    )
    proxy.sort(ActionTableModel.STATUS, Qt.SortOrder.AscendingOrder)
    assert column(proxy, ActionTableModel.TITLE) == ["Hire", "Measure", "Call back"]
    proxy.sort(ActionTableModel.DUE, Qt.SortOrder.AscendingOrder)
    assert column(proxy, ActionTableModel.TITLE) == ["Measure", "Call back", "Hire"]  # none last
    proxy.set_filter_text("CALL")
    assert column(proxy, ActionTableModel.TITLE) == ["Call back"]
    proxy.set_filter_text("")
    assert proxy.rowCount() == 3


def test_a_click_on_a_header_sorts_and_only_then_shows_the_arrow(qtbot):
    from PySide6.QtWidgets import QTableView

    from kpidesk.ui.models.proxy import sort_on_header_click

    model = KpiTableModel()
    proxy = TableProxy(model)
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(proxy)
    sort_on_header_click(table)
    model.set_rows([kpi(1, "REV", "Revenue", 9), kpi(2, "AOV", "Basket", 0)], {})
    header = table.horizontalHeader()
    assert column(proxy, KpiTableModel.CODE) == ["REV", "AOV"]
    assert not header.isSortIndicatorShown()
    table.show()
    qtbot.waitExposed(table)
    x = header.sectionViewportPosition(KpiTableModel.CODE) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert header.isSortIndicatorShown()
    assert column(proxy, KpiTableModel.CODE) == ["AOV", "REV"]
