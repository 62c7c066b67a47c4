"""The command line on a server workspace, as a team's administrator runs it: ``server init``,
``publish``, ``check``, ``export``, ``import`` and its undo, ``backup``, ``copy`` and
``server migrate``, against the session's throw-away PostgreSQL server."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from kpidesk.store.migrations import SCHEMA_VERSION
from tests.pgserver import PASSWORD_ROLE


def kpidesk(*args, env_extra=None, timeout=180):
    env = dict(os.environ)
    env.update(env_extra or {})
    env.setdefault("LANGUAGE", "en")
    return subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def ok(result):
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return result.stdout


def one_line_error(result, code):
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def rows_of_file(path: Path) -> dict[str, list[tuple]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT IN ('change_session') AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            for table in sorted(tables)
        }
    finally:
        connection.close()


def test_the_demo_published_exported_and_copied_back_is_the_demo(demo_file, pg_empty_url, tmp_path):
    init = ok(kpidesk("server", "init", pg_empty_url))
    assert "kpidesk publish" in init
    published = ok(kpidesk("publish", demo_file, pg_empty_url))
    assert "13 KPIs" in published
    ok(kpidesk("export", demo_file, "--csv", tmp_path / "file.csv"))
    ok(kpidesk("export", pg_empty_url, "--csv", tmp_path / "server.csv"))
    assert (tmp_path / "file.csv").read_bytes() == (tmp_path / "server.csv").read_bytes()

    checked = ok(kpidesk("check", pg_empty_url))
    assert f"{pg_empty_url}: sound (schema {SCHEMA_VERSION})." in checked
    assert "measurement" in checked

    back = tmp_path / "back.kpidesk"
    ok(kpidesk("copy", pg_empty_url, back))
    assert rows_of_file(back) == rows_of_file(demo_file)
    ok(kpidesk("export", back, "--csv", tmp_path / "back.csv"))
    assert (tmp_path / "back.csv").read_bytes() == (tmp_path / "file.csv").read_bytes()
    ok(kpidesk("check", back))

    pack = tmp_path / "pack.xlsx"
    ok(kpidesk("export", pg_empty_url, "--pack", pack, "--period", "2026-10"))
    assert pack.stat().st_size > 10_000


def test_publish_and_init_refuse_and_change_nothing(demo_file, pg_url, pg_empty_url, tmp_path):
    ok(kpidesk("publish", demo_file, pg_url))
    line = one_line_error(kpidesk("publish", demo_file, pg_url), 1)
    assert "holds a workspace already" in line
    with psycopg.connect(pg_empty_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE customers (id int)")
    line = one_line_error(kpidesk("server", "init", pg_empty_url), 1)
    assert "customers" in line
    line = one_line_error(kpidesk("publish", demo_file, pg_empty_url), 1)
    assert "other tables" in line
    with psycopg.connect(pg_empty_url) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]
    assert tables == 1
    line = one_line_error(kpidesk("server", "init", pg_url), 1)
    assert "schema already" in line


def test_import_undo_and_backup_on_a_server(pg_url, tmp_path):
    ok(kpidesk("new", pg_url, "--name", "Kedjan AB"))
    sheet = tmp_path / "values.csv"
    lines = ["Månad;Butik;Nyckeltal;Värde"]
    lines += [f"2025-{m:02d};Kedjan AB;Omsättning;{m * 1000.5}" for m in range(1, 13)]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported = ok(kpidesk("import", pg_url, sheet, "--create-missing", "--json"))
    assert '"imported": 12' in imported
    ok(kpidesk("export", pg_url, "--csv", tmp_path / "after.csv"))
    assert (tmp_path / "after.csv").read_text(encoding="utf-8").count("\n") == 13
    listed = ok(kpidesk("import", pg_url, "--list"))
    assert "values.csv" in listed
    ok(kpidesk("import", pg_url, "--undo", "1"))
    ok(kpidesk("export", pg_url, "--csv", tmp_path / "undone.csv"))
    assert (tmp_path / "undone.csv").read_text(encoding="utf-8").count("\n") == 1

    kept = tmp_path / "kept"
    copy = Path(ok(kpidesk("backup", pg_url, "--to", kept)).strip())
    assert copy.parent == kept and copy.suffix == ".kpidesk"
    ok(kpidesk("check", copy))
    assert f"up to date (schema {SCHEMA_VERSION})" in ok(kpidesk("server", "migrate", pg_url))
    line = one_line_error(kpidesk("restore", pg_url, copy), 2)
    assert "publish" in line


def test_a_dry_run_and_a_refused_import_leave_the_server_as_it_was(pg_url, tmp_path):
    ok(kpidesk("new", pg_url))
    sheet = tmp_path / "bad.csv"
    sheet.write_text("Månad;Nyckeltal;Värde\n2025-01;Okänd;12\n2025-02;Okänd;x\n", encoding="utf-8")

    def state() -> str:
        with psycopg.connect(pg_url) as connection:
            rows = connection.execute(
                "SELECT (SELECT count(*) FROM measurement), (SELECT count(*) FROM kpi),"
                " (SELECT count(*) FROM import_batch), (SELECT count(*) FROM change_log)"
            ).fetchone()
        return hashlib.sha256(repr(rows).encode()).hexdigest()

    before = state()
    kpidesk("import", pg_url, sheet, "--create-missing", "--dry-run")
    assert kpidesk("import", pg_url, sheet, "--create-missing").returncode == 1
    assert state() == before


def test_addresses_that_cannot_be_used_are_said_in_one_line(pg_server, pg_url, tmp_path):
    line = one_line_error(kpidesk("check", "postgresql://u@127.0.0.1:1/x?connect_timeout=2"), 3)
    assert "Could not connect" in line
    line = one_line_error(kpidesk("check", "postgresql://u@host:notaport/x"), 2)
    assert "not a server address" in line
    line = one_line_error(kpidesk("check", pg_url), 3)  # the schema, no workspace
    assert "holds no KPI Desk workspace" in line
    refused = kpidesk(
        "check",
        pg_url.replace("postgres@", f"{PASSWORD_ROLE}@"),
        env_extra={"PGPASSWORD": "", "PGPASSFILE": str(tmp_path / "none")},
    )
    line = one_line_error(refused, 3)
    assert "refused the login" in line
    swedish = kpidesk("check", pg_url, "--lang", "sv")
    assert "innehåller ingen" in one_line_error(swedish, 3)


@pytest.mark.parametrize("command", ["copy", "publish"])
def test_copy_and_publish_want_a_server_address(command, demo_file, tmp_path):
    if command == "copy":
        result = kpidesk("copy", demo_file, tmp_path / "x.kpidesk")
    else:
        result = kpidesk("publish", demo_file, tmp_path / "y.kpidesk")
    assert "postgresql://" in one_line_error(result, 2)
