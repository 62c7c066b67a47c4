"""``kpidesk merge WORKSPACE OTHER [--prefer mine|theirs] [--dry-run] [--json]``: merge a copy
of a workspace (a file) back into it (a file or a server).

Exit 0 when merged (or, with ``--dry-run``, when it would merge); 1 while a conflict is
unresolved, with nothing changed and the conflicts named. ``--json`` prints exactly one
object: ``{"applied": {table: count}, "conflicts": [{"table", "what", "mine", "theirs",
"changed_by", "changed_at"}]}``, or ``{"error": "…"}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kpidesk.commands.base import (
    EXIT_ERROR,
    EXIT_OK,
    WORKSPACE_HELP,
    Subparsers,
    UsageError,
    fail,
    workspace_argument,
)
from kpidesk.i18n import _, ngettext
from kpidesk.services.merge.describe import shown_when


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "merge", help=_("merge a copy of a workspace back into it (all or nothing)")
    )
    parser.add_argument("workspace", type=workspace_argument, help=_(WORKSPACE_HELP))
    parser.add_argument("other", help=_("the copy to merge in: a workspace file, only read"))
    parser.add_argument(
        "--prefer",
        choices=("mine", "theirs"),
        help=_("resolve every conflict with this side's version (mine: WORKSPACE's)"),
    )
    parser.add_argument(
        "--dry-run", action="store_true", help=_("only report what would be merged")
    )
    parser.add_argument(
        "--json", action="store_true", help=_("print one JSON object on stdout, nothing else")
    )
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.domain.errors import DomainError
    from kpidesk.store.errors import WorkspaceError
    from kpidesk.store.location import ServerAddress, workspace_location

    try:
        other = workspace_location(options.other)
        if isinstance(other, ServerAddress):
            raise UsageError(
                _("{other} is a server; the copy to merge in is a workspace file").format(
                    other=options.other
                )
            )
        return _merge(options, Path(other))
    except UsageError as error:
        if not options.json:
            raise
        return _json({"error": _("usage error: {message}").format(message=error)}, 2)
    except (DomainError, WorkspaceError) as error:
        if not options.json:
            raise
        code = int(getattr(error, "exit_code", EXIT_ERROR))
        return _json({"error": getattr(error, "message", str(error))}, code)


def _merge(options: argparse.Namespace, other: Path) -> int:
    from kpidesk.services import merge
    from kpidesk.store.workspace import opened

    prefer = merge.Prefer(options.prefer) if options.prefer else None
    with opened(options.workspace, read_only=options.dry_run, wal=False) as workspace:
        report = merge.merge_copy(workspace, other, prefer=prefer, dry_run=options.dry_run or False)
        name = workspace.display_name
    code = EXIT_ERROR if report.unresolved else EXIT_OK
    if options.json:
        return _json(report.as_json(), code)
    if report.unresolved:
        count = len(report.unresolved)
        fail(
            ngettext(
                "{count} conflict between {mine} and {theirs}; nothing was merged."
                " Resolve it with --prefer mine or --prefer theirs:",
                "{count} conflicts between {mine} and {theirs}; nothing was merged."
                " Resolve them with --prefer mine or --prefer theirs:",
                count,
            ).format(count=count, mine=name, theirs=other.name)
        )
        for conflict in report.unresolved:
            print("  " + describe_conflict(conflict), file=sys.stderr)
        return code
    changes = ", ".join(f"{table} {count}" for table, count in report.applied.items())
    if options.dry_run:
        print(
            _("Would merge {theirs} into {mine}: {count} changes ({changes}).").format(
                theirs=other.name, mine=name, count=report.total, changes=changes or "-"
            )
        )
    elif report.total == 0:
        print(
            _("Nothing new in {theirs} to merge into {mine}.").format(theirs=other.name, mine=name)
        )
    else:
        print(
            _("Merged {theirs} into {mine}: {count} changes ({changes}).").format(
                theirs=other.name, mine=name, count=report.total, changes=changes
            )
        )
        if report.conflicts:
            kept = (
                _("Conflicts resolved with the version in {mine}: {count}.")
                if options.prefer == "mine"
                else _("Conflicts resolved with the version in {theirs}: {count}.")
            )
            print(kept.format(mine=name, theirs=other.name, count=len(report.conflicts)))
    return code


def describe_conflict(conflict: Any) -> str:
    """One conflict on one line: what, and both versions with who changed each when."""
    parts = []
    for side, label in (("mine", _("mine")), ("theirs", _("theirs"))):
        version = getattr(conflict, side)
        shown = (
            ", ".join(f"{key}={value}" for key, value in version.items())
            if version is not None
            else _("deleted")
        )
        who = conflict.changed_by.get(side) or "?"
        when = shown_when(conflict.changed_at.get(side)) or "?"
        parts.append(f"{label}: {shown} ({who}, {when})")
    return f"{conflict.what} — " + "; ".join(parts)


def _json(data: dict[str, Any], code: int) -> int:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    return code
