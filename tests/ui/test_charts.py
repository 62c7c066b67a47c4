"""The KPI chart window and the comparison of units, on the demo workspace."""

import math
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest
from PySide6.QtCore import QPointF, Qt

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.services import charts as chart_service
from kpidesk.store import models
from kpidesk.ui.charts import open_comparison, open_kpi_chart


def kpi_id(code: str) -> int:
    return models.Kpi.get(models.Kpi.code == code).id


def unit_id(name: str) -> int:
    return models.Unit.get(models.Unit.name == name).id


def finite(values) -> list[float]:
    return [float(v) for v in values if not math.isnan(v)]


@pytest.fixture
def chart(window, demo_copy, qtbot):
    window.open_workspace(demo_copy)
    chart = open_kpi_chart(window.session, kpi_id("REV"), parent=window)
    chart.resize(1280, 720)
    qtbot.waitExposed(chart)
    return chart


def period_start_x(period: Period) -> float:
    from kpidesk.ui.charts.plotting import period_start_x as start_x

    return start_x(period)


def period_x(period: Period) -> float:
    from kpidesk.ui.charts.plotting import period_x as middle_x

    return middle_x(period)


def scene_pos_of(chart, period: Period, value: float) -> QPointF:
    from kpidesk.ui.charts.plotting import period_x

    view = chart.plot.getPlotItem().getViewBox()
    return view.mapViewToScene(QPointF(period_x(period), value))


def test_the_chart_carries_actual_target_average_last_year_forecast_and_bands(chart):
    data = chart.data
    assert chart.windowTitle() == "Revenue"
    assert data.kind is PeriodKind.MONTH and len(data.periods) == 36
    series = data.series[0]
    assert series.unit_name == "Solbacka Hem AB"

    visible = [c for c in chart.unit_curves if c.isVisible()]
    assert visible == [chart.unit_curves[0]]
    actual = chart.unit_curves[0]
    assert list(actual.yData) == series.values
    assert len(actual.xData) == 36
    target = chart.target_curves[0]
    assert len(target.yData) == 72  # a step per month: start and end
    assert finite(target.yData)[::2] == [p.target for p in series.points]
    assert finite(chart.average_curve.yData) == [v for v in series.moving_averages if v]
    assert finite(chart.last_year_curve.yData) == [v for v in series.last_year if v]
    assert chart.forecast_curve.isVisible()
    assert len(chart.forecast_curve.yData) == len(series.forecast_points) + 1
    assert data.forecast_to == Period.month(2027, 12)  # the goals' due date
    assert chart.forecast_band.isVisible()
    fills = {zone for zone, fill in chart.band_fills.items() if fill.isVisible()}
    assert fills == {"green", "amber_low", "red_low"}  # higher is better: nothing above
    assert "At this pace" in chart.sentence.text()
    legend = [label.text for _sample, label in chart.legend.items]
    assert legend[:3] == ["Actual", "Target", "Moving average (3 months)"]
    assert "Forecast" in legend and "✓ On track" in legend
    assert chart.plot.getPlotItem().getAxis("left").labelText == "SEK"


def test_switching_kpi_reuses_the_plot_and_its_curves(chart):
    plot, actual, target = chart.plot, chart.unit_curves[0], chart.target_curves[0]
    revenue = list(actual.yData)
    chart.show_kpi(kpi_id("CSAT"))
    assert chart.plot is plot
    assert chart.unit_curves[0] is actual and chart.target_curves[0] is target
    assert list(actual.yData) != revenue
    assert chart.windowTitle() == "Customer satisfaction (CSAT)"
    assert chart.benchmark_line.isVisible() and chart.benchmark_line.value() == 80.0
    assert chart.plot.getPlotItem().getAxis("left").labelText == "%"
    again = open_kpi_chart(chart.session, kpi_id("REV"))
    assert again is chart and chart.plot is plot
    assert list(actual.yData) == revenue


def test_aggregation_changes_the_number_of_points(chart):
    chart.set_kind(PeriodKind.QUARTER)
    assert len(chart.unit_curves[0].xData) == 11  # Q1 2024 – Q3 2026, whole quarters only
    assert chart.data.periods[-1] == Period.quarter(2026, 3)
    chart.set_kind(PeriodKind.YEAR)
    assert len(chart.unit_curves[0].xData) == 2
    chart.set_kind(PeriodKind.MONTH)
    assert len(chart.unit_curves[0].xData) == 36
    # A quarterly KPI is never drawn finer than its quarters.
    chart.show_kpi(kpi_id("STOCK"))
    assert chart.data.kind is PeriodKind.QUARTER
    assert [chart.kind_combo.itemData(i) for i in range(chart.kind_combo.count())] == [
        "quarter",
        "year",
    ]


def test_several_units_give_several_curves_and_columns(chart):
    ids = [unit_id(n) for n in ("Solbacka Hem AB", "Umeå store", "Luleå store", "Online shop")]
    chart.set_units(ids)
    visible = [c for c in chart.unit_curves if c.isVisible()]
    assert len(visible) == 4
    assert len({tuple(c.yData) for c in visible}) == 4
    assert [s.unit_id for s in chart.data.series] == ids
    assert sum(c.isVisible() for c in chart.target_curves) == 4
    assert chart.table_model.columnCount() == 1 + 4 * 3 + 1
    legend = [label.text for _sample, label in chart.legend.items]
    assert legend[:4] == ["Solbacka Hem AB", "Umeå store", "Luleå store", "Online shop"]
    chart.set_units(ids[1:2])
    assert sum(c.isVisible() for c in chart.unit_curves) == 1


def test_the_table_lists_periods_newest_first_with_status_and_comment(chart):
    model = chart.table_model
    assert model.rowCount() == 36
    assert model.index(0, 0).data() == "October 2026"
    status = model.index(0, 3).data()
    assert status.split()[0] in {"✓", "!", "✕", "–"}
    assert model.index(0, 3).data(Qt.ItemDataRole.BackgroundRole) is not None
    september = model.index(1, 4).data()
    assert september == "Umeå store: Entrance renovated, closed for four days."


def test_hover_shows_period_value_target_and_comment(chart, qtbot):
    chart.set_units([unit_id("Umeå store")])
    point = chart.data.series[0].point_at(Period.month(2026, 9))
    pos = scene_pos_of(chart, point.period, point.value)
    chart._mouse_moved(pos)
    assert chart.hover_visible
    html = chart.hover_label.textItem.toHtml()
    for text in ("September 2026", "Umeå store", "Entrance renovated"):
        assert text in html
    assert chart.data.format(point.value).replace("\u00a0", " ") in html.replace("\u00a0", " ")
    assert chart.data.format(point.target).replace("\u00a0", " ") in html.replace("\u00a0", " ")
    chart._mouse_moved(QPointF(-500, -500))
    assert not chart.hover_visible


def test_a_note_is_pinned_from_the_menu_drawn_and_undone(chart):
    chart.set_units([unit_id("Umeå store")])
    chart.note_dialog = lambda parent, title, label: ("Campaign week", True)
    point = chart.data.series[0].point_at(Period.month(2026, 6))
    menu = chart.context_menu_at(scene_pos_of(chart, point.period, point.value))
    pin = next(a for a in menu.actions() if a.text() == "Pin a note…")
    assert pin.isEnabled()
    pin.trigger()
    stored = chart_service.notes(kpi_id("REV"))
    assert [(n.text, n.period, n.unit_id) for n in stored] == [
        ("Campaign week", Period.month(2026, 6), unit_id("Umeå store"))
    ]
    labels = [item for item in chart._note_items if item.isVisible()]
    assert len(labels) == 1 and "Campaign week" in labels[0].toPlainText()
    undo = chart.session.undo_stack
    undo.undo()
    assert chart_service.notes(kpi_id("REV")) == []
    assert not any(item.isVisible() for item in chart._note_items)
    undo.redo()
    assert len(chart_service.notes(kpi_id("REV"))) == 1
    menu = chart.context_menu_at(scene_pos_of(chart, point.period, point.value))
    delete = next(a for a in menu.actions() if a.text().startswith("Delete the note"))
    delete.trigger()
    assert chart_service.notes(kpi_id("REV")) == []
    empty = chart.context_menu_at(QPointF(-500, -500))
    assert not next(a for a in empty.actions() if a.text() == "Pin a note…").isEnabled()


def test_export_writes_png_and_svg(chart, tmp_path):
    asked = []

    def fake_dialog(parent, title, start, filters):
        asked.append((start, filters))
        return str(tmp_path / f"chart-{len(asked)}"), filters.split(";;")[-1]

    chart.save_dialog = fake_dialog
    png = chart.export_dialog("png")
    svg = chart.export_dialog("svg")
    assert png == tmp_path / "chart-1.png" and svg == tmp_path / "chart-2.svg"
    assert asked[0][0].endswith("REV-month.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.stat().st_size > 1000
    root = ElementTree.parse(svg).getroot()
    assert root.tag.endswith("svg")
    chart.save_dialog = lambda *args: ("", "")
    assert chart.export_dialog() is None


def test_legend_and_overlays_can_be_switched_off(chart):
    chart.legend_action.setChecked(False)
    assert not chart.legend.isVisible()
    chart.forecast_action.setChecked(False)
    assert not chart.forecast_curve.isVisible()
    assert chart.sentence.text() == ""
    chart.bands_action.setChecked(False)
    assert not any(fill.isVisible() for fill in chart.band_fills.values())
    chart.legend_action.setChecked(True)
    assert chart.legend.isVisible()


def legend_extent(chart) -> tuple[float, float]:
    """The leftmost and rightmost pixel of the legend's samples and texts, in the plot."""
    edges = []
    for sample, label in chart.legend.items:
        for part in (sample, label.item):
            scene = part.mapToScene(part.boundingRect()).boundingRect()
            rect = chart.plot.mapFromScene(scene).boundingRect()
            edges += [rect.left(), rect.right()]
    return min(edges), max(edges)


def test_the_legend_flows_into_as_many_columns_as_fit_the_plot(chart, qtbot):
    chart.set_units([u.id for u in models.Unit.select()])
    assert len(chart.legend.items) >= 10
    chart.resize(900, 720)
    qtbot.waitUntil(lambda: chart.plot.width() < 800)
    chart.plot.grab()
    left, right = legend_extent(chart)
    assert left >= 0 and right <= chart.plot.viewport().width()
    narrow = chart.legend.columnCount
    chart.resize(1600, 720)
    qtbot.waitUntil(lambda: chart.plot.width() > 1300)
    chart.plot.grab()
    assert chart.legend.columnCount > narrow
    assert legend_extent(chart)[1] <= chart.plot.viewport().width()


def test_a_legend_entry_too_wide_on_its_own_is_cut_short(chart):
    from kpidesk.ui.charts.plotting import legend_columns

    assert legend_columns([100, 50, 100, 50], 330, 10) == 4
    assert legend_columns([100, 50, 100, 50], 300, 10) == 3
    assert legend_columns([100, 50, 100, 50], 260, 10) == 2
    assert legend_columns([400, 50], 300, 10) == 1
    names = [label.text for _sample, label in chart.legend.items]
    chart.legend.fit(200)
    assert chart.legend.columnCount == 1
    texts = [label.item.toPlainText() for _sample, label in chart.legend.items]
    assert any(text.endswith("…") for text in texts)
    assert all(label.minimumWidth() + 28 <= 200 for _sample, label in chart.legend.items)
    chart.legend.fit(2000)
    assert [label.text for _sample, label in chart.legend.items] == names


def test_the_view_fits_every_line_and_zooming_in_fits_what_is_in_view(chart):
    view = chart.plot.getPlotItem().getViewBox()
    series = chart.data.series[0]
    forecast = series.forecast_points
    drawn = [v for v in series.values + series.target_lows + series.last_year if v is not None]
    drawn += [p.low for p in forecast] + [p.high for p in forecast]
    (left, right), (bottom, top) = view.viewRange()
    assert bottom < min(drawn) and top > max(drawn)
    assert left < period_start_x(chart.data.periods[0]) and right > period_x(forecast[-1].period)
    # Zoomed in on the summer of 2025, the values axis fits those months, not everything.
    summer = chart.data.periods[18:24]
    view.setXRange(period_start_x(summer[0]), period_start_x(summer[-1]), padding=0)
    chart.plot.grab()
    shown = [
        v
        for p in summer[:-1]
        for v in (series.point_at(p).value, series.point_at(p).target)
        if v is not None
    ]
    (_left, _right), (low, high) = view.viewRange()
    assert high < top - (top - bottom) / 10
    assert low <= min(shown) and high >= max(shown)
    chart.show_everything()
    chart.plot.grab()
    assert view.viewRange()[1][1] > max(drawn)


def test_a_curve_hidden_from_the_legend_leaves_the_range(chart):
    small, large = unit_id("Umeå store"), unit_id("Solbacka Hem AB")
    chart.forecast_action.setChecked(False)
    chart.average_action.setChecked(False)
    chart.last_year_action.setChecked(False)
    chart.set_units([small, large])
    view = chart.plot.getPlotItem().getViewBox()
    index = [s.unit_id for s in chart.data.series].index(large)
    lowest = min(v for v in chart.data.series[index].values if v is not None)
    assert view.viewRange()[1][1] > lowest
    chart.unit_curves[index].setVisible(False)  # as a click on its legend entry does
    chart.target_curves[index].setVisible(False)
    view.updateAutoRange()
    assert view.viewRange()[1][1] < lowest


def test_axis_hairlines_fill_exactly_the_pixels_a_line_would():
    from PySide6.QtCore import QLineF, QPointF
    from PySide6.QtGui import QColor, QImage, QPainter, QPen

    from kpidesk.ui.charts.plotting import _hairline_pixels

    def image() -> QImage:
        result = QImage(120, 120, QImage.Format.Format_ARGB32_Premultiplied)
        result.fill(QColor("white"))
        return result

    colour = QColor(36, 41, 47, 45)
    pen = QPen(colour)
    pen.setCosmetic(True)
    pen.setWidthF(1.0)
    for across in (10.0, 10.5, 10.37, 57.91):
        for start, end in ((3.2, 101.7), (101.7, 3.2), (0.0, 99.5)):
            for line in (QLineF(start, across, end, across), QLineF(across, start, across, end)):
                for shift in ((0.0, 0.0), (1.0, 31.0), (0.25, 0.5)):
                    drawn, filled = image(), image()
                    painter = QPainter(drawn)
                    painter.translate(*shift)
                    painter.setPen(pen)
                    painter.drawLine(line)
                    painter.end()
                    painter = QPainter(filled)
                    offset = QPointF(*shift)
                    painter.fillRect(
                        _hairline_pixels(line.p1() + offset, line.p2() + offset), colour
                    )
                    painter.end()
                    assert drawn == filled, (line, shift)


def test_the_window_paints_with_twenty_units_ticked(chart):
    units = [u.id for u in models.Unit.select()]
    chart.set_units(units)
    image = chart.grab().toImage()
    assert not image.isNull()
    assert sum(c.isVisible() for c in chart.unit_curves) == len(units)
    model = chart.table_model
    assert model.index(0, 3).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(0, 1).data(Qt.ItemDataRole.BackgroundRole) is None


def test_closing_the_workspace_hides_the_chart(chart, window):
    assert chart.isVisible()
    window.session.close()
    assert not chart.isVisible() and chart.kpi_id is None


def test_comparison_ranks_units_and_the_heat_map_carries_symbols(window, demo_copy, qtbot):
    window.open_workspace(demo_copy)
    csat = kpi_id("CSAT")
    compare = open_comparison(window.session, csat, parent=window)
    qtbot.waitExposed(compare)
    ranking = compare.ranking
    values = [unit.value for unit in ranking.units]
    assert values == sorted(values, reverse=True)
    assert [name for _id, name in compare.heat.units] == [
        "Umeå store",
        "Luleå store",
        "Sundsvall store",
        "Online shop",
    ]
    assert list(compare.bars.opts["width"]) == values
    ticks = compare.plot.getPlotItem().getAxis("left")._tickLevels[0]
    assert [name for _y, name in sorted(ticks, reverse=True)] == [u.name for u in ranking.units]
    assert compare.benchmark_line.isVisible() and compare.benchmark_line.value() == 80.0
    assert len(compare.target_marks.data) == 4

    churn = kpi_id("CHURN")
    compare.show_kpi(churn)
    values = [unit.value for unit in compare.ranking.units]
    assert values == sorted(values)  # lower is better
    assert not compare.benchmark_line.isVisible()

    table = compare.heat_table
    assert table.rowCount() == 13 and table.columnCount() == 4
    symbols = {"✓", "!", "✕", "–"}
    stars = 0
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            text = table.item(row, column).text()
            assert text[0] in symbols
            stars += text.endswith("★")
        kpi = table.verticalHeaderItem(row).data(Qt.ItemDataRole.UserRole)
        best = compare.heat.best_units(kpi)
        for column, (uid, _name) in enumerate(compare.heat.units):
            assert table.item(row, column).text().endswith("★") == (uid in best)
    assert stars >= 13
    table.cellDoubleClicked.emit(0, 0)
    assert compare.ranking.kpi.id == table.verticalHeaderItem(0).data(Qt.ItemDataRole.UserRole)


def test_charts_modules_load_neither_pyqtgraph_nor_numpy_on_import():
    code = (
        "import sys\n"
        "import kpidesk.ui.charts, kpidesk.ui.charts.kpi_chart, kpidesk.ui.charts.comparison\n"
        "print([m for m in sys.modules if m.startswith(('pyqtgraph', 'numpy'))])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_legend_names_are_shown_as_written_not_as_markup(qtbot):
    from kpidesk.ui.charts.plotting import flow_legend, load_pyqtgraph

    pg = load_pyqtgraph()
    legend = flow_legend(labelTextSize="10pt")
    curve = pg.PlotDataItem([0, 1], [0, 1])
    legend.set_entries([(curve, "Bygg & <Hus>")])
    label = legend.items[0][1]
    assert label.item.toPlainText() == "Bygg & <Hus>"
