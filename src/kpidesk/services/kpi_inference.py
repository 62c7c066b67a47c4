"""What kind of KPI a spreadsheet column holds, read from its header and its cells.

A new KPI made from an import needs a unit of measure, an aggregation over time and over
units, a direction and a frequency. Guessing them wrong is costly: a summed average reads
as nonsense in every year-to-date figure. :func:`infer_kpi` proposes them, in this order:

1. A name in the KPI library, in either language or by its code (``Omsättning``,
   ``Revenue``, ``Net sales``, ``NPS``), takes the library's definition.
2. The unit of measure from the header's unit (``(kr)``, ``SEK``, ``€``, ``%``, ``(h)``),
   else from the cells (a currency or percent format), else from words (``score``, ``index``,
   ``ratio``), else a count.
3. The aggregation: words of averages (``snitt``, ``genomsnitt``, ``medel``, ``average``,
   ``avg``, ``mean``, ``per``, ``andel``, ``ratio``, ``score``, ``index``, ``NPS``, ``CSAT``,
   ``NKI``) → average; words of counts (``antal``, ``number of``, ``count``) → sum; else
   percentages, scores and ratios are averaged and currency and counts summed.
4. The direction: lower is better for costs, churn, complaints, sick leave, lead times…

Pure: no database, no Qt. The same proposal serves the import wizard and
``kpidesk import --create-missing``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kpidesk.domain.aggregation import Aggregation
from kpidesk.domain.kpi_library import KpiEntry, KpiLibrary, KpiLibraryError
from kpidesk.domain.numbers import MeasureUnit
from kpidesk.domain.periods import PeriodKind
from kpidesk.domain.status import Direction
from kpidesk.domain.terms import Indicator
from kpidesk.io.names import fold, normalise_name

__all__ = [
    "CellEvidence",
    "KpiProposal",
    "LibraryNames",
    "default_library_names",
    "infer_kpi",
    "looks_like_currency_text",
]


@dataclass(frozen=True, slots=True)
class CellEvidence:
    """What the cells of one KPI showed: how many values, how many were percentages or
    currency amounts (by their format or their text), and their decimals (at most 2)."""

    values: int = 0
    percent: int = 0
    currency: int = 0
    decimals: int = 0

    @property
    def mostly_percent(self) -> bool:
        return self.values > 0 and self.percent * 2 > self.values

    @property
    def mostly_currency(self) -> bool:
        return self.values > 0 and self.currency * 2 > self.values


@dataclass(frozen=True, slots=True)
class KpiProposal:
    """A new KPI's kind as proposed for a label; ``library_code`` names the library entry it
    was taken from (None: inferred from the header and cells)."""

    name: str
    measure_unit: MeasureUnit
    time_aggregation: Aggregation
    unit_aggregation: Aggregation
    direction: Direction
    frequency: PeriodKind
    decimals: int = 0
    unit_label: str = ""
    indicator: Indicator = Indicator.LAGGING
    library_code: str | None = None


# Words -----------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+|[%€$£]")

_CURRENCY_WORDS = frozenset(
    {"kr", "sek", "tkr", "ksek", "mkr", "msek", "kkr", "kronor", "eur", "euro", "usd", "nok"}
    | {"dkk", "gbp", "€", "$", "£"}
)
_PERCENT_WORDS = frozenset({"%", "procent", "percent", "pct"})
_SCORE_WORDS = frozenset({"score", "poang", "points", "nps", "enps", "nki", "index", "betyg"})
_RATIO_WORDS = frozenset({"ratio", "kvot", "ggr"})
_AVERAGE_WORDS = frozenset(
    {
        "average",
        "avg",
        "mean",
        "per",
        "ratio",
        "score",
        "index",
        "nps",
        "enps",
        "csat",
        "nki",
        "kvot",
        "rate",
        "snitt",
        "genomsnitt",
        "genomsnittlig",
        "genomsnittligt",
        "medel",
        "andel",
        "share",
    }
)
_AVERAGE_PREFIXES = ("snitt", "genomsnitt", "medel", "andel")
_AVERAGE_SUFFIXES = ("snitt", "index", "grad", "andel")
_SUM_PREFIXES = ("antal",)
_SUM_WORDS = frozenset({"count", "st", "total", "totalt", "summa", "sum"})
_SUM_PHRASES = ("number of", "no of")
# A time per case (a lead time, a response time) is averaged; hours worked are summed.
_DURATION_SUFFIXES = (
    "ledtid",
    "svarstid",
    "vantetid",
    "kotid",
    "handlaggningstid",
    "losningstid",
    "leveranstid",
    "cykeltid",
    "genomloppstid",
    "stalltid",
)
_DURATION_PHRASES = (
    "lead time",
    "response time",
    "resolution time",
    "cycle time",
    "waiting time",
    "handling time",
    "time to",
)
_LOWER_PREFIXES = (
    "kostnad",
    "sjuk",
    "reklamation",
    "klagomal",
    "skad",
    "olyck",
    "kassation",
    "avfall",
    "utslapp",
    "retur",
    "forsen",
    "felaktig",
    "avvikelse",
    "svinn",
    "overtid",
)
_LOWER_SUFFIXES = (
    "bortfall",
    "franvaro",
    "ledtid",
    "svarstid",
    "vantetid",
    "kotid",
    "handlaggningstid",
    "losningstid",
    "leveranstid",
    "stillestandstid",
    "kostnad",
    "kostnader",
)
_LOWER_WORDS = frozenset(
    {
        "fel",
        "cost",
        "costs",
        "churn",
        "complaints",
        "defects",
        "errors",
        "returns",
        "absence",
        "sick",
        "delays",
        "waste",
        "emissions",
        "incidents",
        "accidents",
        "downtime",
        "overtime",
        "shrinkage",
        "cac",
        "cpl",
        "dso",
        "mttr",
    }
)
_LOWER_PHRASES = ("lead time", "response time", "waiting time", "resolution time")


def _words(label: str) -> list[str]:
    return _WORD.findall(fold(label))


def looks_like_currency_text(text: str) -> bool:
    """True for a cell's text that shows a currency: ``1 234 kr``, ``€ 12,50``, ``99 SEK``."""
    return any(word in _CURRENCY_WORDS for word in _words(text)) and any(
        ch.isdigit() for ch in text
    )


def _has(words: list[str], vocabulary: frozenset[str]) -> bool:
    return any(word in vocabulary for word in words)


def _averages(words: list[str]) -> bool:
    return _has(words, _AVERAGE_WORDS) or any(
        word.startswith(_AVERAGE_PREFIXES) or word.endswith(_AVERAGE_SUFFIXES) for word in words
    )


def _sums(words: list[str], text: str) -> bool:
    return (
        _has(words, _SUM_WORDS)
        or any(word.startswith(_SUM_PREFIXES) for word in words)
        or any(phrase in text for phrase in _SUM_PHRASES)
    )


def _lower_is_better(words: list[str], text: str) -> bool:
    return (
        _has(words, _LOWER_WORDS)
        or any(word.startswith(_LOWER_PREFIXES) for word in words)
        or any(word.endswith(_LOWER_SUFFIXES) for word in words)
        or any(phrase in text for phrase in _LOWER_PHRASES)
    )


# The library -----------------------------------------------------------------------------


def _name_keys(name: str) -> set[str]:
    """The forms a library name is known by: ``Kundnöjdhet (CSAT)`` → ``kundnojdhet csat``,
    ``kundnojdhet`` and ``csat``."""
    keys = {normalise_name(name).name}
    match = re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*", name)
    if match:
        keys.add(normalise_name(match.group(1)).name)
        for part in match.group(2).split("/"):
            if len(part.split()) == 1 and len(part.strip()) <= 10:
                keys.add(normalise_name(part).name)
    return {key for key in keys if key}


class LibraryNames:
    """The KPI library indexed by every name of every entry (names, synonyms, codes)."""

    def __init__(self, library: KpiLibrary | None) -> None:
        self.library = library
        self._by_key: dict[str, KpiEntry] = {}
        self._by_code: dict[str, KpiEntry] = {}
        if library is None:
            return
        for entry in library.entries:
            self._by_code[entry.code.casefold()] = entry
        for entry in library.entries:  # names first, so a code never hides a name
            for name in (entry.names.sv, entry.names.en, *entry.synonyms):
                for key in _name_keys(name):
                    self._by_key.setdefault(key, entry)

    def entry_for(self, label: str) -> KpiEntry | None:
        """The library entry a label names, by a name or synonym in either language or by
        its code; None when it names none."""
        key = normalise_name(label).name
        found = self._by_key.get(key)
        if found is not None:
            return found
        return self._by_code.get(key.replace(" ", "_")) or self._by_code.get(
            fold(label).strip().replace(" ", "_")
        )


@lru_cache(maxsize=1)
def default_library_names() -> LibraryNames:
    """The built-in library's names (an empty index if the library cannot be read)."""
    from kpidesk.domain.kpi_library import load_library

    try:
        return LibraryNames(load_library())
    except KpiLibraryError:
        return LibraryNames(None)


# The proposal ----------------------------------------------------------------------------


def _measure(label: str, words: list[str], cells: CellEvidence) -> MeasureUnit | None:
    """The unit of measure the header or the cells show, or None when they show none."""
    hint = normalise_name(label).measure
    if hint is not None:
        return hint
    if _has(words, _CURRENCY_WORDS):
        return MeasureUnit.CURRENCY
    if _has(words, _PERCENT_WORDS):
        return MeasureUnit.PERCENT
    if cells.mostly_currency:
        return MeasureUnit.CURRENCY
    if cells.mostly_percent:
        return MeasureUnit.PERCENT
    return None


def _time_aggregation(measure: MeasureUnit, words: list[str], text: str) -> Aggregation:
    if _averages(words):
        return Aggregation.AVERAGE
    if _sums(words, text):
        return Aggregation.SUM
    if measure in (MeasureUnit.PERCENT, MeasureUnit.SCORE, MeasureUnit.RATIO):
        return Aggregation.AVERAGE
    if any(w.endswith(_DURATION_SUFFIXES) for w in words) or any(
        phrase in text for phrase in _DURATION_PHRASES
    ):
        return Aggregation.AVERAGE
    return Aggregation.SUM


def _across_units(over_time: Aggregation) -> Aggregation:
    """Stocks (``last``) add up across units; everything else combines as over time."""
    return Aggregation.SUM if over_time is Aggregation.LAST else over_time


def infer_kpi(
    label: str,
    *,
    name: str,
    frequency: PeriodKind,
    cells: CellEvidence = CellEvidence(),
    library: LibraryNames | None = None,
) -> KpiProposal:
    """The KPI to make for a header ``label`` (named ``name``), measured by ``frequency``."""
    words = _words(label)
    text = " ".join(words)
    measure = _measure(label, words, cells)
    entry = (library or default_library_names()).entry_for(label)
    if entry is not None:
        shown = measure or entry.measure_unit
        decimals = cells.decimals if cells.values else entry.decimals
        return KpiProposal(
            name=name,
            measure_unit=shown,
            time_aggregation=entry.time_aggregation,
            unit_aggregation=entry.unit_aggregation,
            direction=entry.direction,
            frequency=frequency,
            decimals=decimals,
            unit_label=entry.unit_label if shown is entry.measure_unit else "",
            indicator=entry.indicator,
            library_code=entry.code,
        )
    if measure is None:
        if _has(words, _RATIO_WORDS):
            measure = MeasureUnit.RATIO
        elif _has(words, _SCORE_WORDS) or any(word.endswith("index") for word in words):
            measure = MeasureUnit.SCORE
        else:
            measure = MeasureUnit.COUNT
    over_time = _time_aggregation(measure, words, text)
    direction = (
        Direction.LOWER_IS_BETTER if _lower_is_better(words, text) else Direction.HIGHER_IS_BETTER
    )
    return KpiProposal(
        name=name,
        measure_unit=measure,
        time_aggregation=over_time,
        unit_aggregation=_across_units(over_time),
        direction=direction,
        frequency=frequency,
        decimals=cells.decimals,
    )
