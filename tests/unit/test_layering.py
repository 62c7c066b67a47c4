"""The lower layers never import Qt or pyqtgraph: checked on the source, and at run time."""

import ast
import subprocess
import sys
from pathlib import Path

import kpidesk

PACKAGE = Path(kpidesk.__file__).parent
LOWER_LAYERS = ["domain", "store", "io", "services"]
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "kpidesk.ui", "kpidesk.app")


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_lower_layers_do_not_import_qt_in_source():
    offenders = []
    for layer in [*LOWER_LAYERS, "i18n.py", "paths.py", "files.py"]:
        target = PACKAGE / layer
        files = [target] if target.is_file() else sorted(target.rglob("*.py"))
        for file in files:
            for module in imported_modules(file):
                if module.startswith(FORBIDDEN):
                    offenders.append(f"{file.relative_to(PACKAGE)} imports {module}")
    assert offenders == []


def test_domain_does_not_know_the_store():
    offenders = [
        f"{file.name} imports {module}"
        for file in sorted((PACKAGE / "domain").rglob("*.py"))
        for module in imported_modules(file)
        if module.startswith(
            ("kpidesk.store", "kpidesk.services", "kpidesk.io", "peewee", "sqlite3")
        )
    ]
    assert offenders == []


def test_command_line_work_loads_no_qt():
    code = (
        "import sys\n"
        "import kpidesk.cli, kpidesk.services.demo, kpidesk.services.workspaces\n"
        "import kpidesk.store.workspace, kpidesk.domain.periods\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


DRIVERS = {
    "sqlite3": {"store/sqlite.py"},
    "psycopg": {"store/postgres.py", "store/pg_listener.py"},
}


def test_each_database_driver_is_imported_by_its_backend_only():
    """The backend seam: ``sqlite3`` only in the SQLite backend, ``psycopg`` only in the
    PostgreSQL one; everything else asks the backend (``kpidesk.store.backend``)."""
    offenders = []
    for file in sorted(PACKAGE.rglob("*.py")):
        relative = file.relative_to(PACKAGE).as_posix()
        for module in imported_modules(file):
            driver = module.split(".")[0]
            if driver == "psycopg2" or (driver in DRIVERS and relative not in DRIVERS[driver]):
                offenders.append(f"{relative} imports {module}")
    assert offenders == []
