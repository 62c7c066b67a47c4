"""Old workspace files open, migrate to the current schema and keep every value; the CSV
export holds every stored value exactly once.

``tests/data/workspaces/schema-N.kpidesk`` is the demo company as the release of schema N
wrote it (``tests/data/workspaces/make.py`` tells how). Tests work on copies.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from kpidesk.services.workspaces import export_measurements_csv
from kpidesk.store import backups, models
from kpidesk.store.errors import NeedsMigrationError
from kpidesk.store.migrations import SCHEMA_VERSION
from kpidesk.store.sqlite import APPLICATION_ID
from kpidesk.store.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data" / "workspaces"
FILES = sorted(DATA.glob("schema-*.kpidesk"), key=lambda p: int(p.stem.split("-")[1]))

MEASUREMENTS = (
    "SELECT k.code, u.name, m.period, m.value, m.comment, m.source, m.entered_at"
    " FROM measurement m JOIN kpi k ON k.id = m.kpi_id JOIN unit u ON u.id = m.unit_id"
)


def version_of(path: Path) -> int:
    return int(path.stem.split("-")[1])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def snapshot(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's columns and rows (by rowid), read without writing the file."""
    connection = read_only(path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        result = {}
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            rows = connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            result[table] = (columns, rows)
        return result
    finally:
        connection.close()


def rows_of(path: Path, table: str, columns: list[str]) -> list[tuple]:
    connection = read_only(path)
    try:
        names = ", ".join(f'"{column}"' for column in columns)
        return connection.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid').fetchall()
    finally:
        connection.close()


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_there_is_a_file_for_every_released_schema():
    versions = [version_of(path) for path in FILES]
    assert versions, "no old workspace files in tests/data/workspaces"
    # every schema before the current one was released and must be kept; the current one
    # gets its file when it is released (see make.py)
    assert set(range(1, SCHEMA_VERSION)) <= set(versions) <= set(range(1, SCHEMA_VERSION + 1))
    for path in FILES:
        connection = read_only(path)
        try:
            assert connection.execute("PRAGMA user_version").fetchone()[0] == version_of(path)
            assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        finally:
            connection.close()


@pytest.mark.parametrize("source", FILES, ids=lambda p: p.stem)
def test_an_old_workspace_migrates_and_keeps_every_value(source, tmp_path):
    kept = digest(source)
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    before = snapshot(path)
    measurements_before = rows_of_query(path, MEASUREMENTS)
    assert len(measurements_before) > 1000

    with Workspace.open(path) as workspace:
        assert workspace.schema_version == SCHEMA_VERSION
        assert workspace.integrity_problems() == []
        for model in models.ALL_MODELS:  # the models read every row of the migrated file
            assert model.select().count() == len(before.get(model._meta.table_name, ([], []))[1])
        out = tmp_path / "after.csv"
        exported = export_measurements_csv(workspace, out)
    assert exported == len(measurements_before)

    after = snapshot(path)
    for table, (columns, rows) in before.items():
        assert table in after, table
        assert set(columns) <= set(after[table][0]), table
        assert rows_of(path, table, columns) == rows, table  # same rows, same values, in order
    assert Counter(rows_of_query(path, MEASUREMENTS)) == Counter(measurements_before)

    # the export after the migration shows every value from before, exactly once
    exported_rows = Counter(
        (row["kpi_code"], row["unit"], row["period"], float(row["value"]), row["comment"])
        for row in csv_rows(out)
    )
    assert exported_rows == Counter(
        (code, unit, period, value, comment)
        for code, unit, period, value, comment, _source, _entered in measurements_before
    )

    copies = backups.list_backups(path)
    if version_of(source) < SCHEMA_VERSION:
        assert [copy.reason for copy in copies] == [f"before-migration-v{version_of(source)}"]
        assert copies[0].schema_version == version_of(source)
        assert snapshot(copies[0].path) == before  # the copy is the file as it was
    assert digest(source) == kept  # the kept file itself is never touched


@pytest.mark.parametrize(
    "source", [p for p in FILES if version_of(p) < SCHEMA_VERSION], ids=lambda p: p.stem
)
def test_an_old_workspace_opened_read_only_is_refused_unchanged(source, tmp_path):
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    with pytest.raises(NeedsMigrationError):
        Workspace.open(path, read_only=True)
    assert digest(path) == digest(source)
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]


def rows_of_query(path: Path, query: str) -> list[tuple]:
    connection = read_only(path)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


# Data integrity on export --------------------------------------------------------------------


def test_every_stored_value_is_exported_exactly_once(demo_file, tmp_path):
    stored = Counter(
        (code, unit, period, value)
        for code, unit, period, value, *_rest in rows_of_query(demo_file, MEASUREMENTS)
    )
    assert sum(stored.values()) > 1000
    out = tmp_path / "measurements.csv"
    with Workspace.open(demo_file, read_only=True) as workspace:
        count = export_measurements_csv(workspace, out)
    rows = csv_rows(out)
    exported = Counter(
        (row["kpi_code"], row["unit"], row["period"], float(row["value"])) for row in rows
    )
    assert count == len(rows) == sum(stored.values())
    assert exported == stored  # the same multiset: nothing lost, nothing doubled
    # values are written at full precision: the text reads back as the very same float
    assert all(repr(float(row["value"])) in (row["value"], row["value"] + ".0") for row in rows)
    keys = [(row["kpi_code"], row["unit"], row["period"]) for row in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
