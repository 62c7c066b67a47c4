"""Merging, property-based: random edits to two plain copies of one workspace, then a merge.

Every change made in one copy only is there afterwards; every row changed differently in
both is a reported conflict (and nothing is written while one is unresolved); after
resolving (theirs, then merging back the other way) both copies are equal row for row; and
merging again applies nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from kpidesk.services.data_entry import CellChange, set_values
from kpidesk.services.merge import Prefer, merge_copy
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

KPIS = ("A", "B")
UNITS = ("North", "South")
PERIODS = ("2026-01", "2026-02")
SIDES = st.sampled_from(("mine", "theirs"))


def _base(folder: Path) -> Path:
    path = folder / "base.kpidesk"
    workspace = Workspace.create(path, "Base AB", language="en", root_unit="Base AB")
    try:
        with workspace.atomic():
            root = models.Unit.get(models.Unit.parent.is_null())
            units = [models.Unit.create(name=name, parent=root.id) for name in UNITS]
            kpis = [models.Kpi.create(code=code, name=f"KPI {code}") for code in KPIS]
            models.Goal.create(title="Grow")
            models.Goal.create(title="Keep customers")
        cells = [
            CellChange(kpi.id, unit.id, period, 10.0)
            for kpi in kpis
            for unit in units
            for period in PERIODS[:1]
        ]
        set_values(workspace, cells)
    finally:
        workspace.close()
    return path


def snapshot(path: Path) -> dict[tuple[Any, ...], Any]:
    """The rows the edits touch, keyed so two copies compare row for row."""
    workspace = Workspace.open(path, read_only=True, bind=False)
    try:
        with workspace.bound():
            kpis = {k.id: k.code for k in models.Kpi.select()}
            units = {u.id: u.name for u in models.Unit.select()}
            rows: dict[tuple[Any, ...], Any] = {}
            for m in models.Measurement.select():
                rows[("value", kpis[m.kpi_id], units[m.unit_id], m.period)] = (m.value, m.comment)
            for kpi in models.Kpi.select():
                rows[("kpi", kpi.code)] = (kpi.name, kpi.owner)
            for goal in models.Goal.select():
                rows[("goal", goal.uid)] = (goal.title, goal.status)
            return rows
    finally:
        workspace.close()


def expected_merge(
    base: dict[tuple[Any, ...], Any],
    mine: dict[tuple[Any, ...], Any],
    theirs: dict[tuple[Any, ...], Any],
) -> tuple[dict[tuple[Any, ...], Any], set[tuple[Any, ...]]]:
    """The three-way merge by value, theirs winning conflicts; and the conflicting keys."""
    merged: dict[tuple[Any, ...], Any] = {}
    conflicts = set()
    for key in set(base) | set(mine) | set(theirs):
        o, a, b = base.get(key), mine.get(key), theirs.get(key)
        if a == b or b == o:
            result = a
        elif a == o:
            result = b
        else:
            conflicts.add(key)
            result = b
        if result is not None:
            merged[key] = result
    return merged, conflicts


@pytest.fixture(scope="module")
def base_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _base(tmp_path_factory.mktemp("merge-base"))


class TwoCopies(RuleBasedStateMachine):
    folder: Path
    base: Path

    @initialize()
    def fork(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="run", dir=self.folder))
        self.paths = {side: self.dir / f"{side}.kpidesk" for side in ("mine", "theirs")}
        for path in self.paths.values():
            shutil.copy(self.base, path)
        self.original = snapshot(self.paths["mine"])

    def _open(self, side: str) -> Workspace:
        return Workspace.open(self.paths[side], bind=False)

    @rule(
        side=SIDES,
        kpi=st.sampled_from(KPIS),
        unit=st.sampled_from(UNITS),
        period=st.sampled_from(PERIODS),
        value=st.one_of(st.none(), st.sampled_from((1.0, 2.0, 10.0))),
    )
    def set_value(self, side: str, kpi: str, unit: str, period: str, value: float | None) -> None:
        workspace = self._open(side)
        try:
            with workspace.bound():
                kpi_id = models.Kpi.get(models.Kpi.code == kpi).id
                unit_id = models.Unit.get(models.Unit.name == unit).id
            with workspace.bound():
                set_values(workspace, [CellChange(kpi_id, unit_id, period, value)])
        finally:
            workspace.close()

    @rule(side=SIDES, kpi=st.sampled_from(KPIS), name=st.sampled_from(("Sales", "Margin")))
    def rename_kpi(self, side: str, kpi: str, name: str) -> None:
        workspace = self._open(side)
        try:
            with workspace.atomic():
                models.Kpi.update(name=name).where(models.Kpi.code == kpi).execute()
        finally:
            workspace.close()

    @rule(
        side=SIDES, title=st.sampled_from(("Grow", "Keep customers", "New")), op=st.integers(0, 2)
    )
    def edit_goal(self, side: str, title: str, op: int) -> None:
        workspace = self._open(side)
        try:
            with workspace.atomic():
                goal = models.Goal.get_or_none(models.Goal.title == title)
                if op == 0:
                    models.Goal.create(title=f"{title} ({side})")
                elif goal is not None and op == 1:
                    models.Goal.delete().where(models.Goal.id == goal.id).execute()
                elif goal is not None:
                    models.Goal.update(status="done").where(models.Goal.id == goal.id).execute()
        finally:
            workspace.close()

    def teardown(self) -> None:
        if hasattr(self, "paths"):
            self.merge()

    @rule()
    def merge(self) -> None:
        """All or nothing, then exact: see the module's docstring."""
        before = {side: snapshot(path) for side, path in self.paths.items()}
        expected, conflicting = expected_merge(self.original, before["mine"], before["theirs"])
        mine = Workspace.open(self.paths["mine"], bind=False)
        try:
            report = merge_copy(mine, self.paths["theirs"], backup=False)
            keys = {_key(conflict) for conflict in report.conflicts}
            assert keys == {_cell(key) for key in conflicting}
            assert bool(report.unresolved) == bool(conflicting)
            if conflicting:
                assert not report.done
                assert snapshot(self.paths["mine"]) == before["mine"]
                report = merge_copy(mine, self.paths["theirs"], prefer=Prefer.THEIRS, backup=False)
            assert report.done
            assert merge_copy(mine, self.paths["theirs"], backup=False).total == 0
        finally:
            mine.close()
        assert snapshot(self.paths["mine"]) == expected

        theirs = Workspace.open(self.paths["theirs"], bind=False)
        try:
            back = merge_copy(theirs, self.paths["mine"], prefer=Prefer.THEIRS, backup=False)
            assert back.done
        finally:
            theirs.close()
        assert snapshot(self.paths["theirs"]) == snapshot(self.paths["mine"])
        self.original = snapshot(self.paths["mine"])


def _cell(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return key if key[0] != "goal" else ("goal", key[1])


def _key(conflict: Any) -> tuple[Any, ...]:
    """A reported conflict as the snapshot's key."""
    workspace_key = conflict.key
    if conflict.table == "measurement":
        _c, kpi, unit, period = workspace_key
        return ("value", _names["kpi"][kpi], _names["unit"][unit], period)
    if conflict.table == "kpi":
        return ("kpi", _names["kpi"][workspace_key[0]])
    return ("goal", workspace_key[0])


_names: dict[str, dict[str, str]] = {}


def _learn_names(path: Path) -> None:
    workspace = Workspace.open(path, read_only=True, bind=False)
    try:
        with workspace.bound():
            _names["kpi"] = {k.uid: k.code for k in models.Kpi.select()}
            _names["unit"] = {u.uid: u.name for u in models.Unit.select()}
    finally:
        workspace.close()


def test_random_edits_to_two_copies_merge(base_file, tmp_path):
    _learn_names(base_file)
    TwoCopies.folder = tmp_path
    TwoCopies.base = base_file
    run = TwoCopies.TestCase
    run.settings = settings(
        max_examples=30,
        stateful_step_count=10,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    run().runTest()
