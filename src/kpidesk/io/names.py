"""Names as they appear in spreadsheets, normalised for matching.

``Omsättning (kr)``, ``omsattning``, `` OMSÄTTNING `` and ``Omsättning, kr`` all match the
KPI ``Omsättning``; the unit suffix is returned as a hint of the unit of measure.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from kpidesk.domain.numbers import MeasureUnit

__all__ = ["NormalisedName", "fold", "is_total_label", "normalise_name"]


class NormalisedName(NamedTuple):
    """A name for matching, and the unit of measure its suffix suggested (or None)."""

    name: str
    measure: MeasureUnit | None


_UNIT_WORDS: dict[str, MeasureUnit] = {}
for _measure, _words in (
    (MeasureUnit.CURRENCY, "kr sek tkr ksek mkr msek kkr kronor eur usd nok dkk gbp $ € £"),
    (MeasureUnit.PERCENT, "% procent percent pct"),
    (MeasureUnit.HOURS, "h tim timmar timme hours hour hrs hr"),
    (MeasureUnit.DAYS, "d dag dagar days day"),
    (MeasureUnit.COUNT, "st antal pcs count"),
    (MeasureUnit.SCORE, "poang points pts score p"),
    (MeasureUnit.RATIO, "ratio kvot ggr x"),
):
    for _word in _words.split():
        _UNIT_WORDS[_word] = _measure
for _phrase, _measure in (
    ("tusen kr", MeasureUnit.CURRENCY),
    ("tusentals kr", MeasureUnit.CURRENCY),
    ("miljoner kr", MeasureUnit.CURRENCY),
    ("i kr", MeasureUnit.CURRENCY),
    ("i sek", MeasureUnit.CURRENCY),
    ("i tkr", MeasureUnit.CURRENCY),
    ("i procent", MeasureUnit.PERCENT),
    ("i %", MeasureUnit.PERCENT),
    ("in %", MeasureUnit.PERCENT),
    ("in percent", MeasureUnit.PERCENT),
    ("i timmar", MeasureUnit.HOURS),
    ("in hours", MeasureUnit.HOURS),
    ("i dagar", MeasureUnit.DAYS),
    ("in days", MeasureUnit.DAYS),
):
    _UNIT_WORDS[_phrase] = _measure

# "(kr)", "[kr]", "(i kr)", "(%)": any bracketed suffix holding a unit word.
_BRACKETED = re.compile(r"[(\[{]\s*([^()\[\]{}]{1,20}?)\s*[)\]}]\s*$")
# "Andel %", "Andel, %", "Omsättning, kr", "Omsättning i kr", "Tid - h": a trailing unit.
_TRAILING = re.compile(r"(?:^|[\s,;:/\-–])\s*((?:i |in )?[^\s,;:/\-–]{1,12})\s*$")
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w%$€£]+")


def fold(text: str) -> str:
    """Lower case, no diacritics (``å`` → ``a``), one space between words, trimmed."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("\u00a0", " ").replace("\u202f", " ")
    return _SPACES.sub(" ", text).strip()


def normalise_name(text: str) -> NormalisedName:
    """A KPI, unit or header name reduced for matching, with its unit-of-measure hint.

    Case, spacing, punctuation and diacritics are ignored, and a unit suffix such as
    ``(kr)``, ``(SEK)``, ``(h)``, ``(%)``, ``(dagar)``, `` %`` or ``, kr`` is removed and
    returned as a :class:`MeasureUnit` hint (``currency``, ``percent``, ``hours``, ``days``…).
    A name that is nothing but a unit keeps it as its name (``%`` stays ``%``).
    """
    folded = fold(text)
    measure: MeasureUnit | None = None
    match = _BRACKETED.search(folded)
    if match:
        inner = _unit_key(match.group(1))
        if inner in _UNIT_WORDS and folded[: match.start()].strip():
            measure = _UNIT_WORDS[inner]
            folded = folded[: match.start()]
    if measure is None:
        compact = folded.rstrip(" .:")
        if compact.endswith("%") and compact[:-1].strip(" ,-–"):
            measure = MeasureUnit.PERCENT
            folded = compact[:-1]
        else:
            match = _TRAILING.search(compact)
            if match and match.start() > 0:
                word = _unit_key(match.group(1))
                # A bare trailing word counts only when it cannot be part of the name:
                # "Omsättning kr" and "Omsättning, kr" yes; "Sjuk dagar" (a name) no.
                separated = compact[match.start()] in ",;:/-–" or word.startswith(("i ", "in "))
                if word in _UNIT_WORDS and (separated or word in _STRONG_SUFFIXES):
                    measure = _UNIT_WORDS[word]
                    folded = compact[: match.start()]
    name = _NOT_WORD.sub(" ", folded.replace("_", " "))
    name = _SPACES.sub(" ", name).strip()
    if not name:  # "%" or "(kr)" alone: keep what there was
        name = _SPACES.sub(" ", fold(text)).strip()
    return NormalisedName(name, measure)


# Units that follow a name without a separator only as units ("Omsättning kr", "Tid h").
_STRONG_SUFFIXES = frozenset({"kr", "sek", "tkr", "mkr", "ksek", "msek", "%", "h", "eur", "usd"})


def _unit_key(text: str) -> str:
    return _SPACES.sub(" ", text.strip(" .:")).strip()


# Totals ------------------------------------------------------------------------------------

# A label that is one of these (whole) is a total, an average or a year-to-date figure.
_TOTAL_EXACT = frozenset(
    {
        "summa",
        "totalt",
        "total",
        "totals",
        "sum",
        "delsumma",
        "subtotal",
        "sub total",
        "grand total",
        "totalsumma",
        "slutsumma",
        "summa totalt",
        "helar",
        "hela aret",
        "full year",
        "ackumulerat",
        "ack",
        "ytd",
        "hittills i ar",
        "year to date",
        "medel",
        "medelvarde",
        "genomsnitt",
        "snitt",
        "average",
        "avg",
        "mean",
    }
)
# A label that starts with one of these is a (sub)total: "Summa kostnader", "Delsumma
# Stockholm", "Total:" … but not "Totalt antal kunder", which is a KPI.
_TOTAL_PREFIX = re.compile(
    r"(?:summa|delsumma|subtotal|sub total|grand total|totalsumma|slutsumma)\b.*"
    r"|(?:totalt?|sum)\s*:.*"
)


def is_total_label(text: object) -> bool:
    """True for ``Summa``, ``Totalt``, ``Total``, ``Sum``, ``Delsumma``, ``Subtotal`` and
    the like: also ``Summa kostnader``, ``Total: Stockholm``, ``Helår``, ``Snitt``, ``YTD``.

    ``Totalt antal kunder`` is not a total: only the unambiguous words count as a prefix.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > 120:
        return False
    folded = fold(text)
    words = _SPACES.sub(" ", _NOT_WORD.sub(" ", folded)).strip()
    return words in _TOTAL_EXACT or bool(_TOTAL_PREFIX.fullmatch(folded))
