"""Shared test set-up: offscreen Qt, and no test touches the real user's files or settings."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A guard for session-scoped fixtures, which run before the per-test home below exists.
os.environ["KPIDESK_HOME"] = tempfile.mkdtemp(prefix="kpidesk-test-home-")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point every user directory (data, config, logs, QSettings) at a fresh folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("KPIDESK_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "xdg-state"))
    return home


@pytest.fixture(autouse=True)
def english_by_default():
    from kpidesk import i18n

    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    return tmp_path / "test.kpidesk"


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace written once per session; copy it before changing it."""
    from kpidesk.domain.periods import Period
    from kpidesk.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.kpidesk"
    build_demo(path, until=Period.month(2026, 10), language="en")
    return path


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "demo.kpidesk"
    shutil.copyfile(demo_file, target)
    return target


# A PostgreSQL server for the tests (see tests/pgserver.py) -------------------------------


@pytest.fixture(scope="session")
def pg_server():
    """The session's throw-away PostgreSQL server; the test is skipped where none can run."""
    from tests.pgserver import start_server

    try:
        server = start_server()
    except LookupError as error:
        pytest.skip(str(error))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a fresh database holding the empty KPI Desk schema (``server init``)."""
    name = pg_server.new_database(schema=True)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture
def pg_empty_url(pg_server) -> str:
    """The URL of a fresh, empty database."""
    name = pg_server.new_database(schema=False)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture(params=["file", "server"])
def workspace_location(request, workspace_path: Path) -> Path | str:
    """Where a test's workspace is made: a file, and (the same test again) a database on the
    test server; a store or service test that takes this runs on both backends."""
    if request.param == "file":
        return workspace_path
    return request.getfixturevalue("pg_url")


@pytest.fixture(params=["file", "server"])
def demo_location(request, demo_file: Path, tmp_path: Path) -> Path | str:
    """The demo company: a copy of the session's demo file, and (the same test again) the
    demo published onto a fresh database of the test server."""
    if request.param == "file":
        return request.getfixturevalue("demo_copy")
    from kpidesk.services.servers import publish

    url = request.getfixturevalue("pg_url")
    publish(demo_file, url)
    return url
