"""The unit tree's use cases: create, rename, move, usage, delete (move or discard), restore."""

from __future__ import annotations

import pytest

from kpidesk.services import units
from kpidesk.services.overview import unit_tree
from kpidesk.services.units import (
    UnitDeleteError,
    UnitHasDataError,
    UnitMoveError,
    UnitNameError,
    UnitNotFoundError,
)
from kpidesk.store.errors import ReadOnlyWorkspaceError
from kpidesk.store.models import (
    ALL_MODELS,
    ChartNote,
    Kpi,
    Measurement,
    Review,
    ReviewUnit,
    Target,
    TargetPath,
    Unit,
    UnitAlias,
)
from kpidesk.store.workspace import Workspace


@pytest.fixture
def ws(workspace_location):
    workspace = Workspace.create(workspace_location, "Acme")
    yield workspace
    workspace.close()


@pytest.fixture
def demo(demo_location):
    workspace = Workspace.open(demo_location)
    yield workspace
    workspace.close()


def unit_id(name: str) -> int:
    return Unit.get(Unit.name == name).id


def names_under(parent_id: int | None) -> list[str]:
    return [node.name for node in unit_tree() if node.parent_id == parent_id]


def dump() -> dict[str, list[dict]]:
    """Every row of every table, by id: what a restore must bring back exactly (but
    ``row_version``: putting a row back is a change of its own, and counts as one)."""
    return {
        model._meta.table_name: [
            {key: value for key, value in row.items() if key != "row_version"}
            for row in model.select().order_by(model._meta.primary_key).dicts()
        ]
        for model in ALL_MODELS
    }


def add_kpi(code: str = "K") -> int:
    return Kpi.create(code=code, name=code).id


# create ---------------------------------------------------------------------------------
def test_create_puts_the_unit_last_under_its_parent(ws):
    root = units.root_unit_id()
    north = units.create_unit(ws, "  Region   Norr ", root)
    south = units.create_unit(ws, "Region Syd", root)
    assert Unit.get_by_id(north).name == "Region Norr"
    assert names_under(root) == ["Region Norr", "Region Syd"]
    store = units.create_unit(ws, "Luleå store", north)
    assert units.unit_path(store) == ["Acme", "Region Norr", "Luleå store"]
    first = units.create_unit(ws, "Region Öst", root, position=0)
    assert names_under(root) == ["Region Öst", "Region Norr", "Region Syd"]
    assert units.unit_place(first) == units.UnitPlace(root, 0)
    assert units.unit_place(south) == units.UnitPlace(root, 2)


def test_create_refuses_bad_names_and_a_missing_parent(ws):
    root = units.root_unit_id()
    units.create_unit(ws, "Umeå store", root)
    for bad in ("", "   ", "umeå store", "UMEÅ STORE ", "x" * 121):
        with pytest.raises(UnitNameError):
            units.create_unit(ws, bad, root)
    with pytest.raises(UnitNotFoundError):
        units.create_unit(ws, "Orphan", 999)
    assert Unit.select().count() == 2


def test_create_can_reuse_an_id_for_redo(ws):
    root = units.root_unit_id()
    first = units.create_unit(ws, "Butik", root)
    units.delete_unit(ws, first)
    again = units.create_unit(ws, "Butik", root, unit_id=first)
    assert again == first and Unit.get_by_id(first).name == "Butik"
    assert units.create_unit(ws, "Other", root) != first


def test_validate_unit_name_returns_the_message(ws):
    root = units.root_unit_id()
    north = units.create_unit(ws, "Norr", root)
    assert units.validate_unit_name("Syd", root) is None
    assert units.validate_unit_name("", root) == "Give the unit a name."
    assert units.validate_unit_name(" norr ", root) == (
        "There is already a unit named “Norr” under “Acme”."
    )
    assert units.validate_unit_name("NORR", root, unit_id=north) is None  # its own name
    assert units.validate_unit_name("Norr", north) is None  # another level
    assert "at most 120" in units.validate_unit_name("y" * 200, root)
    assert units.suggest_unit_name(root, "Norr") == "Norr 2"
    assert units.suggest_unit_name(root, "New unit") == "New unit"


# rename ---------------------------------------------------------------------------------
def test_rename_keeps_all_data(demo):
    lulea = unit_id("Luleå store")
    before = dump()
    old = units.rename_unit(demo, lulea, "Luleå store City")
    assert old == "Luleå store"
    after = dump()
    assert Unit.get_by_id(lulea).name == "Luleå store City"
    for table in ("measurement", "target", "review_unit"):
        assert after[table] == before[table]
    assert Measurement.select().where(Measurement.unit == lulea).count() == 396
    # a new case of its own name is fine; a sibling's name is not
    units.rename_unit(demo, lulea, "luleå store city")
    with pytest.raises(UnitNameError, match="Umeå store"):
        units.rename_unit(demo, lulea, "umeå store")
    assert Unit.get_by_id(lulea).name == "luleå store city"


# move -----------------------------------------------------------------------------------
def test_move_under_another_unit_and_back(demo):
    root = units.root_unit_id()
    umea, lulea = unit_id("Umeå store"), unit_id("Luleå store")
    north = units.create_unit(demo, "Region Norr", root)
    before = units.move_unit(demo, umea, north)
    assert before == units.UnitPlace(root, 0)
    units.move_unit(demo, lulea, north, position=0)
    assert names_under(north) == ["Luleå store", "Umeå store"]
    assert Measurement.select().where(Measurement.unit == umea).count() == 396
    units.move_unit(demo, umea, before.parent_id, before.position)
    assert names_under(root)[0] == "Umeå store"
    # reorder among the same siblings
    units.move_unit(demo, umea, root, position=2)
    assert names_under(root).index("Umeå store") == 2


def test_move_refusals(ws):
    root = units.root_unit_id()
    north = units.create_unit(ws, "Norr", root)
    store = units.create_unit(ws, "Butik", north)
    counter = units.create_unit(ws, "Kassa", store)
    units.create_unit(ws, "Butik", root)
    with pytest.raises(UnitMoveError, match="top unit"):
        units.move_unit(ws, root, north)
    with pytest.raises(UnitMoveError, match="one top unit"):
        units.move_unit(ws, north, None)
    with pytest.raises(UnitMoveError, match="under itself"):
        units.move_unit(ws, north, north)
    with pytest.raises(UnitMoveError, match="under itself"):
        units.move_unit(ws, north, counter)
    with pytest.raises(UnitNameError, match="already a unit named “Butik”"):
        units.move_unit(ws, store, root)
    with pytest.raises(UnitNotFoundError):
        units.move_unit(ws, store, 12345)
    assert units.unit_path(counter) == ["Acme", "Norr", "Butik", "Kassa"]


# usage ----------------------------------------------------------------------------------
def test_usage_counts_the_unit_and_its_descendants(demo):
    root = units.root_unit_id()
    lulea = unit_id("Luleå store")
    usage = units.unit_usage(lulea)
    assert (usage.measurements, usage.targets, usage.reviews) == (396, 396, 1)
    assert (usage.children, usage.descendants) == (0, 0)
    assert usage.has_data and not usage.is_empty

    counter = units.create_unit(demo, "Kassa", lulea)
    shelf = units.create_unit(demo, "Hylla", counter)
    kpi = Kpi.select().first()
    Measurement.create(kpi=kpi, unit=shelf, period="2020-01", value=1)
    Target.create(kpi=kpi, unit=counter, period="2020-01", value=2)
    TargetPath.create(
        kpi=kpi,
        unit=shelf,
        baseline_period="2020-01",
        baseline_value=1,
        goal_period="2021-01",
        goal_value=2,
    )
    ChartNote.create(kpi=kpi, unit=counter, period="2020-01", text="note")
    UnitAlias.create(alias="LLA", unit=lulea)
    usage = units.unit_usage(lulea)
    assert usage == units.UnitUsage(
        measurements=397,
        targets=397,
        target_paths=1,
        reviews=1,
        chart_notes=1,
        aliases=1,
        children=1,
        descendants=2,
    )
    own = units.unit_usage(lulea, include_descendants=False)
    assert (own.measurements, own.target_paths, own.descendants) == (396, 0, 2)
    whole = units.unit_usage(root)
    assert whole.reviews == 1  # one review about four stores counts once
    assert whole.descendants == 6 and whole.children == 4
    assert units.unit_usage(shelf).is_empty is False
    assert units.value_counts()[lulea] == 396


# delete ---------------------------------------------------------------------------------
def test_delete_an_empty_unit_and_restore_it(ws):
    root = units.root_unit_id()
    units.create_unit(ws, "A", root)
    empty = units.create_unit(ws, "B", root)
    units.create_unit(ws, "C", root)
    before = dump()
    snapshot = units.delete_unit(ws, empty)
    assert names_under(root) == ["A", "C"]
    assert units.restore_unit(ws, snapshot) == empty
    assert dump() == before
    assert names_under(root) == ["A", "B", "C"]


def test_delete_refusals(demo):
    root = units.root_unit_id()
    lulea = unit_id("Luleå store")
    with pytest.raises(UnitDeleteError, match="top unit"):
        units.delete_unit(demo, root, discard_data=True)
    with pytest.raises(UnitHasDataError) as raised:
        units.delete_unit(demo, lulea)
    assert raised.value.usage.measurements == 396
    child = units.create_unit(demo, "Kassa", lulea)
    with pytest.raises(UnitDeleteError, match="deleted with"):
        units.delete_unit(demo, lulea, move_data_to=child)
    with pytest.raises(UnitDeleteError, match="deleted with"):
        units.delete_unit(demo, lulea, move_data_to=lulea)
    with pytest.raises(UnitNotFoundError):
        units.delete_unit(demo, lulea, move_data_to=999)
    # a unit with only an empty sub-unit still asks: the sub-unit would be lost
    empty = units.create_unit(demo, "Tom", root)
    units.create_unit(demo, "Under", empty)
    with pytest.raises(UnitHasDataError):
        units.delete_unit(demo, empty)
    assert Measurement.select().where(Measurement.unit == lulea).count() == 396
    candidates = units.move_data_candidates(lulea)
    assert set(candidates) == {u.id for u in Unit.select()} - {lulea, child}


def test_delete_with_loss_and_restore(demo):
    lulea = unit_id("Luleå store")
    counter = units.create_unit(demo, "Kassa", lulea)
    kpi = Kpi.select().first()
    Measurement.create(kpi=kpi, unit=counter, period="2020-01", value=7, comment="kassa")
    ChartNote.create(kpi=kpi, unit=lulea, period="2020-01", text="note")
    UnitAlias.create(alias="LLA", unit=lulea)
    TargetPath.create(
        kpi=kpi,
        unit=counter,
        baseline_period="2020-01",
        baseline_value=1,
        goal_period="2021-01",
        goal_value=2,
    )
    before = dump()
    total = Measurement.select().count()

    snapshot = units.delete_unit(demo, lulea, discard_data=True)

    assert snapshot.units_removed == 2
    assert snapshot.measurements_removed == 397
    assert snapshot.removed("target") == 396
    assert snapshot.removed("review_unit") == 1
    assert snapshot.measurements_conflicting == 0
    assert Unit.get_or_none(Unit.id == lulea) is None
    assert Unit.get_or_none(Unit.id == counter) is None
    assert Measurement.select().count() == total - 397
    for model in (Target, TargetPath, ChartNote, UnitAlias, ReviewUnit):
        assert model.select().where(model.unit.in_([lulea, counter])).count() == 0
    assert Review.select().count() == 1  # the review itself stays

    assert units.restore_unit(demo, snapshot) == lulea
    assert dump() == before


def test_delete_moving_data_keeps_the_receivers_values_on_conflict(demo):
    root = units.root_unit_id()
    umea = unit_id("Umeå store")
    kpi = Kpi.get(Kpi.code == "REV")
    umea_value = Measurement.get(kpi=kpi, unit=umea, period="2026-01").value
    popup = units.create_unit(demo, "Pop-up", root)
    # two values that clash with Umeå's, one that does not
    Measurement.create(kpi=kpi, unit=popup, period="2026-01", value=1.5)
    Measurement.create(kpi=kpi, unit=popup, period="2026-02", value=2.5)
    Measurement.create(kpi=kpi, unit=popup, period="2019-01", value=3.5, comment="old")
    Target.create(kpi=kpi, unit=popup, period="2026-01", value=9)
    Target.create(kpi=kpi, unit=popup, period="2019-01", value=8)
    UnitAlias.create(alias="Popup", unit=popup)
    review = Review.get()
    ReviewUnit.create(review=review, unit=popup)  # Umeå is in that review already
    corner = units.create_unit(demo, "Hörnan", popup)
    Measurement.create(kpi=kpi, unit=corner, period="2026-01", value=4.5)
    before = dump()
    umea_count = Measurement.select().where(Measurement.unit == umea).count()

    snapshot = units.delete_unit(demo, popup, move_data_to=umea)

    assert snapshot.measurements_moved == 1
    assert snapshot.measurements_conflicting == 2
    assert snapshot.targets_moved == 1 and snapshot.targets_conflicting == 1
    assert snapshot.moved("unit_alias") == 1 and snapshot.removed("review_unit") == 1
    assert Measurement.get(kpi=kpi, unit=umea, period="2026-01").value == umea_value
    moved = Measurement.get(kpi=kpi, unit=umea, period="2019-01")
    assert (moved.value, moved.comment) == (3.5, "old")
    assert Measurement.select().where(Measurement.unit == umea).count() == umea_count + 1
    assert UnitAlias.get(alias="Popup").unit_id == umea
    # the sub-unit moves with its own data
    assert Unit.get_by_id(corner).parent_id == umea
    assert Measurement.get(unit=corner).value == 4.5
    assert Unit.get_or_none(Unit.id == popup) is None

    units.restore_unit(demo, snapshot)
    assert dump() == before


def test_delete_moving_to_the_parent_reparents_sub_units(demo):
    root = units.root_unit_id()
    north = units.create_unit(demo, "Region Norr", root)
    for name in ("Umeå store", "Luleå store"):
        units.move_unit(demo, unit_id(name), north)
    before = dump()
    snapshot = units.delete_unit(demo, north, move_data_to=root)
    assert names_under(root) == ["Sundsvall store", "Online shop", "Umeå store", "Luleå store"]
    assert snapshot.moved_children and snapshot.measurements_moved == 0
    units.restore_unit(demo, snapshot)
    assert dump() == before
    assert names_under(north) == ["Umeå store", "Luleå store"]


def test_delete_moving_refuses_a_sub_unit_name_clash(ws):
    root = units.root_unit_id()
    north = units.create_unit(ws, "Norr", root)
    south = units.create_unit(ws, "Syd", root)
    units.create_unit(ws, "Lager", north)
    units.create_unit(ws, "lager", south)
    with pytest.raises(UnitNameError, match="already a unit named “lager” under “Syd”"):
        units.delete_unit(ws, north, move_data_to=south)
    assert Unit.get_or_none(Unit.id == north) is not None


def test_writes_need_a_writable_workspace(tmp_path):
    path = tmp_path / "ro.kpidesk"
    Workspace.create(path, "Acme").close()
    workspace = Workspace.open(path, read_only=True)
    try:
        root = units.root_unit_id()
        with pytest.raises(ReadOnlyWorkspaceError):
            units.create_unit(workspace, "Norr", root)
        assert Unit.select().count() == 1
    finally:
        workspace.close()
