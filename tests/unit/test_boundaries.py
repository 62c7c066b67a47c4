"""The architecture's rules, checked by tools as part of the suite (so CI fails when they
break): import-linter's contracts in pyproject.toml, mypy (strict on domain/ and io/), and
no module of src/ over 800 lines."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "kpidesk"
MAX_LINES = 800


def tool(name: str) -> str:
    """The tool beside this interpreter (the project's virtual environment)."""
    found = Path(sys.executable).with_name(name)
    if found.exists():
        return str(found)
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed: `make venv` installs the dev extra, which has it")
    return path


def test_no_module_is_over_800_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in sorted(SOURCE.rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these modules (at most {MAX_LINES} lines each): {long}"


def test_the_import_contracts_hold():
    result = subprocess.run(
        [tool("lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_mypy_is_clean_and_strict_on_domain_and_io():
    result = subprocess.run(
        [tool("mypy"), "--no-incremental"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
