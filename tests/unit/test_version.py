"""One version, written once (``kpidesk.__version__``), and everything that shows it agrees.

The wheel's file name and metadata and the installed ``kpidesk --version`` are checked on a
real build in tests/e2e/test_wheel.py; the installer recipes in tests/e2e/test_installer.py.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import kpidesk

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_written_once_in_the_package():
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]|rc)?\d*", kpidesk.__version__)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "kpidesk.__version__"}
    source = (ROOT / "src" / "kpidesk" / "__init__.py").read_text("utf-8")
    assert source.count(kpidesk.__version__) == 1


def test_the_installed_metadata_agrees():
    # `make` reinstalls when src/kpidesk/__init__.py changes; a stale install fails here
    assert importlib.metadata.version("kpidesk") == kpidesk.__version__


def test_the_command_line_prints_it(capsys):
    from kpidesk.cli import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"KPI Desk {kpidesk.__version__}"


def test_the_about_box_shows_it():
    from kpidesk.ui.about import about_html

    assert f"<h2>KPI Desk {kpidesk.__version__}</h2>" in about_html()
