"""The version being packaged: ``kpidesk.__version__`` in this checkout's source.

    python installer/project_version.py      # prints it (the installers' file names use it)

Read from ``src/kpidesk/__init__.py`` itself, never from whatever kpidesk is installed, so a
stale install cannot name a package wrongly.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_INIT = ROOT / "src" / "kpidesk" / "__init__.py"


def project_version() -> str:
    spec = importlib.util.spec_from_file_location("_kpidesk_source", PACKAGE_INIT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.__version__


if __name__ == "__main__":
    print(project_version())
