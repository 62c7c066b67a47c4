"""``kpidesk server user add|remove`` and ``server users`` end to end, and an updater's import
of another unit's values refused by the command line (exit 1, naming the unit)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.e2e.test_server_cli import kpidesk, ok, one_line_error


def test_people_on_the_command_line(pg_server, demo_file, pg_url, tmp_path):
    ok(kpidesk("publish", demo_file, pg_url))
    name = f"märta o'hara {os.getpid()}"
    env = dict(os.environ, LANGUAGE="en")
    added = subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", "server", "user", "add", pg_url, name,
         "--role", "updater", "--units", "Luleå store", "--password-stdin"],
        input="hemligt ord\n", capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "as updater" in added.stdout
    listed = ok(kpidesk("server", "users", pg_url))
    assert f"{name}\tupdater\tLuleå store" in listed
    error = one_line_error(kpidesk("server", "user", "add", pg_url, "x", "--role", "updater"), 2)
    assert "--units" in error

    values = tmp_path / "values.csv"
    values.write_text(
        "Month;Unit;KPI;Value\n2030-01;Luleå store;Revenue;10\n2030-01;Online shop;Revenue;5\n",
        encoding="utf-8",
    )
    dbname = pg_url.rsplit("/", 1)[1]
    as_updater = pg_server.url(dbname, user=name.replace(" ", "%20").replace("'", "%27"))
    line = one_line_error(kpidesk("import", as_updater, values), 1)
    assert "Online shop" in line
    ok(kpidesk("server", "user", "remove", pg_url, name))
    assert name not in ok(kpidesk("server", "users", pg_url))
    one_line_error(kpidesk("server", "user", "remove", pg_url, name), 1)
