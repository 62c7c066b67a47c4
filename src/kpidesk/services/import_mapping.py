"""Mapping a spreadsheet's names to the workspace: KPIs, units, decisions and import profiles.

A KPI label matches a KPI when, with case, spacing, punctuation, diacritics and a unit suffix
such as ``(kr)``, ``(h)`` or `` %`` ignored (:func:`kpidesk.io.names.normalise_name`), it is
the KPI's name, its code, or an alias remembered from an earlier import. A unit label matches
a unit by name (case, spacing and diacritics ignored), code or alias. What matches nothing
gets a :class:`KpiDecision` / :class:`UnitDecision`: map it to an existing KPI or unit,
create one, or ignore its values.

An :class:`ImportProfile <kpidesk.store.models.ImportProfile>` keeps the decisions and the
layout choices under a name, keyed by the sheet's shape (:func:`layout_signature`), so the
next file of the same shape imports in one step.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kpidesk.domain.aggregation import Aggregation
from kpidesk.domain.errors import DomainError
from kpidesk.domain.kpi_library import KpiEntry
from kpidesk.domain.numbers import MeasureUnit
from kpidesk.domain.periods import PeriodKind
from kpidesk.domain.status import Direction
from kpidesk.i18n import N_
from kpidesk.io.layout import ColumnRole, Layout
from kpidesk.io.names import fold, normalise_name
from kpidesk.services.kpi_inference import (
    CellEvidence,
    KpiProposal,
    default_library_names,
    infer_kpi,
)
from kpidesk.services.kpis import CODE_PATTERN, KpiData, unique_code
from kpidesk.store import models

__all__ = [
    "SIE_SIGNATURE",
    "Choice",
    "ImportMapping",
    "KpiDecision",
    "KpiInfo",
    "LabelStats",
    "NewKpi",
    "ProfileData",
    "UnitDecision",
    "UnitInfo",
    "WorkspaceNames",
    "check_profile_kind",
    "display_name",
    "is_sie_signature",
    "kpi_key",
    "layout_signature",
    "list_profiles",
    "new_kpi_for",
    "unit_key",
]

PROFILE_VERSION = 1
SIE_SIGNATURE = "sie:v1"
"""The signature of every SIE import profile (a SIE file has one shape); a spreadsheet's
profile has its layout's signature (:func:`layout_signature`)."""


class MappingError(DomainError):
    """A profile, unit or KPI named on the command line that is not there."""

    exit_code = 2


class Choice(StrEnum):
    MAP = "map"
    CREATE = "create"
    IGNORE = "ignore"


# Names ---------------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[^\w%$€£]+")


def kpi_key(label: str) -> str:
    """The form a KPI label is matched by: ``Omsättning (kr)`` → ``omsattning``."""
    return normalise_name(label).name


def unit_key(label: str) -> str:
    """The form a unit label is matched by: `` Butik  Umeå`` → ``butik umea``.

    No unit-of-measure suffix is taken off (a team may well be called ``Team H``).
    """
    return " ".join(_NOT_WORD.sub(" ", fold(label)).split())


_SUFFIX_BRACKETED = re.compile(r"\s*[(\[{][^()\[\]{}]{1,20}[)\]}]\s*$")
_SUFFIX_PERCENT = re.compile(r"[\s,;:\-–]*%\s*$")
_SUFFIX_WORD = re.compile(r"[\s,;:/\-–]+(?:(?:i|in)\s+)?[^\s,;:/\-–]{1,12}\s*$")


def display_name(label: str) -> str:
    """A KPI's name from its header text: the text as written, without its unit suffix.

    ``Omsättning (kr)`` → ``Omsättning``; ``Andel nöjda %`` → ``Andel nöjda``;
    ``Kunder, st`` → ``Kunder``; ``Customer satisfaction (CSAT)`` stays as it is.
    """
    text = " ".join(str(label).split())
    wanted = normalise_name(text)
    if wanted.measure is None:
        return text
    for pattern in (_SUFFIX_BRACKETED, _SUFFIX_PERCENT, _SUFFIX_WORD):
        shorter = pattern.sub("", text).strip()
        if shorter and shorter != text and normalise_name(shorter).name == wanted.name:
            return shorter
    return text


def suggest_code(name: str, taken: set[str]) -> str:
    """A free KPI code from a name: ``Andel nöjda`` → ``ANDEL_NOJDA``."""
    words = re.sub(r"[^A-Z0-9]+", " ", fold(name).upper()).split()
    code = ""
    for word in words:
        candidate = f"{code}_{word}" if code else word
        if len(candidate) > 20:
            break
        code = candidate
    if not code and words:
        code = words[0][:20]
    if not code or not code[0].isalpha():
        code = f"K{code}"[:20] if code else "KPI"
    if not CODE_PATTERN.fullmatch(code):
        code = "KPI"
    return unique_code(code, taken)


# Decisions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewKpi:
    """A KPI to create for a label that matches none.

    ``time_aggregation`` and ``unit_aggregation`` None (profiles saved before they were
    kept): percentages and scores are averaged, the rest summed. ``library_code`` names the
    KPI library entry it follows (its definition and benchmark come along).
    """

    name: str
    measure_unit: MeasureUnit = MeasureUnit.COUNT
    frequency: PeriodKind = PeriodKind.MONTH
    decimals: int = 0
    code: str = ""  # empty: made from the name
    time_aggregation: Aggregation | None = None
    unit_aggregation: Aggregation | None = None
    direction: Direction = Direction.HIGHER_IS_BETTER
    unit_label: str = ""
    library_code: str | None = None

    @property
    def aggregation(self) -> Aggregation:
        """The aggregation over time."""
        if self.time_aggregation is not None:
            return self.time_aggregation
        if self.measure_unit in (MeasureUnit.PERCENT, MeasureUnit.SCORE):
            return Aggregation.AVERAGE
        return Aggregation.SUM

    @property
    def across_units(self) -> Aggregation:
        if self.unit_aggregation is not None:
            return self.unit_aggregation
        over_time = self.aggregation
        return Aggregation.SUM if over_time is Aggregation.LAST else over_time

    @classmethod
    def from_proposal(cls, proposal: KpiProposal) -> NewKpi:
        return cls(
            name=proposal.name,
            measure_unit=proposal.measure_unit,
            frequency=proposal.frequency,
            decimals=proposal.decimals,
            code=proposal.library_code or "",
            time_aggregation=proposal.time_aggregation,
            unit_aggregation=proposal.unit_aggregation,
            direction=proposal.direction,
            unit_label=proposal.unit_label,
            library_code=proposal.library_code,
        )

    def data(self, taken_codes: set[str], language: str = "en") -> KpiData:
        code = self.code if self.code and self.code not in taken_codes else ""
        data = KpiData(
            code=code or suggest_code(self.name, taken_codes),
            name=self.name[:200],
            measure_unit=MeasureUnit(self.measure_unit).value,
            unit_label=self.unit_label,
            decimals=max(0, min(6, self.decimals)),
            direction=Direction(self.direction).value,
            frequency=PeriodKind(self.frequency).value,
            time_aggregation=self.aggregation.value,
            unit_aggregation=self.across_units.value,
            data_source="",
        )
        entry = self._library_entry()
        if entry is not None:
            data.description = entry.definition(language)
            data.definition = entry.formula(language) or entry.definition(language)
            data.indicator_type = entry.indicator.value
            if entry.benchmark is not None and entry.measure_unit.value == data.measure_unit:
                data.benchmark_value = entry.benchmark.value
                data.benchmark_source = entry.benchmark.source
        return data

    def _library_entry(self) -> KpiEntry | None:
        if not self.library_code:
            return None
        library = default_library_names().library
        return library.by_code(self.library_code) if library is not None else None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "measure_unit": MeasureUnit(self.measure_unit).value,
            "frequency": PeriodKind(self.frequency).value,
            "decimals": self.decimals,
            "time_aggregation": self.aggregation.value,
            "unit_aggregation": self.across_units.value,
            "direction": Direction(self.direction).value,
        }
        if self.unit_label:
            data["unit_label"] = self.unit_label
        if self.library_code:
            data["library"] = self.library_code
        if self.code:
            data["code"] = self.code
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NewKpi:
        def optional(key: str) -> Aggregation | None:
            value = data.get(key)
            return Aggregation(value) if value is not None else None

        library = data.get("library")
        return cls(
            name=str(data["name"]),
            measure_unit=MeasureUnit(data.get("measure_unit", "count")),
            frequency=PeriodKind(data.get("frequency", "month")),
            decimals=int(data.get("decimals", 0)),
            code=str(data.get("code", "")),
            time_aggregation=optional("time_aggregation"),
            unit_aggregation=optional("unit_aggregation"),
            direction=Direction(data.get("direction", Direction.HIGHER_IS_BETTER.value)),
            unit_label=str(data.get("unit_label", "")),
            library_code=str(library) if isinstance(library, str) else None,
        )


@dataclass(frozen=True, slots=True)
class KpiDecision:
    choice: Choice
    kpi_id: int | None = None  # MAP
    new: NewKpi | None = None  # CREATE

    @classmethod
    def map_to(cls, kpi_id: int) -> KpiDecision:
        return cls(Choice.MAP, kpi_id=kpi_id)

    @classmethod
    def create(cls, new: NewKpi) -> KpiDecision:
        return cls(Choice.CREATE, new=new)


KPI_IGNORED = KpiDecision(Choice.IGNORE)


@dataclass(frozen=True, slots=True)
class UnitDecision:
    choice: Choice
    unit_id: int | None = None  # MAP
    name: str = ""  # CREATE: the new unit's name (under the top unit)

    @classmethod
    def map_to(cls, unit_id: int) -> UnitDecision:
        return cls(Choice.MAP, unit_id=unit_id)

    @classmethod
    def create(cls, name: str) -> UnitDecision:
        return cls(Choice.CREATE, name=name)


UNIT_IGNORED = UnitDecision(Choice.IGNORE)


@dataclass
class ImportMapping:
    """The decisions for labels, by :func:`kpi_key` / :func:`unit_key`.

    Labels without a decision are matched to the workspace; what matches nothing is created
    when ``create_missing`` is set, else it is a problem.
    """

    kpis: dict[str, KpiDecision] = field(default_factory=dict)
    units: dict[str, UnitDecision] = field(default_factory=dict)
    create_missing: bool = False

    def copy(self) -> ImportMapping:
        return ImportMapping(dict(self.kpis), dict(self.units), self.create_missing)


# The workspace's names -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KpiInfo:
    id: int
    code: str
    name: str
    measure_unit: str
    frequency: PeriodKind
    calculated: bool
    archived: bool
    time_aggregation: Aggregation = Aggregation.SUM

    @property
    def percent(self) -> bool:
        return self.measure_unit == MeasureUnit.PERCENT.value


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    name: str
    parent_id: int | None
    code: str | None


class WorkspaceNames:
    """The workspace's KPIs and units, indexed for matching labels (read once per import)."""

    def __init__(self) -> None:
        self.kpis: dict[int, KpiInfo] = {}
        self._kpi_by_name: dict[str, list[int]] = {}
        self._kpi_by_code: dict[str, int] = {}
        self._kpi_by_alias: dict[str, int] = {}
        for kpi in models.Kpi.select().order_by(models.Kpi.sort_order, models.Kpi.id):
            info = KpiInfo(
                kpi.id,
                kpi.code,
                kpi.name,
                kpi.measure_unit,
                PeriodKind(kpi.frequency),
                bool(kpi.formula.strip()),
                kpi.archived_at is not None,
                Aggregation(kpi.time_aggregation),
            )
            self._add_kpi(info)
        for alias, kpi_id in models.KpiAlias.select(
            models.KpiAlias.alias, models.KpiAlias.kpi
        ).tuples():
            self._kpi_by_alias[alias] = kpi_id

        self.units: dict[int, UnitInfo] = {}
        self._unit_by_name: dict[str, list[int]] = {}
        self._unit_by_code: dict[str, list[int]] = {}
        self._unit_by_alias: dict[str, int] = {}
        self.root_id: int | None = None
        for unit in models.Unit.select().order_by(models.Unit.id):
            self._add_unit(UnitInfo(unit.id, unit.name, unit.parent_id, unit.code))
        for alias, unit_id in models.UnitAlias.select(
            models.UnitAlias.alias, models.UnitAlias.unit
        ).tuples():
            self._unit_by_alias[alias] = unit_id

    def _add_kpi(self, info: KpiInfo) -> None:
        self.kpis[info.id] = info
        self._kpi_by_name.setdefault(kpi_key(info.name), []).append(info.id)
        self._kpi_by_code.setdefault(fold(info.code), info.id)

    def _add_unit(self, info: UnitInfo) -> None:
        self.units[info.id] = info
        if info.parent_id is None and self.root_id is None:
            self.root_id = info.id
        self._unit_by_name.setdefault(unit_key(info.name), []).append(info.id)
        if info.code:
            self._unit_by_code.setdefault(unit_key(info.code), []).append(info.id)

    def added_kpi(self, kpi: models.Kpi) -> KpiInfo:
        info = KpiInfo(
            kpi.id,
            kpi.code,
            kpi.name,
            kpi.measure_unit,
            PeriodKind(kpi.frequency),
            bool(kpi.formula.strip()),
            False,
            Aggregation(kpi.time_aggregation),
        )
        self._add_kpi(info)
        return info

    def added_unit(self, unit_id: int, name: str, parent_id: int | None) -> UnitInfo:
        info = UnitInfo(unit_id, name, parent_id, None)
        self._add_unit(info)
        return info

    # matching ---------------------------------------------------------------------------
    def match_kpi(self, label: str) -> KpiInfo | None:
        """The KPI a label names (by name, then code, then alias, then a name the KPI
        library gives the same KPI: ``Omsättning`` finds ``Revenue``), or None."""
        key = kpi_key(label)
        ids = self._kpi_by_name.get(key)
        if ids:
            live = [i for i in ids if not self.kpis[i].archived]
            return self.kpis[(live or ids)[0]]
        for code_key in (fold(str(label)).strip(), key, key.replace(" ", "_")):
            found = self._kpi_by_code.get(code_key)
            if found is not None:
                return self.kpis[found]
        found = self._kpi_by_alias.get(key)
        if found is not None and found in self.kpis:
            return self.kpis[found]
        return self.library_match(label)

    def library_match(self, label: str) -> KpiInfo | None:
        """The workspace's KPI that the library knows as the same KPI as ``label``."""
        library = default_library_names()
        entry = library.entry_for(label)
        if entry is None:
            return None
        same = [
            info
            for info in self.kpis.values()
            if info.code == entry.code or library.entry_for(info.name) is entry
        ]
        live = [info for info in same if not info.archived]
        return (live or same or [None])[0]

    def kpi_matches_by_itself(self, label: str, kpi_id: int) -> bool:
        """Whether ``label`` finds ``kpi_id`` without help (so no alias is needed)."""
        found = self.match_kpi(label)
        return found is not None and found.id == kpi_id

    def remember_kpi_alias(self, label: str, kpi_id: int) -> None:
        self._kpi_by_alias[kpi_key(label)] = kpi_id

    def match_unit(self, label: str) -> list[UnitInfo]:
        """The units a label names: one, none, or several (an ambiguous name)."""
        key = unit_key(label)
        ids = self._unit_by_name.get(key) or self._unit_by_code.get(key)
        if not ids:
            found = self._unit_by_alias.get(key)
            ids = [found] if found is not None and found in self.units else []
        return [self.units[i] for i in ids]

    def unit_matches_by_itself(self, label: str, unit_id: int) -> bool:
        found = self.match_unit(label)
        return len(found) == 1 and found[0].id == unit_id

    def remember_unit_alias(self, label: str, unit_id: int) -> None:
        self._unit_by_alias[unit_key(label)] = unit_id

    def unit_named(self, name: str) -> UnitInfo:
        """The unit called ``name`` (for ``--unit``); raises :class:`MappingError`."""
        found = self.match_unit(name)
        if not found:
            raise MappingError(N_("There is no unit named “{name}”."), name=name)
        if len(found) > 1:
            raise MappingError(
                N_("Several units are named “{name}”; rename one of them first."), name=name
            )
        return found[0]

    def taken_codes(self) -> set[str]:
        return {info.code for info in self.kpis.values()}


# Creating KPIs from what the sheet shows ---------------------------------------------------


@dataclass
class LabelStats:
    """What a read saw of one KPI or unit label: how often, which periods, percent cells."""

    label: str
    key: str
    count: int = 0
    kinds: Counter[PeriodKind] = field(default_factory=Counter)
    percent_cells: int = 0
    currency_cells: int = 0
    decimals: int = 0
    row: int = 0  # the first value's cell
    column: str = ""

    @property
    def frequency(self) -> PeriodKind:
        return self.kinds.most_common(1)[0][0] if self.kinds else PeriodKind.MONTH

    @property
    def evidence(self) -> CellEvidence:
        """What the label's cells showed, for :func:`new_kpi_for`."""
        return CellEvidence(
            values=self.count,
            percent=self.percent_cells,
            currency=self.currency_cells,
            decimals=self.decimals,
        )


def decimals_of(value: float) -> int:
    """Decimals a value is written with, at most 2 (``1234.5`` → 1)."""
    if value != value or value in (float("inf"), float("-inf")):
        return 0
    text = f"{abs(value):.6f}".rstrip("0")
    return min(2, len(text.split(".")[1]) if "." in text else 0)


def new_kpi_for(
    label: str,
    *,
    frequency: PeriodKind,
    percent_cells: bool = False,
    decimals: int = 0,
    cells: CellEvidence | None = None,
) -> NewKpi:
    """The KPI ``--create-missing`` (or the wizard's Create) makes for a label.

    Its name is the label without a unit suffix; its kind (unit of measure, aggregation over
    time and units, direction) is inferred from the header and the cells
    (:func:`kpidesk.services.kpi_inference.infer_kpi`); its frequency from the periods.
    ``cells`` says what the label's cells showed; without it, ``percent_cells`` and
    ``decimals`` stand for them.
    """
    evidence = cells or CellEvidence(values=1, percent=1 if percent_cells else 0, decimals=decimals)
    proposal = infer_kpi(label, name=display_name(label), frequency=frequency, cells=evidence)
    return NewKpi.from_proposal(proposal)


# Profiles ----------------------------------------------------------------------------------


def layout_signature(layout: Layout) -> str:
    """The shape of a sheet: the layout kind, the frequency and the header words of every
    column except the periods across (which change from year to year)."""
    parts = [layout.kind.value, layout.frequency.value]
    for column, role in sorted(layout.roles):
        if role in (ColumnRole.PERIOD_VALUES, ColumnRole.TOTAL):
            continue
        label = layout.label(column) or ""
        parts.append(f"{role.value}={kpi_key(label) if label else ''}")
    if layout.kpi_label:
        parts.append(f"kpi={kpi_key(layout.kpi_label)}")
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False)
    return f"v{PROFILE_VERSION}:{digest.hexdigest()[:24]}"


@dataclass(frozen=True)
class ProfileData:
    """An import profile's content: the layout choices and the decisions per label."""

    name: str
    signature: str = ""
    layout: str | None = None  # "long", "wide", "across" or None (detect)
    sheet: str | None = None
    year: int | None = None
    into: str = "actuals"
    on_conflict: str = "skip"
    default_unit_id: int | None = None
    kpis: dict[str, KpiDecision] = field(default_factory=dict)
    units: dict[str, UnitDecision] = field(default_factory=dict)
    id: int | None = None

    def to_json(self, kpi_codes: dict[int, str]) -> str:
        kpis: dict[str, Any] = {}
        for key, decision in sorted(self.kpis.items()):
            if decision.choice is Choice.IGNORE:
                kpis[key] = "ignore"
            elif decision.choice is Choice.MAP and decision.kpi_id in kpi_codes:
                kpis[key] = {"map": kpi_codes[decision.kpi_id]}  # type: ignore[index]
            elif decision.choice is Choice.CREATE and decision.new is not None:
                kpis[key] = {"create": decision.new.to_json()}
        units: dict[str, Any] = {}
        for key, unit in sorted(self.units.items()):
            if unit.choice is Choice.IGNORE:
                units[key] = "ignore"
            elif unit.choice is Choice.MAP:
                units[key] = {"map": unit.unit_id}
            else:
                units[key] = {"create": unit.name}
        return json.dumps(
            {
                "version": PROFILE_VERSION,
                "layout": self.layout,
                "sheet": self.sheet,
                "year": self.year,
                "into": self.into,
                "on_conflict": self.on_conflict,
                "default_unit": self.default_unit_id,
                "kpis": kpis,
                "units": units,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(
        cls, name: str, signature: str, text: str, kpi_ids: dict[str, int], profile_id: int
    ) -> ProfileData:
        try:
            data = json.loads(text)
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        kpis: dict[str, KpiDecision] = {}
        for key, value in (data.get("kpis") or {}).items():
            if value == "ignore":
                kpis[key] = KPI_IGNORED
            elif isinstance(value, dict) and value.get("map") in kpi_ids:
                kpis[key] = KpiDecision.map_to(kpi_ids[value["map"]])
            elif isinstance(value, dict) and isinstance(value.get("create"), dict):
                try:
                    kpis[key] = KpiDecision.create(NewKpi.from_json(value["create"]))
                except (KeyError, ValueError):
                    continue
        units: dict[str, UnitDecision] = {}
        for key, value in (data.get("units") or {}).items():
            if value == "ignore":
                units[key] = UNIT_IGNORED
            elif isinstance(value, dict) and isinstance(value.get("map"), int):
                units[key] = UnitDecision.map_to(value["map"])
            elif isinstance(value, dict) and isinstance(value.get("create"), str):
                units[key] = UnitDecision.create(value["create"])
        year = data.get("year")
        default_unit = data.get("default_unit")
        return cls(
            name=name,
            signature=signature,
            layout=data.get("layout") if data.get("layout") in ("long", "wide", "across") else None,
            sheet=data.get("sheet") if isinstance(data.get("sheet"), str) else None,
            year=year if isinstance(year, int) else None,
            into=data.get("into") if data.get("into") in ("actuals", "targets") else "actuals",
            on_conflict=data.get("on_conflict")
            if data.get("on_conflict") in ("skip", "replace")
            else "skip",
            default_unit_id=default_unit if isinstance(default_unit, int) else None,
            kpis=kpis,
            units=units,
            id=profile_id,
        )


def _kpi_ids_by_code() -> dict[str, int]:
    return dict(models.Kpi.select(models.Kpi.code, models.Kpi.id).tuples())


def _profile(row: models.ImportProfile) -> ProfileData:
    return ProfileData.from_json(row.name, row.signature, row.mapping, _kpi_ids_by_code(), row.id)


def is_sie_signature(signature: str) -> bool:
    """Whether a profile's signature is a SIE file's (not a spreadsheet's)."""
    return signature.startswith("sie:")


def list_profiles(*, sie: bool | None = None) -> list[ProfileData]:
    """Every saved profile, the most recently used first; with ``sie`` only the SIE
    profiles (True) or only the spreadsheets' (False)."""
    rows = models.ImportProfile.select().order_by(
        models.ImportProfile.last_used_at.desc(nulls="LAST"), models.ImportProfile.id.desc()
    )
    return [
        _profile(row) for row in rows if sie is None or is_sie_signature(row.signature or "") == sie
    ]


def check_profile_kind(name: str, *, sie: bool) -> None:
    """Raise :class:`MappingError` when the profile ``name`` exists for the other kind of
    file: a SIE import never takes (or overwrites) a spreadsheet's profile, nor the other way."""
    row = models.ImportProfile.get_or_none(models.ImportProfile.name == name)
    if row is None or is_sie_signature(row.signature or "") == sie:
        return
    if sie:
        raise MappingError(
            N_("The import profile “{name}” is for spreadsheets, not for SIE files."), name=name
        )
    raise MappingError(
        N_("The import profile “{name}” is for SIE files, not for spreadsheets."), name=name
    )


def find_profile(name: str) -> ProfileData | None:
    row = models.ImportProfile.get_or_none(models.ImportProfile.name == name)
    return _profile(row) if row is not None else None


def profile_for_signature(signature: str) -> ProfileData | None:
    """The most recently used profile for a sheet of this shape, or None."""
    row = (
        models.ImportProfile.select()
        .where(models.ImportProfile.signature == signature)
        .order_by(models.ImportProfile.last_used_at.desc(nulls="LAST"), models.ImportProfile.id)
        .first()
    )
    return _profile(row) if row is not None else None


def save_profile(profile: ProfileData) -> int:
    """Create or update the profile named ``profile.name``; callers hold a transaction.
    Raises :class:`MappingError` for a name taken by a profile of the other kind of file."""
    check_profile_kind(profile.name, sie=is_sie_signature(profile.signature))
    codes = {kpi_id: code for code, kpi_id in _kpi_ids_by_code().items()}
    text = profile.to_json(codes)
    now = models.utcnow()
    row = models.ImportProfile.get_or_none(models.ImportProfile.name == profile.name)
    if row is None:
        row = models.ImportProfile.create(
            name=profile.name, signature=profile.signature, mapping=text, last_used_at=now
        )
    else:
        row.signature = profile.signature or row.signature
        row.mapping = text
        row.last_used_at = now
        row.save()
    return int(row.id)
