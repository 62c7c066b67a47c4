"""The KPI health panel: findings from the workspace, each a link to what to fix."""

from kpidesk.services import goals as goal_service
from kpidesk.services import kpis as kpi_service
from kpidesk.services.goals import GoalData
from kpidesk.services.kpis import KpiData
from kpidesk.store.workspace import Workspace


def test_findings_link_to_the_goal_and_kpi_to_fix(window, tmp_path):
    path = tmp_path / "health.kpidesk"
    Workspace.create(path, "Health").close()
    window.open_workspace(path)
    ws = window.session.workspace
    goal = goal_service.create_goal(ws, GoalData("Lonely goal"))
    kpi = kpi_service.create_kpi(ws, KpiData("REV", "Revenue"))
    window.action_health.trigger()
    panel = window.health_panel
    assert panel.isVisible()
    messages = [panel.findings.item(i).text() for i in range(panel.findings.count())]
    assert any("Lonely goal" in m for m in messages)
    assert any("Revenue" in m and "owner" in m for m in messages)

    goal_item = next(
        panel.findings.item(i)
        for i in range(panel.findings.count())
        if "Lonely goal" in panel.findings.item(i).text()
    )
    panel.findings.itemActivated.emit(goal_item)
    assert window.current_page().key == "goals"
    assert window.current_page().selected_goal_id() == goal

    kpi_item = next(
        panel.findings.item(i)
        for i in range(panel.findings.count())
        if "owner" in panel.findings.item(i).text()
    )
    panel.findings.itemActivated.emit(kpi_item)
    assert window.current_page().key == "kpis"
    assert window.current_page().selected_kpi_id() == kpi

    kpi_service.update_kpi(ws, kpi, KpiData("REV", "Revenue", owner="Karin"))
    window.session.dataChanged.emit()
    messages = [panel.findings.item(i).text() for i in range(panel.findings.count())]
    assert not any("Revenue" in m and "owner" in m for m in messages)
