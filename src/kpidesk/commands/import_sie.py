"""``kpidesk import WORKSPACE FILE.se``: a SIE file's figures into the financial KPIs.

    kpidesk import WORKSPACE FILE.se [--create-missing] [--unit NAME] [--into actuals|targets]
                   [--accounts CODE=RANGES[:debit|credit] ...] [--dimension N]
                   [--profile NAME] [--on-conflict skip|replace] [--skip-invalid]
                   [--dry-run] [--json]

A file is taken for SIE by its content (``#FLAGGA``, ``#SIETYP``), or by its name (``.se``,
``.si``, ``.sie``) when it is not a spreadsheet either, so that a web page saved as
``.se`` gets a SIE error naming its first line. The JSON, the exit codes and undoing are
those of a spreadsheet import (see :mod:`kpidesk.commands.import_`); ``--json`` adds
``"sie"``, what the file holds. The account ranges, the unit dimension, the unit and the
target are kept in an import profile (``--profile NAME``, else the SIE profile used last,
else ``SIE``), so next month's file imports the same way.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kpidesk.commands.base import UsageError
from kpidesk.i18n import _

if TYPE_CHECKING:
    from kpidesk.io.sie.accounts import SieSettings
    from kpidesk.io.sie.reader import PendingRead

SIE_SUFFIXES = (".se", ".si", ".sie")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options only a SIE import has."""
    parser.add_argument(
        "--accounts",
        action="append",
        default=[],
        metavar="CODE=RANGES",
        help=_(
            "SIE: the accounts of a KPI, e.g. REV=3000-3799 or MARKETING=5900-5999:debit "
            "(may be repeated; kept in the import profile)"
        ),
    )
    parser.add_argument(
        "--dimension",
        metavar="N",
        help=_("SIE: the dimension whose objects become units (default 1, cost centres; 0: none)"),
    )


def is_sie_file(path: Path) -> bool:
    """Whether ``path`` is to be read as SIE: by its content, or by its name."""
    from kpidesk.io.sie import looks_like_sie

    return looks_like_sie(path) or path.suffix.lower() in SIE_SUFFIXES


def _settings(options: argparse.Namespace) -> SieSettings | None:
    from kpidesk.io.sie.accounts import RangeError
    from kpidesk.services.sie_import import load_settings

    if not options.accounts and options.dimension is None:
        return None
    settings, _profile = load_settings(options.profile)
    try:
        for text in options.accounts:
            settings = settings.with_assignment(text)
    except RangeError as error:
        raise UsageError(error.message) from None
    if options.dimension is not None:
        dimension = options.dimension.strip()
        if not dimension.isdigit():
            raise UsageError(_("--dimension takes a dimension number, such as 1 or 6"))
        settings = replace(settings, dimension="" if dimension == "0" else str(int(dimension)))
    return settings


def run_import(options: argparse.Namespace, progress: object) -> int:
    """Import a SIE file as the options say; the exit code.

    The file is read first (a large one partly by reader processes, which go on while the
    import's modules load and the workspace opens)."""
    from kpidesk.io.sie.reader import begin_read

    if options.sheet or options.layout or options.year is not None:
        raise UsageError(_("--sheet, --layout and --year do not apply to a SIE file"))
    try:
        pending = begin_read(options.file, progress=getattr(progress, "update", None))
    except BaseException:
        done = getattr(progress, "done", None)
        if done is not None:
            done()
        raise
    try:
        return _import(options, progress, pending)
    finally:
        pending.close()


def _import(options: argparse.Namespace, progress: object, pending: PendingRead) -> int:
    from kpidesk.commands.import_ import _report
    from kpidesk.services import import_mapping, sie_import
    from kpidesk.services.importing import Into, OnConflict
    from kpidesk.store.workspace import opened

    with opened(options.workspace) as workspace:
        unit_id = None
        if options.unit:
            try:
                unit_id = import_mapping.WorkspaceNames().unit_named(options.unit).id
            except import_mapping.MappingError as error:
                raise UsageError(error.message) from None
        sie_options = sie_import.SieImportOptions(
            into=Into(options.into) if options.into else None,
            on_conflict=OnConflict(options.on_conflict) if options.on_conflict else None,
            skip_invalid=options.skip_invalid,
            dry_run=options.dry_run,
            unit_id=unit_id,
            create_missing=options.create_missing,
            settings=_settings(options),
            profile=options.profile,
        )
        try:
            outcome = sie_import.import_sie(
                workspace, options.file, sie_options, sie=pending.result()
            )
        finally:
            done = getattr(progress, "done", None)
            if done is not None:
                done()
    if not options.json:
        from kpidesk.io.sie.figures import SOURCE_NAMES

        print(
            _("SIE type {kind}; the figures come from its {source}.").format(
                kind=outcome.preview.sie.kind or "?",
                source=_(SOURCE_NAMES[outcome.preview.figures.source]),
            ),
            file=sys.stderr,
        )
    return _report(options, outcome.result, extra={"sie": outcome.preview.summary()})
