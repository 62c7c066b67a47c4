"""``kpidesk export PATH (--pack | --pdf | --template | --csv) OUT``: files out of a workspace.

The workspace is opened read-only. The pack, report and template are in ``--lang`` if given,
otherwise in the workspace's language. The PDF is drawn by Qt: an offscreen
``QGuiApplication`` is started for it, and only for it, so the other exports load no Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kpidesk.commands.base import (
    EXIT_OK,
    WORKSPACE_HELP,
    Subparsers,
    UsageError,
    workspace_argument,
)
from kpidesk.i18n import _

if TYPE_CHECKING:
    from kpidesk.domain.periods import Period


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "export", help=_("export measurements, a review pack, a report or a data template")
    )
    parser.add_argument("path", type=workspace_argument, help=_(WORKSPACE_HELP))
    formats = parser.add_mutually_exclusive_group(required=True)
    formats.add_argument(
        "--csv", type=Path, metavar="OUT.csv", help=_("every stored measurement as CSV")
    )
    formats.add_argument("--pack", type=Path, metavar="OUT.xlsx", help=_("an Excel review pack"))
    formats.add_argument("--pdf", type=Path, metavar="OUT.pdf", help=_("a PDF report"))
    formats.add_argument(
        "--template",
        type=Path,
        metavar="OUT.xlsx",
        help=_("an Excel data template to fill in and import"),
    )
    parser.add_argument(
        "--period",
        metavar="P",
        help=_(
            "the period: 2026-03, 2026-Q1, 2026-W12, 2026 or as written (mars 2026); "
            "default: the newest month with data"
        ),
    )
    parser.add_argument(
        "--review", type=int, metavar="ID", help=_("the pack or report of one review")
    )
    parser.add_argument(
        "--units",
        nargs="+",
        metavar="UNIT",
        help=_(
            "units by name; default: the whole organisation (for a template: the units "
            "without sub-units)"
        ),
    )
    parser.add_argument(
        "--prefill",
        action="store_true",
        help=_("fill the template with the values already stored"),
    )
    return parser


_SUFFIXES = {"csv": (".csv",), "pack": (".xlsx",), "pdf": (".pdf",), "template": (".xlsx",)}


def _check_output(options: argparse.Namespace) -> None:
    """The output's name fits its kind, and it is no workspace, backup, folder or device."""
    from kpidesk.store.outputs import check_output

    for option, suffixes in _SUFFIXES.items():
        destination = getattr(options, option)
        if destination is None:
            continue
        if destination.suffix.lower() not in suffixes:
            raise UsageError(
                _("--{option} writes a {suffix} file; name it …{suffix}").format(
                    option=option, suffix=suffixes[0]
                )
            )
        check_output(
            destination, workspace=options.path if isinstance(options.path, Path) else None
        )


def run(options: argparse.Namespace) -> int:
    from kpidesk.store.workspace import opened

    if options.csv is not None:
        _check_csv_options(options)
        _check_output(options)
        from kpidesk.services.workspaces import export_measurements_csv

        with opened(options.path, read_only=True) as workspace:
            count = export_measurements_csv(workspace, options.csv)
        print(_("Wrote {count} measurements to {path}.").format(count=count, path=options.csv))
        return EXIT_OK

    from kpidesk.services import exports

    period = _period(options.period)
    if options.review is not None and (options.template is not None):
        raise UsageError(_("--review goes with --pack or --pdf"))
    if options.prefill and options.template is None:
        raise UsageError(_("--prefill goes with --template"))
    _check_output(options)
    if options.pack is not None:
        kind, destination = exports.ExportFormat.PACK, options.pack
    elif options.pdf is not None:
        kind, destination = exports.ExportFormat.PDF, options.pdf
    else:
        kind, destination = exports.ExportFormat.TEMPLATE, options.template

    with opened(options.path, read_only=True) as workspace:
        request = exports.ExportRequest(
            kind,
            Path(destination),
            period=period,
            unit_ids=exports.unit_ids_for(options.units),
            language=getattr(options, "lang", None),
            review_id=options.review,
            prefill=options.prefill,
        )
        prepared = exports.prepare(request, workspace=workspace)
        render_pdf = None
        if kind is exports.ExportFormat.PDF:
            from kpidesk.ui.render import ensure_gui_application, render_pdf_report

            ensure_gui_application(offscreen=True)
            render_pdf = render_pdf_report
        result = exports.write(prepared, render_pdf=render_pdf)

    messages = {
        exports.ExportFormat.PACK: _("Wrote a review pack of {count} KPIs to {path}."),
        exports.ExportFormat.PDF: _("Wrote a report of {count} pages to {path}."),
        exports.ExportFormat.TEMPLATE: _("Wrote a data template of {count} rows to {path}."),
    }
    print(messages[kind].format(count=result.count, path=destination))
    return EXIT_OK


def _check_csv_options(options: argparse.Namespace) -> None:
    for name in ("period", "review", "units"):
        if getattr(options, name) is not None:
            raise UsageError(_("--{option} does not go with --csv").format(option=name))
    if options.prefill:
        raise UsageError(_("--prefill goes with --template"))


def _period(text: str | None) -> Period | None:
    if text is None:
        return None
    from kpidesk.domain.periods import PeriodError, parse_period

    try:
        return parse_period(text)
    except PeriodError as error:
        raise UsageError(_("bad --period: {reason}").format(reason=error.message)) from None
