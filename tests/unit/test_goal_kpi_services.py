"""Goals and KPIs services, on a real workspace file."""

from datetime import date

import pytest

from kpidesk.domain.kpi_library import load_library
from kpidesk.services import goals as goal_service
from kpidesk.services import kpis as kpi_service
from kpidesk.services.goals import GoalData, GoalError
from kpidesk.services.kpis import KpiData, KpiError, KpiFilter
from kpidesk.store import models
from kpidesk.store.workspace import Workspace


@pytest.fixture
def workspace(workspace_location):
    with Workspace.create(workspace_location, "Acme") as ws:
        yield ws


def test_goal_tree_fields_and_update(workspace):
    vision = goal_service.create_goal(workspace, GoalData("Vision"))
    child = goal_service.create_goal(
        workspace,
        GoalData(
            "Grow", perspective="customer", due_date=date(2027, 12, 31), smart_measurable=True
        ),
        vision,
    )
    rows = goal_service.goal_tree()
    assert [(r.id, r.depth) for r in rows] == [(vision, 0), (child, 1)]
    assert rows[1].data.due_date == date(2027, 12, 31) and rows[1].data.smart_measurable
    before = goal_service.update_goal(workspace, child, GoalData("Grow more", owner="Ann"))
    assert before.title == "Grow" and models.Goal.get_by_id(child).owner == "Ann"
    assert goal_service.smart_score(before) == 1


def test_goal_validation():
    assert "title" in goal_service.validate_goal(GoalData("  "))
    problems = goal_service.validate_goal(
        GoalData("x", start_date=date(2026, 5, 1), due_date=date(2026, 1, 1))
    )
    assert "due_date" in problems


def test_deleting_a_goal_keeps_kpis_data_and_children_and_can_be_undone(workspace):
    top = goal_service.create_goal(workspace, GoalData("Top"))
    middle = goal_service.create_goal(workspace, GoalData("Middle"), top)
    leaf = goal_service.create_goal(workspace, GoalData("Leaf"), middle)
    kpi = kpi_service.create_kpi(workspace, KpiData("REV", "Revenue"), [middle])
    with workspace.atomic():
        models.Measurement.create(kpi=kpi, unit=models.Unit.get(), period="2026-01", value=5)
    snapshot = goal_service.delete_goal(workspace, middle)
    assert models.Kpi.get_by_id(kpi).code == "REV"
    assert models.Measurement.select().count() == 1
    assert models.Goal.get_by_id(leaf).parent_id == top
    goal_service.restore_goal(workspace, snapshot)
    assert models.Goal.get_by_id(leaf).parent_id == middle
    assert {link.goal_id for link in models.KpiGoal.select()} == {middle}


def test_a_goal_cannot_move_under_its_own_descendant(workspace):
    top = goal_service.create_goal(workspace, GoalData("Top"))
    child = goal_service.create_goal(workspace, GoalData("Child"), top)
    with pytest.raises(GoalError):
        goal_service.move_goal(workspace, top, child)
    with pytest.raises(GoalError):
        goal_service.move_goal(workspace, top, top)
    assert goal_service.move_goal(workspace, child, None) == top


def test_kpi_validation_messages_by_field(workspace):
    problems = kpi_service.validate_kpi(KpiData(code="nps 1", name=""))
    assert set(problems) >= {"code", "name"}
    kpi_service.create_kpi(workspace, KpiData("NPS", "NPS"))
    assert kpi_service.validate_kpi(KpiData("NPS", "Other"))["code"].startswith("Another")
    assert "benchmark_source" in kpi_service.validate_kpi(KpiData("X", "X", benchmark_value=80.0))
    assert "direction" in kpi_service.validate_kpi(KpiData("X", "X", direction="up"))
    with pytest.raises(KpiError):
        kpi_service.create_kpi(workspace, KpiData("NPS", "Duplicate"))


def test_update_archive_and_filters(workspace):
    goal = goal_service.create_goal(workspace, GoalData("Service", perspective="customer"))
    a = kpi_service.create_kpi(
        workspace, KpiData("CSAT", "Kundnöjdhet", owner="Sara", indicator_type="leading"), [goal]
    )
    b = kpi_service.create_kpi(workspace, KpiData("REV", "Revenue", owner="Karin"))
    assert [r.data.code for r in kpi_service.list_kpis(KpiFilter(text="kundnojd"))] == ["CSAT"]
    assert [r.id for r in kpi_service.list_kpis(KpiFilter(goal_id=goal))] == [a]
    assert [r.id for r in kpi_service.list_kpis(KpiFilter(perspective="customer"))] == [a]
    assert [r.id for r in kpi_service.list_kpis(KpiFilter(owner="Karin"))] == [b]
    assert [r.id for r in kpi_service.list_kpis(KpiFilter(indicator="leading"))] == [a]
    kpi_service.set_archived(workspace, b, True)
    assert [r.id for r in kpi_service.list_kpis()] == [a]
    assert {r.id for r in kpi_service.list_kpis(KpiFilter(show_archived=True))} == {a, b}
    before = kpi_service.update_kpi(workspace, a, KpiData("CSAT", "Customer satisfaction"))
    assert before.name == "Kundnöjdhet"
    assert kpi_service.owners() == ["Karin"]


def test_add_from_library_links_and_makes_codes_unique(workspace):
    library = load_library()
    goal = goal_service.create_goal(workspace, GoalData("Service"))
    kpi_service.create_kpi(workspace, KpiData("NPS", "Our own NPS"))
    entries = [library.by_code("NPS"), library.by_code("CSAT"), library.by_code("SICK_LEAVE")]
    ids = kpi_service.add_from_library(workspace, entries, language="sv", goal_id=goal)
    created = [models.Kpi.get_by_id(i) for i in ids]
    assert [k.code for k in created] == ["NPS_2", "CSAT", "SICK_LEAVE"]
    assert created[2].name == "Sjukfrånvaro" and created[2].direction == "lower"
    assert all(k.goal_links.count() == 1 for k in created)
    assert created[1].benchmark_source  # the library's cited source comes along
    kpi_service.delete_new_kpis(workspace, ids)
    assert models.Kpi.select().count() == 1


def test_formulas_are_checked_when_saved_and_a_loop_is_named(workspace):
    kpi_service.create_kpi(workspace, KpiData("PROM", "Promoters"))
    kpi_service.create_kpi(workspace, KpiData("DETR", "Detractors"))
    nps = kpi_service.create_kpi(workspace, KpiData("NPS", "NPS", formula="PROM - DETR"))
    unknown = kpi_service.validate_kpi(KpiData("X", "X", formula="PROM - NOPE"))
    assert unknown["formula"] == "The formula has an unknown name “NOPE”."
    broken = kpi_service.validate_kpi(KpiData("X", "X", formula="PROM +* 2"))
    assert "cannot be read" in broken["formula"]
    # PROM defined through NPS closes a loop NPS → PROM → NPS
    prom = models.Kpi.get(models.Kpi.code == "PROM")
    looped = KpiData.of(prom)
    looped.formula = "NPS * 2"
    assert kpi_service.validate_kpi(looped, kpi_id=prom.id)["formula"] == (
        "The formula makes a loop: PROM → NPS → PROM."
    )
    with pytest.raises(KpiError):
        kpi_service.update_kpi(workspace, prom.id, looped)
    selfish = KpiData.of(models.Kpi.get_by_id(nps))
    selfish.formula = "NPS + 1"
    assert "loop" in kpi_service.validate_kpi(selfish, kpi_id=nps)["formula"]
