"""Schema 7: the reporting round, tips, initiatives and milestones, the rhythm, the vision and
mission; migrated from a schema-6 file (after a backup) and on a server, every new row with
its uid and version and logged."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

from kpidesk.services import servers
from kpidesk.store import backups, changelog, models, postgres
from kpidesk.store.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data" / "workspaces"
NEW_TABLES = ("initiative", "milestone", "tip", "reporting_round", "reporting_delivery")


def _use_new_tables() -> dict[str, int]:
    goal = models.Goal.select().first() or models.Goal.create(title="Grow")
    kpi = models.Kpi.select().first() or models.Kpi.create(code="REV", name="Revenue")
    initiative = models.Initiative.create(goal=goal, title="New web shop", owner="Eva")
    models.Milestone.create(initiative=initiative, title="Go live", due_date=date(2026, 5, 1))
    models.Tip.create(kpi=kpi, text="Call lost customers within a week", author="Eva")
    round_ = models.ReportingRound.create(name="R", period="2026-03", due_date=date(2026, 4, 10))
    models.ReportingDelivery.create(round=round_, owner="Eva", kpi=kpi)
    models.Action.create(title="Pick a platform", initiative=initiative)
    settings = models.WorkspaceSettings.get()
    settings.vision = "The neighbourhood's favourite shop"
    settings.review_rhythm = "monthly"
    settings.save()
    return {"initiative": initiative.id, "kpi": kpi.id}


def test_a_schema_6_file_migrates_after_a_backup_and_logs_the_new_tables(tmp_path):
    path = tmp_path / "old.kpidesk"
    shutil.copy(DATA / "schema-6.kpidesk", path)
    with Workspace.open(path) as workspace:
        assert workspace.schema_version == 7
        settings = models.WorkspaceSettings.get()
        assert settings.vision == "" and settings.review_rhythm == "quarterly"
        assert settings.next_review_on is None
        assert models.Action.select().where(models.Action.initiative.is_null()).count() == (
            models.Action.select().count()
        )
        with workspace.atomic():
            ids = _use_new_tables()
        for table in NEW_TABLES:
            rows = workspace.connection.execute(
                f'SELECT lower(hex(uid)), row_version FROM "{table}"'
            ).fetchall()
            assert rows and all(len(uid) == 32 and version == 1 for uid, version in rows)
        logged = {entry.table for entry in changelog.changes()}
        assert set(NEW_TABLES) | {"workspace_settings", "action"} <= logged
        # an action's initiative is set null when the initiative goes
        with workspace.atomic():
            models.Initiative.delete_by_id(ids["initiative"])
        assert models.Milestone.select().count() == 0
        assert models.Action.get(models.Action.title == "Pick a platform").initiative is None
    copies = backups.list_backups(path)
    assert copies and "before-migration" in copies[0].name
    with sqlite3.connect(copies[0]) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 6


def test_a_server_at_schema_6_migrates_to_7(pg_empty_url, monkeypatch):
    pg_url = pg_empty_url
    monkeypatch.setattr(postgres, "STEPS", {6: postgres.STEPS[6]})
    Workspace.create(pg_url, "Acme").close()
    monkeypatch.undo()
    result = servers.migrate_server(pg_url)
    assert (result.from_version, result.to_version) == (6, 7)
    with Workspace.open(pg_url) as workspace:
        assert workspace.schema_version == 7
        with workspace.atomic():
            _use_new_tables()
        assert models.WorkspaceSettings.get().review_rhythm == "monthly"
        logged = {entry.table for entry in changelog.changes()}
        assert set(NEW_TABLES) <= logged
        versions = workspace.connection.execute("SELECT row_version FROM tip").fetchall()
        assert versions == [(1,)]
