# ruff: noqa: E501
"""What a server adds to the schema for a team: people, their rights, and live notices.

Server-only objects, applied (again: every statement may run twice) by ``kpidesk server
init``, ``publish`` and ``server migrate``, and by ``server user add`` on a server made before
them. None of them is part of a workspace file, and none changes the schema version.

- **People.** Each person is a login role named as the person, in one of four group roles
  of this database (``<database>:viewer`` …; their names are kept in ``kpidesk_meta``):
  a viewer reads; an updater also writes values, import bookkeeping, comments, actions and
  chart notes, of their units and the units below them only; an editor writes everything
  in the workspace; an admin also manages people. ``kpidesk_person`` holds each person's
  role and units.
- **Rights** are the server's: grants per table, and row-level security on the tables an
  updater writes, so a person connecting with ``psql`` has exactly the rights the app
  shows. The owner of the tables (who made the workspace) is not held by the policies.
- **Notices.** A statement-level trigger per table and operation, with transition tables,
  sends ``pg_notify('kpidesk', …)`` naming the table and the KPI, unit and period keys the
  statement touched (at most 100; else only the table), so every open app refreshes what
  changed.

The statements are templates: ``{viewer}``, ``{updater}``, ``{editor}``, ``{admin}`` and
``{name}`` are identifiers and ``{password}`` a literal, filled in by
:mod:`kpidesk.store.postgres` with the driver's quoting, never by string formatting.
"""

from __future__ import annotations

from collections.abc import Sequence

from kpidesk.store import pg_schema

CHANNEL = "kpidesk"
MAX_KEYS = 100
"""More keys than this in one statement and the notice says only "table changed"."""

PERSON_TABLE = "kpidesk_person"

WORKSPACE_TABLES = (*pg_schema.TABLES, *pg_schema.TABLES_V7)
"""Every table of the workspace's schema, of every step."""

UPDATER_TABLES = (
    "measurement",
    "import_batch",
    "import_change",
    "import_profile",
    "kpi_alias",
    "unit_alias",
    "review_comment",
    "action",
    "chart_note",
    "reporting_delivery",
    "tip",
)
"""The tables an updater writes (the rows of their own units, where a row has a unit)."""

UNIT_POLICIES = {
    "measurement": "unit_id IN (SELECT unnest(kpidesk_my_units()))",
    "chart_note": "unit_id IN (SELECT unnest(kpidesk_my_units()))",
    "import_change": "unit_id IS NULL OR unit_id IN (SELECT unnest(kpidesk_my_units()))",
    "review_comment": "kpidesk_review_is_mine(review_id)",
    "action": "review_id IS NOT NULL AND kpidesk_review_is_mine(review_id)",
    "tip": "unit_id IN (SELECT unnest(kpidesk_my_units()))",
}
"""Row-level security: which rows of these tables an updater may write. A comment or an
action belongs to the units of its review: an updater writes them when every unit the
review covers is theirs."""

SETUP = f"""
CREATE TABLE IF NOT EXISTS "{PERSON_TABLE}" (
    name text COLLATE "C" PRIMARY KEY,
    role text COLLATE "C" NOT NULL CHECK (role IN ('viewer', 'updater', 'editor', 'admin')),
    unit_ids bigint[] NOT NULL DEFAULT '{{}}',
    added_at timestamptz NOT NULL DEFAULT now())
;;
CREATE OR REPLACE FUNCTION kpidesk_my_units() RETURNS bigint[] LANGUAGE sql STABLE AS $$
    WITH RECURSIVE mine(id) AS (
        SELECT unnest(unit_ids) FROM "{PERSON_TABLE}" WHERE name = current_user
        UNION
        SELECT unit.id FROM unit JOIN mine ON unit.parent_id = mine.id)
    SELECT coalesce(array_agg(id), '{{}}') FROM mine
$$
;;
CREATE OR REPLACE FUNCTION kpidesk_review_is_mine(review bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM review_unit WHERE review_id = review)
       AND NOT EXISTS (SELECT 1 FROM review_unit WHERE review_id = review
                       AND NOT unit_id = ANY (kpidesk_my_units()))
$$
;;
CREATE OR REPLACE FUNCTION kpidesk_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys jsonb;
    total bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT count(*), jsonb_agg(k) INTO total, keys FROM (
            SELECT jsonb_build_array(to_jsonb(o) -> 'kpi_id', to_jsonb(o) -> 'unit_id', to_jsonb(o) -> 'period') AS k
            FROM old_rows o LIMIT {MAX_KEYS + 1}) s;
    ELSE
        SELECT count(*), jsonb_agg(k) INTO total, keys FROM (
            SELECT jsonb_build_array(to_jsonb(n) -> 'kpi_id', to_jsonb(n) -> 'unit_id', to_jsonb(n) -> 'period') AS k
            FROM new_rows n LIMIT {MAX_KEYS + 1}) s;
    END IF;
    IF total = 0 THEN
        RETURN NULL;
    END IF;
    IF total > {MAX_KEYS} THEN
        keys := NULL;
    END IF;
    PERFORM pg_notify('{CHANNEL}', jsonb_build_object(
        'table', TG_TABLE_NAME, 'op', lower(TG_OP), 'by', session_user,
        'pid', pg_backend_pid(), 'keys', keys)::text);
    RETURN NULL;
END $$
"""
"""Made by the owner, whether or not people are managed here (the notices serve every app)."""


def notify_statements(tables: Sequence[str]) -> list[str]:
    """One statement-level trigger per table and operation sending the notice."""
    statements = []
    for table in tables:
        for op, transition in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        ):
            name = f"{table}_notify_{op}"
            statements.append(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            statements.append(
                f'CREATE TRIGGER "{name}" AFTER {op.upper()} ON "{table}"'
                f" REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION kpidesk_notify()"
            )
    return statements


def setup_statements(tables: Sequence[str]) -> list[str]:
    """The functions and notices, for the workspace's ``tables`` present (a server at an older
    schema lacks a later step's)."""
    setup = [part.strip() for part in SETUP.split(";;") if part.strip()]
    return setup + notify_statements(tables)


def rights_statements(tables: Sequence[str]) -> list[str]:
    """Grants and policies for the four group roles on the workspace's ``tables`` present
    (templates: the roles are identifiers)."""
    workspace = [*tables, "change_log", "kpidesk_meta", PERSON_TABLE]
    updater = [table for table in UPDATER_TABLES if table in tables]
    groups = "{viewer}, {updater}, {editor}, {admin}"
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {groups}",
        f"GRANT SELECT ON {', '.join(_q(t) for t in workspace)} TO {groups}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(_q(t) for t in updater)} TO {{updater}}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(_q(t) for t in tables)} TO {{editor}}, {{admin}}",
        "GRANT INSERT ON change_log TO {updater}, {editor}, {admin}",
        f'GRANT INSERT, UPDATE, DELETE ON "{PERSON_TABLE}" TO {{admin}}',
    ]
    for table, condition in UNIT_POLICIES.items():
        if table not in tables:
            continue
        statements += [
            f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
            f'DROP POLICY IF EXISTS kpidesk_read ON "{table}"',
            f'CREATE POLICY kpidesk_read ON "{table}" FOR SELECT USING (true)',
            f'DROP POLICY IF EXISTS kpidesk_edit ON "{table}"',
            f'CREATE POLICY kpidesk_edit ON "{table}" FOR ALL TO {{editor}}, {{admin}} USING (true) WITH CHECK (true)',
            f'DROP POLICY IF EXISTS kpidesk_units ON "{table}"',
            f'CREATE POLICY kpidesk_units ON "{table}" FOR ALL TO {{updater}} USING ({condition}) WITH CHECK ({condition})',
        ]
    return statements


def _q(table: str) -> str:
    return f'"{table}"'
