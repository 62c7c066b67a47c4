"""The schema version of a workspace file and the ladder of steps that brings any older file
up to date (a server's schema is made whole at version 6 and has its own ladder from there:
:mod:`kpidesk.store.postgres`).

Step ``n`` takes a workspace from version ``n - 1`` to ``n``. Each step runs in its own
transaction together with the version bump, so a failed step leaves the previous version.
The caller copies the file before the first step (see ``Workspace.open``).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from kpidesk.store.schema_v1 import SCHEMA_V1
from kpidesk.store.sqlite import (
    CHANGE_LOG_SQL,
    renew_log_triggers,
    schema_version,
    set_schema_version,
)

log = logging.getLogger(__name__)

MigrationStep = Callable[[Any], None]
"""A step, given a ``sqlite3`` connection in autocommit mode inside the step's transaction."""


def _create_v1(connection: Any) -> None:
    for statement in SCHEMA_V1.split(";\n"):
        if statement.strip():
            connection.execute(statement)


def _v2_goal_smart_checklist(connection: Any) -> None:
    for column in ("specific", "measurable", "accepted", "realistic", "time_bound"):
        connection.execute(
            f'ALTER TABLE "goal" ADD COLUMN "smart_{column}" INTEGER NOT NULL DEFAULT 0'
        )


def _v3_period_indexes(connection: Any) -> None:
    """Covering indexes so a scorecard reads only the periods it shows (about 3× faster)."""
    connection.execute(
        'CREATE INDEX IF NOT EXISTS "measurement_period_cover" ON "measurement"'
        ' ("period", "kpi_id", "unit_id", "value")'
    )
    connection.execute(
        'CREATE INDEX IF NOT EXISTS "target_period_cover" ON "target"'
        ' ("period", "kpi_id", "unit_id", "value", "value_high")'
    )


def _v4_undoable_imports(connection: Any) -> None:
    """What undoing an import needs: its counts, and what it replaced and created."""
    for name, definition in (
        ("imported_into", "VARCHAR(255) NOT NULL DEFAULT 'actuals'"),
        ("skipped_count", "INTEGER NOT NULL DEFAULT 0"),
        ("replaced_count", "INTEGER NOT NULL DEFAULT 0"),
    ):
        connection.execute(f'ALTER TABLE "import_batch" ADD COLUMN "{name}" {definition}')
    connection.execute(
        'CREATE TABLE "import_change" ("id" INTEGER NOT NULL PRIMARY KEY,'
        ' "batch_id" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL, "kpi_id" INTEGER,'
        ' "unit_id" INTEGER, "period" VARCHAR(255), "value" REAL, "value_high" REAL,'
        ' "new_value" REAL, "comment" TEXT, "source" VARCHAR(255), "old_batch_id" INTEGER,'
        ' "entered_at" DATETIME, "alias" VARCHAR(255),'
        ' FOREIGN KEY ("batch_id") REFERENCES "import_batch" ("id") ON DELETE CASCADE)'
    )
    connection.execute('CREATE INDEX "import_change_batch_id" ON "import_change" ("batch_id")')


def _v5_fewer_measurement_indexes(connection: Any) -> None:
    """Drop the indexes of measurement by unit and by import batch (peewee makes one for
    every foreign key). They served only deleting a unit and undoing an import, where a scan
    of a million rows takes 0.07 s, and every write paid for them: a million-row import
    spent 0.5 s building them again."""
    connection.execute('DROP INDEX IF EXISTS "measurement_unit_id"')
    connection.execute('DROP INDEX IF EXISTS "measurement_batch_id"')


V6_TABLES = (
    "workspace_settings",
    "unit",
    "goal",
    "kpi",
    "kpi_goal",
    "target",
    "target_path",
    "import_profile",
    "import_batch",
    "import_change",
    "measurement",
    "kpi_alias",
    "unit_alias",
    "review",
    "review_unit",
    "review_event",
    "review_comment",
    "decision",
    "action",
    "chart_note",
)
UNINDEXED_UIDS = ("measurement", "import_change")
"""Tables whose ``uid`` has no index: a million-row import would pay for one (random keys
scatter every insert) and nothing looks their rows up by it; merging matches measurements by
their key (KPI, unit, period) first."""

UID_NAMESPACE = uuid.UUID("6f0b3f3c-53a4-4c8e-9a53-4b5044455336")


def _identity_seed(connection: Any) -> str:
    """What two copies of one workspace file share, so that each copy migrated on its own
    gives every row the same ``uid``: the workspace's creation time and name (a new file,
    empty at this step, gets a random seed)."""
    row = connection.execute(
        "SELECT created_at, name FROM workspace_settings ORDER BY id LIMIT 1"
    ).fetchone()
    if row is None:
        return uuid.uuid4().hex
    return f"{row[0]}|{row[1]}"


def _v6_identities_and_change_log(connection: Any) -> None:
    """Every row gets a stable ``uid`` and a ``row_version``; one change log records every
    change from here on (a server workspace has both from the start).

    A row's ``uid`` is derived from the workspace's seed, its table and its id, so two
    copies of one file migrated apart agree on them and can be merged later; so does the
    log's first entry, this migration. New rows get random ones. All-units targets (unit
    null) become unique per KPI and period, as they are on a server: where an older file
    holds two, the newer (the one the Data page shows) is kept.
    """
    seed = _identity_seed(connection)

    def seeded_uid(table: str, row_id: int) -> bytes:
        return uuid.uuid5(UID_NAMESPACE, f"{seed}/{table}/{row_id}").bytes

    connection.create_function("kpidesk_seeded_uid", 2, seeded_uid, deterministic=True)
    for table in V6_TABLES:
        connection.execute(f'ALTER TABLE "{table}" ADD COLUMN "uid" BLOB NOT NULL DEFAULT x\'\'')
        connection.execute(
            f'ALTER TABLE "{table}" ADD COLUMN "row_version" INTEGER NOT NULL DEFAULT 1'
        )
        connection.execute(f'UPDATE "{table}" SET "uid" = kpidesk_seeded_uid(?, "id")', (table,))
        if table not in UNINDEXED_UIDS:
            connection.execute(f'CREATE UNIQUE INDEX "{table}_uid" ON "{table}" ("uid")')
    removed = connection.execute(
        "DELETE FROM target WHERE unit_id IS NULL AND id NOT IN"
        " (SELECT max(id) FROM target WHERE unit_id IS NULL GROUP BY kpi_id, period)"
    ).rowcount
    if removed:
        log.warning("schema 6: removed %s older duplicate all-units targets", removed)
    connection.execute(
        'CREATE UNIQUE INDEX "target_key" ON "target" ("kpi_id", ifnull("unit_id", 0), "period")'
    )
    for statement in CHANGE_LOG_SQL:
        connection.execute(statement)
    connection.execute(
        "INSERT INTO change_log (uid, at, actor, table_name, row_uid, op, old_values,"
        " new_values) VALUES (?, datetime('now'), NULL, '', NULL, 'migrate', NULL, ?)",
        (seeded_uid("change_log", 6), json.dumps({"schema_version": 6})),
    )
    renew_log_triggers(connection, V6_TABLES)


_ROW = '"uid" BLOB NOT NULL, "row_version" INTEGER NOT NULL DEFAULT 1'
V7_TABLES = {
    "initiative": '"id" INTEGER NOT NULL PRIMARY KEY, "goal_id" INTEGER NOT NULL,'
    ' "title" VARCHAR(255) NOT NULL, "owner" VARCHAR(255) NOT NULL, "start_date" DATE,'
    ' "end_date" DATE, "status" VARCHAR(255) NOT NULL, "created_at" DATETIME NOT NULL,'
    f' {_ROW}, FOREIGN KEY ("goal_id") REFERENCES "goal" ("id") ON DELETE CASCADE',
    "milestone": '"id" INTEGER NOT NULL PRIMARY KEY, "initiative_id" INTEGER NOT NULL,'
    ' "title" VARCHAR(255) NOT NULL, "due_date" DATE, "done" INTEGER NOT NULL,'
    f' "sort_order" INTEGER NOT NULL, {_ROW}, FOREIGN KEY ("initiative_id")'
    ' REFERENCES "initiative" ("id") ON DELETE CASCADE',
    "tip": '"id" INTEGER NOT NULL PRIMARY KEY, "kpi_id" INTEGER NOT NULL, "unit_id" INTEGER,'
    ' "review_id" INTEGER, "text" TEXT NOT NULL, "author" VARCHAR(255) NOT NULL,'
    ' "created_at" DATETIME NOT NULL, "tried_on" DATE, "result" TEXT NOT NULL,'
    f' {_ROW}, FOREIGN KEY ("kpi_id") REFERENCES "kpi" ("id") ON DELETE CASCADE,'
    ' FOREIGN KEY ("unit_id") REFERENCES "unit" ("id") ON DELETE CASCADE,'
    ' FOREIGN KEY ("review_id") REFERENCES "review" ("id") ON DELETE SET NULL',
    "reporting_round": '"id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL,'
    ' "period" VARCHAR(255) NOT NULL, "due_date" DATE NOT NULL, "created_at" DATETIME NOT NULL,'
    f" {_ROW}",
    "reporting_delivery": '"id" INTEGER NOT NULL PRIMARY KEY, "round_id" INTEGER NOT NULL,'
    ' "owner" VARCHAR(255) NOT NULL, "kpi_id" INTEGER NOT NULL,'
    ' "file_name" VARCHAR(255) NOT NULL, "delivered_at" DATETIME,'
    f' {_ROW}, FOREIGN KEY ("round_id") REFERENCES "reporting_round" ("id") ON DELETE CASCADE,'
    ' FOREIGN KEY ("kpi_id") REFERENCES "kpi" ("id") ON DELETE CASCADE',
}
V7_INDEXES = (
    'CREATE INDEX "initiative_goal_id" ON "initiative" ("goal_id")',
    'CREATE INDEX "milestone_initiative_id" ON "milestone" ("initiative_id")',
    'CREATE INDEX "tip_kpi_id" ON "tip" ("kpi_id")',
    'CREATE INDEX "tip_unit_id" ON "tip" ("unit_id")',
    'CREATE INDEX "tip_review_id" ON "tip" ("review_id")',
    'CREATE INDEX "reporting_delivery_kpi_id" ON "reporting_delivery" ("kpi_id")',
    'CREATE UNIQUE INDEX "reporting_delivery_round_id_owner_kpi_id" ON "reporting_delivery"'
    ' ("round_id", "owner", "kpi_id")',
)


def _v7_rhythm_strategy_initiatives(connection: Any) -> None:
    """The reporting round (rounds and deliveries), the rhythm of follow-up and the vision
    and mission (on the workspace), "what works" tips, initiatives with milestones, and an
    action's initiative."""
    for name, definition in (
        ("vision", "TEXT NOT NULL DEFAULT ''"),
        ("mission", "TEXT NOT NULL DEFAULT ''"),
        ("review_rhythm", "VARCHAR(255) NOT NULL DEFAULT 'quarterly'"),
        ("review_dates", "TEXT NOT NULL DEFAULT ''"),
        ("next_review_on", "DATE"),
    ):
        connection.execute(f'ALTER TABLE "workspace_settings" ADD COLUMN "{name}" {definition}')
    for table, columns in V7_TABLES.items():
        connection.execute(f'CREATE TABLE "{table}" ({columns})')
        connection.execute(f'CREATE UNIQUE INDEX "{table}_uid" ON "{table}" ("uid")')
    for statement in V7_INDEXES:
        connection.execute(statement)
    connection.execute(
        'ALTER TABLE "action" ADD COLUMN "initiative_id" INTEGER'
        ' REFERENCES "initiative" ("id") ON DELETE SET NULL'
    )
    renew_log_triggers(connection, ("workspace_settings", "action", *V7_TABLES))


STEPS: dict[int, MigrationStep] = {
    1: _create_v1,
    2: _v2_goal_smart_checklist,
    3: _v3_period_indexes,
    4: _v4_undoable_imports,
    5: _v5_fewer_measurement_indexes,
    6: _v6_identities_and_change_log,
    7: _v7_rhythm_strategy_initiatives,
}

SCHEMA_VERSION = max(STEPS)


def newest_version() -> int:
    return max(STEPS)


def pending_steps(current: int, steps: dict[int, MigrationStep] | None = None) -> list[int]:
    steps = STEPS if steps is None else steps
    return [version for version in sorted(steps) if version > current]


def migrate(
    connection: Any,
    steps: dict[int, MigrationStep] | None = None,
) -> list[int]:
    """Run every step above the file's version, each atomically; return the versions run."""
    steps = STEPS if steps is None else steps
    done = []
    for version in pending_steps(schema_version(connection), steps):
        connection.execute("BEGIN IMMEDIATE")
        try:
            steps[version](connection)
            set_schema_version(connection, version)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        done.append(version)
    return done
