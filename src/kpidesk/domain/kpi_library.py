"""The built-in KPI library: well-known KPIs with definitions in Swedish and English.

The library is data (``resources/kpi_library.json``), not code. :func:`load_library` reads
and validates it against the domain's own enums, so a value the rest of KPI Desk does not
understand is refused with a message naming the entry and the field.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from kpidesk.domain.aggregation import Aggregation
from kpidesk.domain.errors import DomainError
from kpidesk.domain.formulas import FormulaError, parse_formula
from kpidesk.domain.numbers import MeasureUnit
from kpidesk.domain.periods import PeriodKind
from kpidesk.domain.status import Direction
from kpidesk.domain.terms import Indicator
from kpidesk.i18n import N_
from kpidesk.paths import resources_dir

LIBRARY_FILE = "kpi_library.json"
SUPPORTED_VERSIONS = (1,)
LIBRARY_LANGUAGES = ("sv", "en")
MAX_DECIMALS = 6

_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_GROUP_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_KPI_FIELDS = (
    "code",
    "group",
    "name",
    "definition",
    "formula",
    "calculation",
    "measure_unit",
    "unit_label",
    "decimals",
    "direction",
    "frequency",
    "time_aggregation",
    "unit_aggregation",
    "indicator",
    "benchmark",
    "synonyms",
)
_OPTIONAL_KPI_FIELDS = frozenset({"formula", "calculation", "unit_label", "benchmark", "synonyms"})


class KpiLibraryError(DomainError):
    """The KPI library file is missing, unreadable or malformed."""


def _language(language: str) -> str:
    code = language.replace("-", "_").split("_")[0].lower() if language else ""
    return code if code in LIBRARY_LANGUAGES else "en"


@dataclass(frozen=True, slots=True)
class LocalText:
    """One text in Swedish and English."""

    sv: str
    en: str

    def get(self, language: str) -> str:
        """The text in ``language`` (``sv``, ``en``, ``sv_SE``…); English for anything else."""
        return self.sv if _language(language) == "sv" else self.en


@dataclass(frozen=True, slots=True)
class Benchmark:
    """A typical industry value, always with the source it comes from."""

    value: float
    source: str


@dataclass(frozen=True, slots=True)
class KpiGroup:
    key: str
    names: LocalText

    def name(self, language: str) -> str:
        return self.names.get(language)


@dataclass(frozen=True, slots=True)
class KpiEntry:
    code: str
    group: str
    names: LocalText
    definitions: LocalText
    formulas: LocalText | None
    measure_unit: MeasureUnit
    unit_label: str
    decimals: int
    direction: Direction
    frequency: PeriodKind
    time_aggregation: Aggregation
    unit_aggregation: Aggregation
    indicator: Indicator
    benchmark: Benchmark | None
    calculation: str = ""
    """A formula over other entries' codes (``GP / REV * 100``) where the KPI is calculated
    from them, as a calculated KPI's formula is written; ``""`` for a measured KPI."""
    synonyms: tuple[str, ...] = ()
    """Other names the KPI goes by, in either language (``Omsättning``, ``Revenue``)."""

    def name(self, language: str) -> str:
        return self.names.get(language)

    def definition(self, language: str) -> str:
        return self.definitions.get(language)

    def formula(self, language: str) -> str:
        """The calculation as text, or ``""`` when the KPI is measured directly."""
        return self.formulas.get(language) if self.formulas else ""


def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics: ``Sjukfrånvaro`` → ``sjukfranvaro``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class KpiLibrary:
    version: int
    groups: tuple[KpiGroup, ...]
    entries: tuple[KpiEntry, ...]

    def group(self, key: str) -> KpiGroup:
        for group in self.groups:
            if group.key == key:
                return group
        raise KeyError(key)

    def by_code(self, code: str) -> KpiEntry | None:
        """The entry with ``code`` (case-insensitive), or None if the library has none."""
        wanted = code.strip().upper()
        return next((entry for entry in self.entries if entry.code == wanted), None)

    def in_group(self, group_key: str) -> tuple[KpiEntry, ...]:
        """The group's entries in library order; KeyError for a group the library lacks."""
        self.group(group_key)
        return tuple(entry for entry in self.entries if entry.group == group_key)

    def search(self, text: str, language: str) -> tuple[KpiEntry, ...]:
        """Entries whose code, name or definition (either language) hold every word of ``text``.

        Case and diacritics are ignored (``sjukfranvaro`` finds ``Sjukfrånvaro``). Matches on
        the code or on the name in ``language`` come first; otherwise library order is kept.
        Empty text gives every entry.
        """
        words = fold(text).split()
        if not words:
            return self.entries
        ranked: list[tuple[int, int, KpiEntry]] = []
        for position, entry in enumerate(self.entries):
            code = fold(entry.code)
            own_name = fold(entry.name(language))
            haystack = " ".join(
                [
                    code,
                    fold(entry.names.sv),
                    fold(entry.names.en),
                    fold(entry.definitions.sv),
                    fold(entry.definitions.en),
                ]
            )
            if not all(word in haystack for word in words):
                continue
            if any(word == code for word in words):
                rank = 0
            elif all(word in own_name for word in words):
                rank = 1
            else:
                rank = 2
            ranked.append((rank, position, entry))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return tuple(entry for _, _, entry in ranked)


def default_library_path() -> Path:
    return resources_dir() / LIBRARY_FILE


def load_library(path: Path | None = None) -> KpiLibrary:
    """Read and validate the KPI library; raises :class:`KpiLibraryError` if it is malformed."""
    path = path or default_library_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KpiLibraryError(
            N_("The KPI library {path} cannot be read: {reason}"),
            path=str(path),
            reason=exc.strerror or str(exc),
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise KpiLibraryError(
            N_("The KPI library {path} is not valid JSON: {reason}"),
            path=str(path),
            reason=str(exc),
        ) from exc
    return parse_library(raw)


def parse_library(raw: Any) -> KpiLibrary:
    """Validate already-decoded library data (the JSON's top-level object)."""
    if not isinstance(raw, dict):
        raise KpiLibraryError(N_("The KPI library must be a JSON object."))
    version = raw.get("version")
    if version not in SUPPORTED_VERSIONS or isinstance(version, bool):
        raise KpiLibraryError(
            N_("The KPI library has unsupported version {version}."), version=version
        )
    raw_groups = raw.get("groups")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise KpiLibraryError(N_("The KPI library has no groups."))
    raw_kpis = raw.get("kpis")
    if not isinstance(raw_kpis, list) or not raw_kpis:
        raise KpiLibraryError(N_("The KPI library has no KPIs."))

    groups = tuple(_parse_group(item, index) for index, item in enumerate(raw_groups, 1))
    keys = [group.key for group in groups]
    for key in keys:
        if keys.count(key) > 1:
            raise KpiLibraryError(
                N_("KPI library group {key}: the key is used more than once."), key=key
            )

    entries: list[KpiEntry] = []
    seen: set[str] = set()
    for index, item in enumerate(raw_kpis, 1):
        entry = _EntryParser(item, index, frozenset(keys)).parse()
        if entry.code in seen:
            raise KpiLibraryError(
                N_("KPI library entry {code}: the code is used more than once."),
                code=entry.code,
            )
        seen.add(entry.code)
        entries.append(entry)
    for entry in entries:
        _check_calculation(entry, seen)
    return KpiLibrary(version=version, groups=groups, entries=tuple(entries))


def _check_calculation(entry: KpiEntry, codes: set[str]) -> None:
    if not entry.calculation:
        return
    try:
        formula = parse_formula(entry.calculation)
    except FormulaError as error:
        raise KpiLibraryError(
            N_("KPI library entry {code}: {field} has the invalid value {value}."),
            code=entry.code,
            field="calculation",
            value=json.dumps(entry.calculation, ensure_ascii=False),
        ) from error
    unknown = sorted(formula.references - codes)
    if unknown or entry.code in formula.references:
        raise KpiLibraryError(
            N_("KPI library entry {code}: {field} has the invalid value {value}."),
            code=entry.code,
            field="calculation",
            value=json.dumps(entry.calculation, ensure_ascii=False),
        )


def _local_text(value: Any) -> LocalText | None:
    """A LocalText if ``value`` has non-empty ``sv`` and ``en`` strings, else None."""
    if not isinstance(value, dict) or set(value) != set(LIBRARY_LANGUAGES):
        return None
    texts = {language: value.get(language) for language in LIBRARY_LANGUAGES}
    sv, en = texts["sv"], texts["en"]
    if not all(isinstance(text, str) and text.strip() for text in texts.values()):
        return None
    return LocalText(sv=str(sv).strip(), en=str(en).strip())


def _parse_group(item: Any, index: int) -> KpiGroup:
    key = item.get("key") if isinstance(item, dict) else None
    if not isinstance(key, str) or not _GROUP_KEY.match(key):
        raise KpiLibraryError(
            N_("KPI library group {key}: {field} is missing or invalid."),
            key=f"#{index}",
            field="key",
        )
    names = _local_text(item.get("name"))
    if names is None:
        raise KpiLibraryError(
            N_("KPI library group {key}: {field} is missing or invalid."),
            key=key,
            field="name",
        )
    return KpiGroup(key=key, names=names)


class _EntryParser:
    """Validates one KPI object; every error names the entry (its code, or ``#n``)."""

    def __init__(self, item: Any, index: int, group_keys: frozenset[str]) -> None:
        self.item = item
        self.group_keys = group_keys
        code = item.get("code") if isinstance(item, dict) else None
        self.label = code if isinstance(code, str) and code else f"#{index}"

    def missing(self, field: str) -> KpiLibraryError:
        return KpiLibraryError(
            N_("KPI library entry {code}: {field} is missing."), code=self.label, field=field
        )

    def invalid(self, field: str, value: Any) -> KpiLibraryError:
        return KpiLibraryError(
            N_("KPI library entry {code}: {field} has the invalid value {value}."),
            code=self.label,
            field=field,
            value=json.dumps(value, ensure_ascii=False),
        )

    def required(self, field: str) -> Any:
        value = self.item.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self.missing(field)
        return value

    def enum[E: StrEnum](self, field: str, kind: type[E]) -> E:
        value = self.required(field)
        try:
            return kind(value)
        except (ValueError, TypeError):
            raise self.invalid(field, value) from None

    def text(self, field: str) -> LocalText:
        value = self.item.get(field)
        if value is None:
            raise self.missing(field)
        if isinstance(value, dict):
            for language in LIBRARY_LANGUAGES:
                text = value.get(language)
                if not isinstance(text, str) or not text.strip():
                    raise self.missing(f"{field}.{language}")
        parsed = _local_text(value)
        if parsed is None:
            raise self.invalid(field, value)
        return parsed

    def optional_text(self, field: str) -> LocalText | None:
        return None if self.item.get(field) is None else self.text(field)

    def parse(self) -> KpiEntry:
        if not isinstance(self.item, dict):
            raise self.invalid("entry", self.item)
        unknown = sorted(set(self.item) - set(_KPI_FIELDS))
        if unknown:
            raise KpiLibraryError(
                N_("KPI library entry {code}: unknown field {field}."),
                code=self.label,
                field=unknown[0],
            )

        code = self.required("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise self.invalid("code", code)
        group = self.required("group")
        if not isinstance(group, str) or group not in self.group_keys:
            raise self.invalid("group", group)

        measure_unit = self.enum("measure_unit", MeasureUnit)
        unit_label = self.item.get("unit_label") or ""
        if not isinstance(unit_label, str):
            raise self.invalid("unit_label", unit_label)
        unit_label = unit_label.strip()
        if measure_unit is MeasureUnit.OTHER and not unit_label:
            raise self.missing("unit_label")
        if measure_unit is not MeasureUnit.OTHER and unit_label:
            raise self.invalid("unit_label", unit_label)

        decimals = self.required("decimals")
        if isinstance(decimals, bool) or not isinstance(decimals, int):
            raise self.invalid("decimals", decimals)
        if not 0 <= decimals <= MAX_DECIMALS:
            raise self.invalid("decimals", decimals)

        return KpiEntry(
            code=code,
            group=group,
            names=self.text("name"),
            definitions=self.text("definition"),
            formulas=self.optional_text("formula"),
            measure_unit=measure_unit,
            unit_label=unit_label,
            decimals=decimals,
            direction=self.enum("direction", Direction),
            frequency=self.enum("frequency", PeriodKind),
            time_aggregation=self.enum("time_aggregation", Aggregation),
            unit_aggregation=self.enum("unit_aggregation", Aggregation),
            indicator=self.enum("indicator", Indicator),
            benchmark=self.benchmark(),
            calculation=self.calculation(),
            synonyms=self.synonyms(),
        )

    def calculation(self) -> str:
        raw = self.item.get("calculation")
        if raw is None:
            return ""
        if not isinstance(raw, str) or not raw.strip():
            raise self.invalid("calculation", raw)
        return raw.strip()

    def synonyms(self) -> tuple[str, ...]:
        raw = self.item.get("synonyms")
        if raw is None:
            return ()
        if not isinstance(raw, dict) or set(raw) - set(LIBRARY_LANGUAGES):
            raise self.invalid("synonyms", raw)
        names: list[str] = []
        for language in LIBRARY_LANGUAGES:
            words = raw.get(language, [])
            if not isinstance(words, list) or not all(
                isinstance(word, str) and word.strip() for word in words
            ):
                raise self.invalid(f"synonyms.{language}", words)
            names += [word.strip() for word in words]
        return tuple(names)

    def benchmark(self) -> Benchmark | None:
        raw = self.item.get("benchmark")
        if raw is None:
            return None
        if not isinstance(raw, dict) or set(raw) - {"value", "source"}:
            raise self.invalid("benchmark", raw)
        value = raw.get("value")
        if value is None:
            raise self.missing("benchmark.value")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.invalid("benchmark.value", value)
        source = raw.get("source")
        if not isinstance(source, str) or not source.strip():
            raise KpiLibraryError(
                N_("KPI library entry {code}: {field} is missing; a benchmark needs a source."),
                code=self.label,
                field="benchmark.source",
            )
        return Benchmark(value=float(value), source=source.strip())
