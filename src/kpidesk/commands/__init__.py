"""The command-line commands, one module each: ``add_parser(subparsers)`` and ``run(options)``."""

from __future__ import annotations

from types import ModuleType

from kpidesk.commands import check, demo, export, new

COMMANDS: dict[str, ModuleType] = {
    "new": new,
    "demo": demo,
    "check": check,
    "export": export,
}
