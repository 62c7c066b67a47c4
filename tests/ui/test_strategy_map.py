"""The strategy map's window on the demo: click through to a goal or a KPI, save PNG and SVG,
and edit the vision (undoable)."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from kpidesk.services import strategy as strategy_service
from kpidesk.store import models
from kpidesk.ui import strategy_window
from kpidesk.ui.render.strategy_map import line_rects


def test_click_through_export_and_edit_the_vision(window, demo_copy, tmp_path, monkeypatch):
    window.open_workspace(demo_copy)
    window.action_strategy_map.trigger()
    map_window = window.strategy_map_window
    assert map_window.isVisible()
    canvas = map_window.canvas
    smap = canvas.smap
    assert smap.vision.startswith("Norrland")
    assert canvas.width() == int(canvas.shape.width)

    goal = next(g for g in smap.goals if g.title == "Fast and accurate customer service")
    box = canvas.shape.boxes[goal.id].rect
    QTest.mouseClick(
        canvas, Qt.MouseButton.LeftButton, pos=QPoint(int(box.x + 20), int(box.y + 10))
    )
    assert window.current_page() is window.pages["goals"]
    assert window.pages["goals"].selected_goal_id() == goal.id

    resp = next(k for k in goal.kpis if k.code == "RESP")
    rect = next(
        r for r, kind, item in line_rects(smap, canvas.shape) if (kind, item) == ("kpi", resp.id)
    )
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert window.current_page() is window.pages["kpis"]
    assert window.pages["kpis"].selected_kpi_id() == resp.id

    png = map_window.save_png(tmp_path / "map.png")
    image = QImage(str(png))
    assert image.width() >= 2 * int(canvas.shape.width) and not image.isNull()
    svg = map_window.save_svg(tmp_path / "map.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "Fast and accurate customer service" in svg
    assert not list(tmp_path.glob("*.tmp*"))
    # the workspace itself is never an export's destination
    warned = []
    monkeypatch.setattr(
        strategy_window.QMessageBox, "warning", lambda *args: warned.append(args[2])
    )
    assert map_window.save_png(demo_copy) is None and warned

    def accept(dialog):
        dialog.vision.setPlainText("The north's home store")
        dialog.mission.setPlainText("Homes made easy")
        dialog.accept()
        return dialog.DialogCode.Accepted

    monkeypatch.setattr(strategy_window.StatementDialog, "exec", accept)
    window.edit_vision()
    assert models.WorkspaceSettings.get().vision == "The north's home store"
    assert canvas.smap.vision == "The north's home store"
    window.action_undo.trigger()
    assert strategy_service.read_statement().vision.startswith("Norrland")
    map_window.close()
