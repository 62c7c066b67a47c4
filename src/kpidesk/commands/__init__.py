"""The command-line commands, one module each: ``add_parser(subparsers)`` and ``run(options)``."""

from __future__ import annotations

from types import ModuleType

from kpidesk.commands import (
    backup,
    backups,
    check,
    collect,
    copy,
    demo,
    export,
    import_,
    merge,
    new,
    publish,
    restore,
    server,
)

COMMANDS: dict[str, ModuleType] = {
    "new": new,
    "demo": demo,
    "check": check,
    "export": export,
    "import": import_,
    "backup": backup,
    "backups": backups,
    "restore": restore,
    "server": server,
    "publish": publish,
    "copy": copy,
    "collect": collect,
    "merge": merge,
}
