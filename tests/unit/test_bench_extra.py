"""`make bench` on a fresh clone has every library its baselines import (the `bench` extra)."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(requirements: list[str]) -> set[str]:
    return {_normalised(re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0]) for req in requirements}


def _imported_modules() -> set[str]:
    local = {path.stem for path in BENCHMARKS.glob("*.py")}
    found = set()
    for path in BENCHMARKS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found - local - set(sys.stdlib_module_names) - {"kpidesk", "tests"}  # ours


def test_every_library_the_benchmarks_import_is_installed_by_make_bench():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    extras = project["optional-dependencies"]
    declared = _requirement_names(project["dependencies"] + extras["dev"] + extras["bench"])
    distributions = importlib.metadata.packages_distributions()
    modules = _imported_modules()
    assert "xlsxwriter" in modules  # the review-pack and import baselines
    for module in modules:
        names = {_normalised(name) for name in distributions.get(module, [module])}
        assert names & declared, f"benchmarks import {module}, which no extra make bench installs"
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert re.search(r"^bench:.*\$\(BENCH_STAMP\)", makefile, re.M)
    assert "pip install --quiet -e '.[dev,bench]'" in makefile
