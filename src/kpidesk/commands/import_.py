"""``kpidesk import WORKSPACE FILE``: values (or targets) from a spreadsheet into a workspace.

    kpidesk import WORKSPACE FILE [--sheet NAME] [--profile NAME] [--layout long|wide|across]
                   [--unit NAME] [--year YYYY] [--into actuals|targets] [--create-missing]
                   [--on-conflict skip|replace] [--skip-invalid] [--roll-up] [--dry-run] [--json]
    kpidesk import WORKSPACE --undo BATCH_ID [--json]
    kpidesk import WORKSPACE --list [--json]

All or nothing: by default any problem stops the whole import (exit 1) and the problems are
listed; ``--skip-invalid`` stores the valid values and lists the rest. ``--profile NAME``
uses the saved import profile of that name (its layout, year, sheet, target, unit and the
decisions per name); when there is none, the mapping of this import is saved under that name.

With ``--json`` stdout holds exactly one JSON object (``rows_read``, ``imported``,
``skipped``, ``batch_id``, ``problems``, and more), or ``{"error": "…"}`` when the file or
the workspace cannot be used; progress and logs go to stderr.

Exit codes: 0 imported (or a dry run that would import), 1 problems stopped the import, 2
usage error, 3 the file cannot be read (or is no workspace), 4 and 5 as for every command,
130 cancelled.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpidesk.commands import import_sie
from kpidesk.commands.base import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    WORKSPACE_HELP,
    Subparsers,
    UsageError,
    fail,
    workspace_argument,
)
from kpidesk.i18n import _
from kpidesk.io.errors import SpreadsheetError, SpreadsheetErrorKind, check_input_file

if TYPE_CHECKING:
    from kpidesk.services.importing import ImportResult

EXIT_UNREADABLE = 3
SHOWN_PROBLEMS = 50


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "import",
        help=_("import values or targets from a spreadsheet (.xlsx, .xls, .ods, .csv)"),
        description=_(
            "Import one sheet of a spreadsheet into a workspace, all or nothing. "
            "Undo an import with --undo BATCH_ID; list the imports with --list."
        ),
    )
    parser.add_argument("workspace", type=workspace_argument, help=_(WORKSPACE_HELP))
    parser.add_argument(
        "file", type=Path, nargs="?", help=_("the spreadsheet or SIE file to import")
    )
    parser.add_argument(
        "--sheet", metavar="NAME", help=_("the sheet (default: the first with data)")
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help=_("use this import profile; if there is none, save this import's mapping as it"),
    )
    parser.add_argument(
        "--layout", choices=("long", "wide", "across"), help=_("the layout (default: detected)")
    )
    parser.add_argument(
        "--unit",
        metavar="NAME",
        help=_(
            "the unit for values without a unit column (default: the top unit; "
            "for targets: every unit)"
        ),
    )
    parser.add_argument(
        "--year", type=int, metavar="YYYY", help=_("the year of months written without one")
    )
    parser.add_argument(
        "--into",
        choices=("actuals", "targets"),
        help=_("store actual values (default) or targets, as from a budget sheet"),
    )
    parser.add_argument(
        "--create-missing",
        action="store_true",
        help=_("create the KPIs and units that match none in the workspace"),
    )
    parser.add_argument(
        "--on-conflict",
        choices=("skip", "replace"),
        help=_("values already stored: keep them (skip, the default) or replace them"),
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help=_("import the valid values and report the rest (default: any problem stops all)"),
    )
    parser.add_argument(
        "--roll-up",
        action="store_true",
        help=_(
            "combine values of a finer period than their KPI's (weeks for a monthly KPI) "
            "by the KPI's aggregation (a week counts in the month of its Thursday)"
        ),
    )
    parser.add_argument(
        "--dry-run", action="store_true", help=_("check and count everything, store nothing")
    )
    parser.add_argument(
        "--json", action="store_true", help=_("print one JSON object on stdout, nothing else")
    )
    import_sie.add_arguments(parser)
    parser.add_argument(
        "--undo", type=int, metavar="BATCH_ID", help=_("undo the import with this number")
    )
    parser.add_argument(
        "--list", action="store_true", help=_("list the imports made into the workspace")
    )
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.domain.errors import DomainError
    from kpidesk.services.progress import Cancelled

    try:
        if options.undo is not None or options.list:
            return _run_undo_or_list(options)
        if options.file is None:
            raise UsageError(
                _("name the spreadsheet or SIE file to import (or use --undo or --list)")
            )
        return _run_import(options)
    except UsageError as error:
        if not options.json:
            raise
        return _json_error(_("usage error: {message}").format(message=error), EXIT_USAGE)
    except SpreadsheetError as error:
        code = EXIT_USAGE if error.kind is SpreadsheetErrorKind.NO_SHEET else EXIT_UNREADABLE
        if options.json:
            return _json_error(error.message, code)
        fail(error.message)
        return code
    except Cancelled as error:
        if options.json:
            return _json_error(error.message, EXIT_INTERRUPTED)
        raise
    except KeyboardInterrupt:
        if options.json:
            return _json_error(_("Interrupted; nothing was changed."), EXIT_INTERRUPTED)
        raise
    except DomainError as error:
        if not options.json:
            raise
        return _json_error(error.message, int(getattr(error, "exit_code", EXIT_ERROR)))


def _json_error(message: str, code: int) -> int:
    _print_json({"error": message})
    return code


def _print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _check_import_options(options: argparse.Namespace) -> None:
    if options.year is not None and not 1900 <= options.year <= 2200:
        raise UsageError(_("--year must be a year between 1900 and 2200"))


def _run_import(options: argparse.Namespace) -> int:
    _check_import_options(options)
    options.notes = []
    check_input_file(options.file)
    if import_sie.is_sie_file(options.file):
        return import_sie.run_import(options, _Progress(enabled=sys.stderr.isatty()))
    if options.accounts or options.dimension is not None:
        raise UsageError(_("--accounts and --dimension apply to SIE files only"))
    started = None
    if not options.profile:
        # The file is read while the import's modules load and the workspace opens.
        from kpidesk.io._process import start_reading

        started = start_reading(
            options.file,
            sheet=options.sheet,
            layout_kind=options.layout,
            default_year=options.year,
        )
    try:
        return _import_with(options, started)
    finally:
        if started is not None:
            started.close()


def _import_with(options: argparse.Namespace, started: Any) -> int:
    from kpidesk.io.layout import LayoutKind
    from kpidesk.services import import_mapping, importing
    from kpidesk.store.workspace import opened

    reporter = _Progress(enabled=sys.stderr.isatty())
    # The rollback journal, not WAL: an import that commits nothing (a dry run, one stopped
    # by problems or a full disk) leaves the file byte for byte as it was.
    with opened(options.workspace, wal=False) as workspace:
        profile = None
        profile_name = options.profile
        if profile_name:
            profile = import_mapping.find_profile(profile_name)
            if profile is None:
                options.notes.append(
                    _(
                        "There is no saved import profile named “{name}”; this import's "
                        "mapping is saved under that name if the import is stored."
                    ).format(name=profile_name)
                )
        names = import_mapping.WorkspaceNames()
        unit_id: int | None = None
        if options.unit:
            try:
                unit_id = names.unit_named(options.unit).id
            except import_mapping.MappingError as error:
                raise UsageError(error.message) from None
        elif profile is not None and profile.default_unit_id in names.units:
            unit_id = profile.default_unit_id
        layout = options.layout or (profile.layout if profile else None)
        into = options.into or (profile.into if profile else "actuals")
        on_conflict = options.on_conflict or (profile.on_conflict if profile else "skip")
        sheet = options.sheet or (profile.sheet if profile and options.layout is None else None)
        year = options.year if options.year is not None else (profile.year if profile else None)
        mapping = import_mapping.ImportMapping(
            dict(profile.kpis) if profile else {},
            dict(profile.units) if profile else {},
            create_missing=options.create_missing,
        )
        import_options = importing.ImportOptions(
            sheet=sheet,
            layout=LayoutKind(layout) if layout else None,
            year=year,
            into=importing.Into(into),
            on_conflict=importing.OnConflict(on_conflict),
            skip_invalid=options.skip_invalid,
            dry_run=options.dry_run,
            unit_id=unit_id,
            profile=profile_name,
            roll_up=options.roll_up,
        )
        try:
            try:
                result = importing.run_import(
                    workspace,
                    options.file,
                    import_options,
                    mapping,
                    progress=reporter.update,
                    started=started,
                )
            except SpreadsheetError as error:
                if error.kind is not SpreadsheetErrorKind.NO_SHEET or options.sheet or not sheet:
                    raise
                # The profile's sheet is not in this file: read the first sheet with data.
                import_options = replace(import_options, sheet=None)
                result = importing.run_import(
                    workspace, options.file, import_options, mapping, progress=reporter.update
                )
        finally:
            reporter.done()
    return _report(options, result)


def _problem_json(problem: Any) -> dict[str, Any]:
    return {
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "reason": problem.reason.text,
    }


def _kpi_kind_text(kpi: dict[str, Any]) -> str:
    """``Omsättning (currency, sum)``: a created KPI with its unit of measure and aggregation."""
    from kpidesk.domain.aggregation import AGGREGATION_LABELS, Aggregation
    from kpidesk.domain.numbers import MEASURE_UNIT_LABELS, MeasureUnit

    measure = _(MEASURE_UNIT_LABELS[MeasureUnit(kpi["measure_unit"])]).lower()
    how = _(AGGREGATION_LABELS[Aggregation(kpi["time_aggregation"])]).lower()
    return f"{kpi['name']} ({measure}, {how})"


def _roll_up_json(roll_up: Any) -> dict[str, Any]:
    return {
        "kpi": roll_up.kpi,
        "values": roll_up.values,
        "from": roll_up.source.value,
        "to": roll_up.target.value,
        "aggregation": roll_up.aggregation.value,
        "first": roll_up.first,
        "last": roll_up.last,
        "rolled_up": roll_up.done,
        "made": roll_up.made,
        "partial": list(roll_up.partial),
    }


def _report(
    options: argparse.Namespace, result: ImportResult, extra: dict[str, Any] | None = None
) -> int:
    """Print what an import did (one JSON object with ``--json``; ``extra`` adds keys to it)
    and return the exit code."""
    code = EXIT_ERROR if result.stopped else EXIT_OK
    if options.json:
        _print_json(
            {
                "rows_read": result.rows_read,
                "imported": result.imported,
                "skipped": result.skipped,
                "batch_id": result.batch_id,
                "problems": [_problem_json(p) for p in result.problems],
                "problem_count": result.problem_count,
                "replaced": result.replaced,
                "ignored": result.ignored,
                "valid": result.valid,
                "values_read": result.values_read,
                "sheet": result.sheet,
                "layout": result.layout.kind.value if result.layout else None,
                "into": result.into.value,
                "dry_run": result.dry_run,
                "created_kpis": list(result.created_kpis),
                "created_units": list(result.created_units),
                "new_kpis": list(result.new_kpis),
                "roll_ups": [_roll_up_json(r) for r in result.roll_ups],
                "notes": [*options.notes, *(note.text for note in result.notes)],
                **(extra or {}),
            }
        )
        return code
    err = sys.stderr
    for note in [*options.notes, *(note.text for note in result.notes)]:
        print(_("note: {note}").format(note=note), file=err)
    for problem in result.problems[:SHOWN_PROBLEMS]:
        print(problem.text, file=err)
    hidden = result.problem_count - min(len(result.problems), SHOWN_PROBLEMS)
    if hidden > 0:
        print(_("… and {count} more problems.").format(count=hidden), file=err)
    if result.created_kpis:
        names = ", ".join(_kpi_kind_text(kpi) for kpi in result.new_kpis) or ", ".join(
            result.created_kpis
        )
        print(_("Created KPIs: {names}.").format(names=names), file=err)
    if result.created_units:
        print(_("Created units: {names}.").format(names=", ".join(result.created_units)), file=err)
    summary = result.summary()
    if result.stopped:
        fail(summary)
        return code
    print(summary)
    if result.batch_id is not None:
        print(
            _("Import number {id}; undo it with: kpidesk import {workspace} --undo {id}").format(
                id=result.batch_id, workspace=options.workspace
            )
        )
    return code


def _run_undo_or_list(options: argparse.Namespace) -> int:
    from kpidesk.services import importing
    from kpidesk.store.workspace import opened

    if options.file is not None:
        raise UsageError(_("--undo and --list take no spreadsheet"))
    if options.undo is not None and options.list:
        raise UsageError(_("use either --undo or --list"))
    if options.list:
        with opened(options.workspace, read_only=True) as _workspace:
            batches = importing.list_batches()
        if options.json:
            _print_json(
                {"imports": [batch.__dict__ | {"into": batch.into.value} for batch in batches]}
            )
            return EXIT_OK
        if not batches:
            print(_("No imports yet."))
        for batch in batches:
            state = _("undone {when}").format(when=batch.undone_at) if batch.undone else ""
            print(
                f"{batch.id:>5}  {batch.imported_at}  {batch.file_name} [{batch.sheet}]  "
                + _("{imported} imported, {skipped} skipped, {replaced} replaced").format(
                    imported=batch.imported, skipped=batch.skipped, replaced=batch.replaced
                )
                + (f"  ({batch.into.value})" if batch.into is importing.Into.TARGETS else "")
                + (f"  {state}" if state else "")
            )
        return EXIT_OK
    with opened(options.workspace) as workspace:
        result = importing.undo_import(workspace, options.undo)
    if options.json:
        _print_json(
            {
                "batch_id": result.batch_id,
                "removed": result.removed,
                "restored": result.restored,
                "removed_kpis": list(result.removed_kpis),
                "removed_units": list(result.removed_units),
                "kept_kpis": list(result.kept_kpis),
                "kept_units": list(result.kept_units),
            }
        )
    else:
        print(result.summary())
    return EXIT_OK


class _Progress:
    """A progress line on stderr, when it is a terminal; never on stdout."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.last = 0.0
        self.shown = False

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        self.shown = True
        share = f"{100 * done / total:3.0f} %" if total else ""
        sys.stderr.write(
            "\r"
            + _("Reading row {done} of {total} {share}").format(done=done, total=total, share=share)
            + "   "
        )
        sys.stderr.flush()

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()
