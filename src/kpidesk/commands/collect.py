"""``kpidesk collect WORKSPACE --period P --out DIR [--due DATE]``: a reporting round, one
pre-filled data template per KPI owner, each naming its owner and due date, with a calendar
event (``.ics``) for the due date beside each."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

from kpidesk.commands.base import (
    EXIT_OK,
    WORKSPACE_HELP,
    Subparsers,
    UsageError,
    workspace_argument,
)
from kpidesk.i18n import _, ngettext

DEFAULT_DAYS = 10


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "collect", help=_("collect figures: one data template per KPI owner")
    )
    parser.add_argument("path", type=workspace_argument, help=_(WORKSPACE_HELP))
    parser.add_argument(
        "--period",
        metavar="P",
        required=True,
        help=_("the period: 2026-03, 2026-Q1, 2026-W12, 2026 or as written (mars 2026)"),
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", required=True, help=_("the folder to write into")
    )
    parser.add_argument(
        "--due",
        metavar="YYYY-MM-DD",
        help=_("when the figures are due (default: in {days} days)").format(days=DEFAULT_DAYS),
    )
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.domain.periods import PeriodError, parse_period
    from kpidesk.services import reporting
    from kpidesk.store.workspace import opened

    try:
        period = parse_period(options.period)
    except PeriodError as error:
        raise UsageError(_("bad --period: {reason}").format(reason=error.message)) from None
    try:
        due = (
            date.fromisoformat(options.due)
            if options.due
            else date.today() + timedelta(days=DEFAULT_DAYS)
        )
    except ValueError:
        raise UsageError(_("bad --due: write the date as 2026-04-10")) from None
    folder: Path = options.out
    if folder.exists() and not folder.is_dir():
        raise UsageError(_("--out is a file; name a folder"))
    folder.mkdir(parents=True, exist_ok=True)
    with opened(options.path) as workspace:
        started = reporting.start_round(
            workspace, period, due, folder, language=getattr(options, "lang", None)
        )
        with workspace.bound():
            for each in started.files:
                note = reporting.reminder(started.round_id, each.owner, folder=folder)
                each.path.with_suffix(".ics").write_text(note.ics, encoding="utf-8", newline="")
    for each in started.files:
        print(
            ngettext(
                "{owner}: {count} KPI, {path}", "{owner}: {count} KPIs, {path}", each.kpi_count
            ).format(owner=each.owner, count=each.kpi_count, path=each.path)
        )
    if started.without_owner:
        print(
            _("Left out, without an owner: {names}").format(names=", ".join(started.without_owner))
        )
    print(
        ngettext(
            "Wrote {count} template for {name}, due {due}.",
            "Wrote {count} templates for {name}, due {due}.",
            len(started.files),
        ).format(count=len(started.files), name=started.name, due=due.isoformat())
    )
    return EXIT_OK
