"""Importing a SIE file: the bookkeeping's figures straight into the standard financial KPIs.

The use cases the command line and the import wizard share:

- :func:`preview_sie`: read the file and make its KPI values (no workspace needed): what the
  wizard's first page and ``--dry-run`` show.
- :func:`import_sie`: find or create the KPIs (from the KPI library: REV, COGS, STAFF, EBIT,
  the calculated GP and GM, and the balance ratios EQUITY_RATIO and QUICK_RATIO where the
  file holds balances) and the units (the cost centres, under the unit that takes the whole
  company's figures), then store the values through :func:`kpidesk.services.importing.run_import`
  as any spreadsheet's, all or nothing and undoable; the settings (account ranges, unit
  dimension, target, unit) are saved in an import profile, so next month's file imports the
  same way in one step.

A voucher whose rows do not add up to zero is a problem naming the voucher: it stops the
import, or with ``skip_invalid`` its rows are left out of the figures.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from kpidesk.domain.kpi_library import KpiEntry, KpiLibrary, load_library
from kpidesk.domain.periods import KindName, Period, PeriodKind, PeriodName
from kpidesk.i18n import N_, _
from kpidesk.io.errors import ImportProblem, Message
from kpidesk.io.extract import ExtractionResult, RawRecord
from kpidesk.io.layout import Layout, LayoutKind
from kpidesk.io.sie import SieFile, read_sie
from kpidesk.io.sie.accounts import BALANCE_CODES, FORMULA_CODES, SieSettings
from kpidesk.io.sie.errors import amount_text
from kpidesk.io.sie.figures import SieFigures, compute_figures
from kpidesk.io.sie.reader import Cancelled, Progress, without_vouchers
from kpidesk.io.sniff import SpreadsheetFormat
from kpidesk.services import backups, units
from kpidesk.services.import_mapping import (
    SIE_SIGNATURE,
    Choice,
    ImportMapping,
    KpiDecision,
    KpiInfo,
    MappingError,
    ProfileData,
    UnitDecision,
    UnitInfo,
    WorkspaceNames,
    check_profile_kind,
    kpi_key,
    save_profile,
    unit_key,
)
from kpidesk.services.importing import (
    BACKUP_THRESHOLD,
    ImportOptions,
    ImportResult,
    Into,
    OnConflict,
    ScanResult,
    run_import,
)
from kpidesk.services.kpis import KpiData, create_kpi, data_from_library, unique_code
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace

__all__ = [
    "DEFAULT_PROFILE",
    "PROFILE_SIGNATURE",
    "SieImport",
    "SieImportOptions",
    "SiePreview",
    "SieProblem",
    "import_sie",
    "kpi_for_code",
    "load_settings",
    "new_kpi_name",
    "preview_sie",
    "unit_for",
]

PROFILE_SIGNATURE = SIE_SIGNATURE
"""The signature of every SIE import profile (a SIE file has one shape)."""
DEFAULT_PROFILE = "SIE"
"""The profile a SIE import uses and saves when none is named."""

MSG_UNBALANCED = N_(
    "The voucher {voucher} does not balance: its rows add up to {difference}, not 0."
)
MSG_NO_KPIS = N_(
    "No KPI in the workspace takes this file’s figures ({codes}); --create-missing creates "
    "them from the KPI library, or map them with --accounts to KPIs that are there."
)
NOTE_MISSING_KPIS = N_(
    "No KPI in the workspace is {codes}, so their values were not imported; "
    "--create-missing creates them from the KPI library."
)
NOTE_MISSING_UNITS = N_(
    "The cost centres {names} match no unit, so their values were not imported; "
    "--create-missing creates them under {parent}."
)
NOTE_REGROUPED = N_(
    "{kpi} is measured by {kind}: the file’s months were added up into whole ones; "
    "months of {kind}s the file does not cover whole were left out ({count})."
)
NOTE_WRONG_FREQUENCY = N_(
    "{kpi} is measured by {kind}, but the file has figures for {period} and the like; "
    "they were not imported."
)
NOTE_NO_BUDGET = N_("The file has no budget (#PBUDGET), so there are no targets to import.")
NOTE_LEFT_OUT = N_("The vouchers that do not balance were left out of the figures: {vouchers}.")


class SieProblem(ImportProblem):
    """A problem of a SIE file, located by its line: ``fil.se, line 3905``."""

    __slots__ = ()

    @property
    def location(self) -> str:
        if self.row:
            return _("{file}, line {line}").format(file=self.sheet, line=self.row)
        return self.sheet


# Preview --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiePreview:
    """A SIE file read and turned into KPI values, before any workspace is touched."""

    path: Path
    sie: SieFile
    figures: SieFigures
    settings: SieSettings

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def notes(self) -> tuple[Message, ...]:
        return (*self.sie.notes, *self.figures.notes)

    def problems(self) -> tuple[SieProblem, ...]:
        """The vouchers that do not balance, one problem each."""
        return tuple(
            SieProblem(
                self.file_name,
                voucher.line,
                None,
                voucher.name,
                Message.of(
                    MSG_UNBALANCED,
                    voucher=voucher.name or "–",
                    difference=amount_text(voucher.difference),
                ),
            )
            for voucher in self.sie.unbalanced
        )

    def summary(self) -> dict[str, object]:
        """What the file holds, for ``--json`` and the wizard (plain data)."""
        sie, figures = self.sie, self.figures
        return {
            "sie_type": sie.kind,
            "program": " ".join(part for part in (sie.program, sie.program_version) if part),
            "company": sie.company,
            "org_number": sie.org_number,
            "encoding": sie.encoding,
            "fiscal_years": {
                str(index): [year.start.isoformat(), year.end.isoformat()]
                for index, year in sorted(sie.years.items())
            },
            "accounts": len(sie.accounts),
            "vouchers": sie.vouchers,
            "voucher_rows": sie.transaction_rows,
            "source": figures.source.value,
            "frequency": figures.frequency.value if figures.frequency else None,
            "periods": [period.key for period in figures.periods],
            "units": list(figures.units),
            "skipped_records": dict(sorted(sie.skipped.items())),
            "checksum": None if sie.checksum_ok is None else ("ok" if sie.checksum_ok else "bad"),
            "kpi_accounts": {code: list(found) for code, found in figures.accounts.items()},
            "account_ranges": {rule.code: rule.accounts.text for rule in self.settings.rules},
        }


def preview_sie(
    path: str | os.PathLike[str],
    settings: SieSettings | None = None,
    *,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
) -> SiePreview:
    """Read ``path`` and make its KPI values under ``settings`` (the BAS defaults when
    None). Raises :class:`~kpidesk.io.sie.SieError` for a file that is not SIE or broken."""
    path = Path(path)
    settings = settings or SieSettings()
    sie = read_sie(path, cancelled=cancelled, progress=progress)
    return SiePreview(path, sie, compute_figures(sie, settings), settings)


# Settings and profiles -------------------------------------------------------------------


def load_settings(name: str | None = None) -> tuple[SieSettings, ProfileData | None]:
    """The SIE settings of the workspace: those of the profile ``name``, else of the SIE
    profile used last, else the BAS defaults; with the profile they came from."""
    from kpidesk.services.import_mapping import find_profile, profile_for_signature

    profile = find_profile(name) if name else profile_for_signature(PROFILE_SIGNATURE)
    if profile is None or profile.id is None:
        return SieSettings(), profile
    row = models.ImportProfile.get_or_none(models.ImportProfile.id == profile.id)
    data = _profile_json(row.mapping) if row is not None else {}
    return SieSettings.from_json(data.get("sie")), profile


def _profile_json(text: str) -> dict[str, object]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _save_profile(profile: ProfileData, settings: SieSettings) -> int:
    profile_id = save_profile(profile)
    row = models.ImportProfile.get_by_id(profile_id)
    data = _profile_json(row.mapping)
    data["sie"] = settings.to_json()
    row.mapping = json.dumps(data, ensure_ascii=False, sort_keys=True)
    row.save()
    return profile_id


# Importing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SieImportOptions:
    """How to import a SIE file.

    ``unit_id`` takes the whole company's figures (None: the unit of the profile, else the
    top unit); the cost centres become units under it. ``into``: actual values (None) or
    targets from the budget. ``on_conflict`` (None: the profile's, else keeping what is
    stored). ``settings`` replaces the profile's (None: the profile's, else the BAS
    defaults). ``profile`` names the profile to use and
    save (None: :data:`DEFAULT_PROFILE`).
    """

    into: Into | None = None
    on_conflict: OnConflict | None = None
    skip_invalid: bool = False
    dry_run: bool = False
    unit_id: int | None = None
    create_missing: bool = False
    settings: SieSettings | None = None
    profile: str | None = None
    backup_threshold: int = BACKUP_THRESHOLD


@dataclass(frozen=True)
class SieImport:
    """What a SIE import did (``result``, as a spreadsheet import reports it) and what the
    file held (``preview``)."""

    result: ImportResult
    preview: SiePreview
    created_kpis: tuple[str, ...] = ()
    created_units: tuple[str, ...] = ()


class _Rollback(Exception):  # a control-flow signal, not an error
    def __init__(self, outcome: SieImport) -> None:
        super().__init__("rolled back")
        self.outcome = outcome


@dataclass
class _Plan:
    """The KPIs and units the values go to, and what was made or left out on the way."""

    kpis: dict[str, KpiInfo] = field(default_factory=dict)  # SIE code → workspace KPI
    units: dict[str, int] = field(default_factory=dict)  # unit label → unit id
    created_kpis: list[tuple[int, str]] = field(default_factory=list)
    created_units: list[tuple[int, str]] = field(default_factory=list)
    missing_kpis: list[str] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)


def import_sie(
    workspace: Workspace,
    path: str | os.PathLike[str],
    options: SieImportOptions | None = None,
    *,
    preview: SiePreview | None = None,
    sie: SieFile | None = None,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
) -> SieImport:
    """Import the SIE file at ``path`` into ``workspace``, all or nothing (see the module).

    ``preview`` (from :func:`preview_sie` of the same file) or ``sie`` (the file as read)
    saves reading it again. Returns
    also when problems stopped the import or it was a dry run (then nothing is stored).
    Raises :class:`~kpidesk.io.sie.SieError` for a file that cannot be read and
    ``MappingError`` for a profile that is not a SIE profile.
    """
    options = options or SieImportOptions()
    path = Path(path)
    stored_settings, profile = load_settings(options.profile)
    if profile is not None and profile.signature != PROFILE_SIGNATURE:
        raise MappingError(
            N_("The import profile “{name}” is for spreadsheets, not for SIE files."),
            name=profile.name,
        )
    profile_name = options.profile or (profile.name if profile is not None else DEFAULT_PROFILE)
    check_profile_kind(profile_name, sie=True)
    settings = options.settings or stored_settings
    if preview is None or preview.settings != settings:
        if sie is None:
            sie = (
                preview.sie
                if preview is not None
                else read_sie(path, cancelled=cancelled, progress=progress)
            )
        preview = SiePreview(path, sie, compute_figures(sie, settings), settings)
    problems = preview.problems()
    figures = preview.figures
    if problems and options.skip_invalid:
        figures = compute_figures(
            without_vouchers(preview.sie, path, preview.sie.unbalanced), settings
        )
        left_out = ", ".join(v.name or str(v.line) for v in preview.sie.unbalanced)
        figures.notes.append(Message.of(NOTE_LEFT_OUT, vouchers=left_out))
    names = WorkspaceNames()
    company_unit = options.unit_id
    if company_unit is None and profile is not None and profile.default_unit_id in names.units:
        company_unit = profile.default_unit_id
    if company_unit is None:
        company_unit = names.root_id
    on_conflict = options.on_conflict or (
        OnConflict(profile.on_conflict) if profile is not None else OnConflict.SKIP
    )
    into = options.into or Into.ACTUALS  # not the profile's: budgets come now and then
    options = replace(options, into=into, on_conflict=on_conflict)
    values = figures.budgets if into is Into.TARGETS else figures.values
    backup = None
    if not options.dry_run and len(values) > options.backup_threshold:
        backup = backups.make_backup(workspace, reason=backups.REASON_BEFORE_IMPORT)
    deferred = _CheckpointLater(workspace)
    try:
        with workspace.atomic():
            plan = _plan(workspace, preview, figures, options, names, company_unit, profile)
            records, frequency_notes = _records(preview, figures, plan, into)
            plan.notes.extend(frequency_notes)
            if into is Into.TARGETS and not preview.sie.period_budgets:
                plan.notes.append(Message.of(NOTE_NO_BUDGET))
            if not records and plan.missing_kpis and not plan.kpis:
                problems = (*problems, _no_kpis(preview.file_name, plan))
            import_options = ImportOptions(
                into=into,
                on_conflict=on_conflict,
                skip_invalid=options.skip_invalid,
                dry_run=options.dry_run,
                unit_id=company_unit,
                backup_threshold=max(options.backup_threshold, len(records) + 1),
            )
            result = run_import(
                deferred,  # type: ignore[arg-type]
                path,
                import_options,
                _mapping(plan),
                scan=_scan(path, preview, records, problems, plan, figures),
                cancelled=cancelled,
            )
            result = replace(
                result,
                layout=None,
                created_kpis=() if result.stopped else _names(plan.created_kpis),
                created_units=() if result.stopped else _names(plan.created_units),
                profile=profile_name if result.stored else None,
                backup=backup,
            )
            outcome = SieImport(
                result, preview, _names(plan.created_kpis), _names(plan.created_units)
            )
            if result.batch_id is None:
                raise _Rollback(outcome)
            _finish(
                result.batch_id,
                plan,
                profile,
                profile_name,
                options,
                on_conflict,
                company_unit,
                settings,
            )
    except _Rollback as rollback:
        return rollback.outcome
    if deferred.wanted:
        workspace.checkpoint()
    return outcome


class _CheckpointLater:
    """The workspace as ``run_import`` sees it inside this import's transaction: its
    request to fold the WAL back (after a large import) waits until the transaction ends,
    since SQLite cannot checkpoint while one is open."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self.wanted = False

    def __getattr__(self, name: str) -> object:
        return getattr(self._workspace, name)

    def checkpoint(self) -> None:
        self.wanted = True


def _no_kpis(file_name: str, plan: _Plan) -> SieProblem:
    """The problem of a file none of whose KPIs is in the workspace."""
    plan.notes = [note for note in plan.notes if note.template != NOTE_MISSING_KPIS]
    codes = ", ".join(plan.missing_kpis)
    return SieProblem(file_name, None, None, codes, Message.of(MSG_NO_KPIS, codes=codes))


def _names(created: list[tuple[int, str]]) -> tuple[str, ...]:
    return tuple(name for _id, name in created)


def _mapping(plan: _Plan) -> ImportMapping:
    return ImportMapping(
        {kpi_key(code): KpiDecision.map_to(info.id) for code, info in plan.kpis.items()},
        {unit_key(label): UnitDecision.map_to(unit) for label, unit in plan.units.items()},
    )


def _finish(
    batch_id: int,
    plan: _Plan,
    profile: ProfileData | None,
    profile_name: str,
    options: SieImportOptions,
    on_conflict: OnConflict,
    company_unit: int | None,
    settings: SieSettings,
) -> None:
    """What undoing the batch needs (the KPIs and units made for it), and the profile."""
    changes: list[queries.ImportChangeRow] = [
        ("kpi", kpi_id, None, None, None, None, None, None) for kpi_id, _n in plan.created_kpis
    ]
    changes += [
        ("unit", None, unit_id, None, None, None, None, None) for unit_id, _n in plan.created_units
    ]
    queries.record_import_changes(batch_id, changes)
    profile_id = _save_profile(
        ProfileData(
            name=profile_name,
            signature=PROFILE_SIGNATURE,
            into=(options.into or Into.ACTUALS).value,
            on_conflict=on_conflict.value,
            default_unit_id=company_unit,
            kpis=_mapping(plan).kpis,
            units=_unit_decisions(profile, plan),
        ),
        settings,
    )
    models.ImportBatch.update(profile=profile_id).where(models.ImportBatch.id == batch_id).execute()


def _unit_decisions(profile: ProfileData | None, plan: _Plan) -> dict[str, UnitDecision]:
    decisions = dict(profile.units) if profile is not None else {}
    decisions.update(_mapping(plan).units)
    return decisions


# KPIs and units -------------------------------------------------------------------------------


def _language(workspace: Workspace) -> str:
    """The workspace's language, which new KPIs are named in."""
    try:
        return str(workspace.settings().language or "sv")
    except models.WorkspaceSettings.DoesNotExist:
        return "sv"


def _find_kpi(names: WorkspaceNames, code: str, entry: KpiEntry | None) -> KpiInfo | None:
    """The workspace's KPI for a SIE code: by code, then by the library's names for it."""
    wanted = code.upper()
    for info in names.kpis.values():
        if info.code.upper() == wanted:
            return info
    if entry is not None:
        keys = {kpi_key(entry.names.sv), kpi_key(entry.names.en)}
        found = [info for info in names.kpis.values() if kpi_key(info.name) in keys]
        live = [info for info in found if not info.archived]
        if live or found:
            return (live or found)[0]
    return None


def _plan(
    workspace: Workspace,
    preview: SiePreview,
    figures: SieFigures,
    options: SieImportOptions,
    names: WorkspaceNames,
    company_unit: int | None,
    profile: ProfileData | None,
) -> _Plan:
    plan = _Plan()
    library = load_library()
    language = _language(workspace)
    targets = options.into is Into.TARGETS
    source = figures.budgets if targets else figures.values
    flow_codes = [rule.code for rule in preview.settings.rules]
    wanted = [code for code in flow_codes if any(key[0] == code for key in source)]
    frequency = figures.frequency or PeriodKind.MONTH
    balance_codes: list[str] = []
    if not targets and figures.balance_values:
        balance_codes = [
            code for code in BALANCE_CODES if any(k[0] == code for k in figures.balance_values)
        ]
    taken = names.taken_codes()
    for code in [*wanted, *balance_codes]:
        entry = library.by_code(code)
        info = _find_kpi(names, code, entry)
        if info is None and options.create_missing:
            kind = figures.balance_frequency if code in BALANCE_CODES else frequency
            info = _create(
                workspace,
                names,
                plan,
                _kpi_data(entry, code, language, kind or frequency, taken),
                taken,
            )
        if info is None:
            plan.missing_kpis.append(code)
        else:
            plan.kpis[code] = info
    if not targets and options.create_missing:
        _plan_formulas(workspace, names, plan, library, language, taken)
    if plan.missing_kpis:
        plan.notes.append(Message.of(NOTE_MISSING_KPIS, codes=", ".join(plan.missing_kpis)))
    _plan_units(workspace, figures, options, names, company_unit, profile, plan)
    return plan


def _kpi_data(
    entry: KpiEntry | None, code: str, language: str, kind: PeriodKind, taken: set[str]
) -> KpiData:
    if entry is not None:
        data = data_from_library(entry, language)
    else:
        data = KpiData(code=code, name=code, measure_unit="currency")
    data.code = unique_code(code, taken)
    data.frequency = kind.value
    data.data_source = "SIE"
    return data


def _create(
    workspace: Workspace, names: WorkspaceNames, plan: _Plan, data: KpiData, taken: set[str]
) -> KpiInfo:
    kpi_id = create_kpi(workspace, data)
    taken.add(data.code)
    info = names.added_kpi(models.Kpi.get_by_id(kpi_id))
    plan.created_kpis.append((kpi_id, info.name))
    return info


_CODE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _plan_formulas(
    workspace: Workspace,
    names: WorkspaceNames,
    plan: _Plan,
    library: KpiLibrary,
    language: str,
    taken: set[str],
) -> None:
    """GP and GM where the workspace has none: calculated KPIs over the codes the values
    go to (an existing KPI named Nettoomsättning with the code OMS makes GP = OMS − COGS)."""
    known = {code: info.code for code, info in plan.kpis.items()}
    revenue = plan.kpis.get("REV")
    frequency = revenue.frequency if revenue is not None else PeriodKind.MONTH
    for code in FORMULA_CODES:
        entry = library.by_code(code)
        existing = _find_kpi(names, code, entry)
        if existing is not None:
            known[code] = existing.code
            continue
        if entry is None or not entry.calculation:
            continue
        if not set(_CODE_WORD.findall(entry.calculation)) <= set(known):
            continue
        data = _kpi_data(entry, code, language, frequency, taken)
        data.formula = _CODE_WORD.sub(lambda found: known[found.group(0)], entry.calculation)
        data.data_source = ""
        known[code] = _create(workspace, names, plan, data, taken).code


def kpi_for_code(names: WorkspaceNames, code: str) -> KpiInfo | None:
    """The workspace's KPI that a SIE code's values go to: by code, then by the KPI
    library's names for the code (a KPI ``OMS`` named Nettoomsättning takes REV)."""
    return _find_kpi(names, code, load_library().by_code(code))


def new_kpi_name(workspace: Workspace, code: str) -> str:
    """The name of the KPI made for ``code``: the KPI library's, in the workspace's language."""
    entry = load_library().by_code(code)
    return entry.names.get(_language(workspace)) if entry is not None else code


def unit_for(
    names: WorkspaceNames, label: str, profile: ProfileData | None
) -> tuple[Choice, UnitInfo | None]:
    """Where a cost centre's values go: the profile's decision, else the unit of that
    name. ``(MAP, unit)``; ``(IGNORE, None)``; ``(CREATE, None)`` for a name no unit has
    (made by ``create_missing``, else left out); ``(MAP, None)`` for a name several have."""
    decision = profile.units.get(unit_key(label)) if profile is not None else None
    if decision is not None and decision.choice is Choice.IGNORE:
        return Choice.IGNORE, None
    if decision is not None and decision.choice is Choice.MAP and decision.unit_id in names.units:
        return Choice.MAP, names.units[decision.unit_id]  # type: ignore[index]
    found = names.match_unit(label)
    if len(found) == 1:
        return Choice.MAP, found[0]
    return (Choice.CREATE, None) if not found else (Choice.MAP, None)


def _plan_units(
    workspace: Workspace,
    figures: SieFigures,
    options: SieImportOptions,
    names: WorkspaceNames,
    company_unit: int | None,
    profile: ProfileData | None,
    plan: _Plan,
) -> None:
    for label in figures.units:
        choice, found = unit_for(names, label, profile)
        if choice is Choice.IGNORE:
            continue
        if found is not None:
            plan.units[label] = found.id
        elif choice is Choice.CREATE and options.create_missing and company_unit is not None:
            unit_id = units.create_unit(workspace, label, company_unit)
            created = models.Unit.get_by_id(unit_id)
            names.added_unit(unit_id, created.name, company_unit)
            plan.units[label] = unit_id
            plan.created_units.append((unit_id, created.name))
        else:
            plan.missing_units.append(label)
    if plan.missing_units:
        parent = names.units.get(company_unit) if company_unit is not None else None
        plan.notes.append(
            Message.of(
                NOTE_MISSING_UNITS,
                names=", ".join(f"“{name}”" for name in plan.missing_units),
                parent=parent.name if parent else "",
            )
        )


# Records ---------------------------------------------------------------------------------


def _regroup(
    values: dict[str, float], into: PeriodKind, summed: bool
) -> tuple[dict[str, float], int]:
    """Monthly values as quarters or years (only whole ones): summed, or the last month's;
    with the number of months left out."""
    grouped: dict[str, dict[str, float]] = defaultdict(dict)
    for key, value in values.items():
        month = Period.from_key(key)
        grouped[month.to(into).key][key] = value
    result = {}
    left_out = 0
    for key, months in grouped.items():
        period = Period.from_key(key)
        if len(months) != len(period.subperiods(PeriodKind.MONTH)):
            left_out += len(months)
            continue
        total = sum(months.values()) if summed else months[max(months)]
        result[key] = round(total, 6)
    return result, left_out


def _records(
    preview: SiePreview, figures: SieFigures, plan: _Plan, into: Into
) -> tuple[list[RawRecord], list[Message]]:
    """The values as the importer's records, each in its KPI's frequency where it can be."""
    file_name = preview.file_name
    notes: list[Message] = []
    by_series: dict[tuple[str, str | None], dict[str, float]] = defaultdict(dict)
    source = figures.budgets if into is Into.TARGETS else figures.values
    for (code, unit, period), value in source.items():
        if code in plan.kpis and (unit is None or unit in plan.units):
            by_series[(code, unit)][period] = value
    if into is Into.ACTUALS:
        for (code, period), value in figures.balance_values.items():
            if code in plan.kpis:
                by_series[(code, None)][period] = value
    records: list[RawRecord] = []
    reported: set[str] = set()
    for (code, unit), series in sorted(
        by_series.items(), key=lambda item: (item[0][0], item[0][1] or "")
    ):
        info = plan.kpis[code]
        balance = code in BALANCE_CODES
        first = Period.from_key(min(series))
        if first.kind is not info.frequency:
            coarser = (PeriodKind.QUARTER, PeriodKind.YEAR)
            if first.kind is PeriodKind.MONTH and info.frequency in coarser:
                series, left_out = _regroup(series, info.frequency, summed=not balance)
                if left_out and code not in reported:
                    reported.add(code)
                    notes.append(
                        Message.of(
                            NOTE_REGROUPED,
                            kpi=info.name,
                            kind=_kind_name(info.frequency),
                            count=left_out,
                        )
                    )
            else:
                if code not in reported:
                    reported.add(code)
                    notes.append(
                        Message.of(
                            NOTE_WRONG_FREQUENCY,
                            kpi=info.name,
                            kind=_kind_name(info.frequency),
                            period=PeriodName(first.key),
                        )
                    )
                continue
        for period, value in sorted(series.items()):
            records.append(
                RawRecord(
                    file_name, 0, "", code, unit, Period.from_key(period), value, False, False, None
                )
            )
    return records, notes


def _kind_name(kind: PeriodKind) -> KindName:
    return KindName(kind.value)


def _scan(
    path: Path,
    preview: SiePreview,
    records: list[RawRecord],
    problems: tuple[SieProblem, ...],
    plan: _Plan,
    figures: SieFigures,
) -> ScanResult:
    notes = (*preview.sie.notes, *figures.notes, *plan.notes)
    layout = Layout(kind=LayoutKind.LONG, header_row=0, roles=(), sheet=preview.file_name)
    extraction = ExtractionResult(
        file_name=preview.file_name,
        format=SpreadsheetFormat.SIE,
        sheet=preview.file_name,
        layout=layout,
        rows_read=preview.sie.lines,
        record_count=len(records),
        notes=tuple(notes),
        problems=problems,
        problem_count=len(problems),
    )
    return ScanResult(path, extraction, (), (), tuple(records[:200]), tuple(records))
