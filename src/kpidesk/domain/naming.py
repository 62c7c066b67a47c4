"""How a KPI is named on screen and on paper: its name, with its code where that adds something."""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub(" ", plain).strip()


def kpi_title(name: str, code: str, *, gap: str = " ") -> str:
    """``Revenue (REV)``; the name alone when it already shows the code.

    ``Customer satisfaction (CSAT)`` with the code CSAT stays as it is, and so does a name
    the code was made from (``Antal kunder``, ``ANTAL_KUNDER``) or a name that is the code
    (``NPS``): no KPI reads ``… (CSAT) (CSAT)`` or ``NPS (NPS)``.
    """
    name = " ".join(str(name).split())
    code = str(code or "").strip()
    if not code:
        return name
    code_words = _letters(code)
    name_words = _letters(name)
    shown = re.search(r"\(([^()]*)\)\s*$", name)
    if (
        not code_words
        or code_words == name_words
        or (shown is not None and _letters(shown.group(1)) == code_words)
    ):
        return name
    return f"{name}{gap}({code})"
