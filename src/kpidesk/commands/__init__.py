"""The command-line commands, one module each: ``add_parser(subparsers)`` and ``run(options)``.

A command's module is imported only when that command runs: each brings the services it
needs, and a small import should not wait for the merge's or the collect's modules.
"""

from __future__ import annotations

import importlib
from types import ModuleType

COMMANDS: dict[str, str] = {
    "new": "new",
    "demo": "demo",
    "check": "check",
    "export": "export",
    "import": "import_",
    "backup": "backup",
    "backups": "backups",
    "restore": "restore",
    "server": "server",
    "publish": "publish",
    "copy": "copy",
    "collect": "collect",
    "merge": "merge",
}
"""Each command's name and the module (in this package) that makes and runs it."""


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{COMMANDS[name]}")
