"""Who did what: the audit trail from the change log, on a file (the name in Settings, given
to the workspace as its actor) and on a server (the login), its CSV export."""

from __future__ import annotations

import csv
from dataclasses import replace

from kpidesk.services import audit, data_entry, kpis, people
from kpidesk.services.data_entry import CellChange
from kpidesk.store import models
from kpidesk.store.workspace import Workspace


def test_a_values_history_names_who_changed_it_from_what_to_what(demo_location):
    with Workspace.open(demo_location) as workspace:
        workspace.actor = "Märta Ek"
        data_entry.set_values(workspace, [CellChange(1, 3, "2031-01", 5.0)])
        data_entry.set_values(workspace, [CellChange(1, 3, "2031-01", 7.5)])
        history = audit.value_history(1, 3, "2031-01")
        assert [entry.op for entry in history] == ["insert", "update"]
        last = audit.last_change(1, 3, "2031-01")
        assert last is not None
        value = next(edit for edit in last.edits if edit.field == "value")
        assert (value.old, value.new) == (5.0, 7.5)
        if workspace.server is None:
            assert last.actor == "Märta Ek"
        else:
            assert last.actor == "postgres"  # the login


def test_a_kpis_history_holds_its_definition_targets_and_values_and_exports(
    demo_location, tmp_path
):
    from kpidesk.services import targets
    from kpidesk.services.targets import TargetChange

    with Workspace.open(demo_location) as workspace:
        workspace.actor = "=HYPERLINK(evil)"
        data = kpis.KpiData.of(models.Kpi.get_by_id(1))
        kpis.update_kpi(workspace, 1, replace(data, name="Sales"))
        targets.set_targets(workspace, [TargetChange(1, None, "2031-01", 100.0)])
        data_entry.set_values(workspace, [CellChange(1, 3, "2031-01", 90.0)])
        data_entry.set_values(workspace, [CellChange(2, 3, "2031-01", 1.0)])  # another KPI
        history = audit.kpi_history(1)
        tables = [entry.table for entry in history[-3:]]
        assert tables == ["kpi", "target", "measurement"]
        assert not any(
            entry.table == "measurement"
            and entry.what == "2031-01 · 3"
            and any(e.field == "kpi_id" and e.new == 2 for e in entry.edits)
            for entry in history
        )  # another KPI's value is not in it
        renamed = history[-3]
        assert any(e.field == "name" and e.new == "Sales" for e in renamed.edits)
        path = tmp_path / "history.csv"
        rows = audit.export_csv(history, path)
        with path.open(encoding="utf-8") as handle:
            read = list(csv.reader(handle))
        assert read[0] == list(audit.COLUMNS) and len(read) == rows + 1
        if workspace.server is None:
            assert read[-1][1] == "'=HYPERLINK(evil)"  # guarded against formula injection
        assert ["name", data.name, "Sales"] in [row[5:8] for row in read]


def test_on_a_server_each_person_is_named_by_their_login(demo_file, pg_url, pg_server):
    from kpidesk.services.servers import publish

    publish(demo_file, pg_url)
    name = "audit-anna"
    people.add_person_at(pg_url, name, "updater", ["Luleå store"])
    dbname = pg_url.rsplit("/", 1)[1]
    with Workspace.open(pg_server.url(dbname, user=name)) as workspace:
        data_entry.set_values(workspace, [CellChange(1, 3, "2026-10", 1.0)])
        assert audit.last_change(1, 3, "2026-10").actor == name
        comment_author = audit.author_of(
            "measurement", models.Measurement.get(kpi=1, unit=3, period="2026-10").uid
        )
        assert comment_author is not None
    people.remove_person_at(pg_url, name)
