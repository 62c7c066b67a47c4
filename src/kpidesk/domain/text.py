"""Text that can be stored and exported safely, decided at the door.

Some characters break every file they reach: C0 control characters make a workbook's XML
unreadable, unpaired surrogates cannot be encoded as UTF-8 at all, and bidi override
characters make a name read differently from what it is ("Trojan source"). They are taken
out where text comes in: the importer removes them with a note, typed names are refused with
a message, and the store removes any that reach it by another way (see
``kpidesk.store.models``). A tab and a newline are kept in multi-line text (comments).

The CSV export guards its text columns against formula injection as OWASP recommends: a cell
that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading apostrophe, so a spreadsheet shows it as text. :func:`csv_guard` and
:func:`csv_unguard` are exact inverses, so the importer reads its own CSV back unchanged.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from kpidesk.i18n import N_, _

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Embeddings, overrides and isolates (LRE RLE PDF LRO RLO LRI RLI FSI PDI)."""

_C0_SINGLE = "".join(chr(c) for c in range(0x20)) + "\x7f"
_C0_MULTI = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n") + "\x7f"
_SURROGATES = "\ud800-\udfff"
_NONCHARACTERS = "\ufffe\uffff"
_BAD_SINGLE = re.compile(f"[{re.escape(_C0_SINGLE + BIDI_CONTROLS + _NONCHARACTERS)}{_SURROGATES}]")
_BAD_MULTI = re.compile(f"[{re.escape(_C0_MULTI + BIDI_CONTROLS + _NONCHARACTERS)}{_SURROGATES}]")

CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP's list)."""


MSG_CONTROL_CHARACTER = N_(
    "The text holds a control character that cannot be saved (a control code or a "
    "bidirectional override); remove it."
)


def bad_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters :func:`clean_text` would remove, in order, each once."""
    pattern = _BAD_MULTI if multiline else _BAD_SINGLE
    found: list[str] = []
    for match in pattern.finditer(text):
        if match.group() not in found:
            found.append(match.group())
    return found


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` without control characters, unpaired surrogates and bidi controls.

    In single-line text (names) a tab, a newline or a carriage return becomes a space; in
    multi-line text (comments) a carriage return ends a line and tabs stay.
    """
    if multiline:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _BAD_MULTI.sub("", text) if _BAD_MULTI.search(text) else text
    if not _BAD_SINGLE.search(text):
        return text
    text = re.sub(r"[\t\n\r]", " ", text)
    return _BAD_SINGLE.sub("", text)


def describe_character(char: str) -> str:
    """``U+0007`` for a character that cannot be shown."""
    return f"U+{ord(char):04X}"


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why typed ``text`` cannot be saved (in the current language), or None."""
    if multiline:
        text = text.replace("\r", "\n")
    if bad_characters(text, multiline=multiline):
        return _(MSG_CONTROL_CHARACTER)
    return None


def clean_strings(value: Any) -> Any:
    """``value`` with :func:`clean_text` applied to every string in it, through dataclasses,
    tuples, lists and dicts (values); objects of other kinds are returned as they are."""
    if isinstance(value, str):
        return clean_text(value, multiline="\n" in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for item in dataclasses.fields(value):
            if not item.init:
                continue
            old = getattr(value, item.name)
            new = clean_strings(old)
            if new is not old:
                changes[item.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = tuple(clean_strings(item) for item in value)
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return value._make(items) if hasattr(value, "_fields") else items  # type: ignore[attr-defined]
    if isinstance(value, list):
        items_list = [clean_strings(item) for item in value]
        same = all(a is b for a, b in zip(items_list, value, strict=True))
        return value if same else items_list
    if isinstance(value, dict):
        cleaned = {key: clean_strings(item) for key, item in value.items()}
        same = all(cleaned[key] is value[key] for key in value)
        return value if same else cleaned
    return value


# CSV ---------------------------------------------------------------------------------------


def csv_guard(text: str) -> str:
    """A text cell as the CSV export writes it: a leading apostrophe when a spreadsheet
    would read it as a formula, or when the importer would otherwise take one off."""
    if text and (text.startswith(CSV_TRIGGERS) or csv_unguard(text) != text):
        return "'" + text
    return text


def csv_unguard(text: str) -> str:
    """A text cell of a CSV file as it was before :func:`csv_guard`."""
    if len(text) >= 2 and text[0] == "'" and (text[1] in CSV_TRIGGERS or text[1] == "'"):
        return text[1:]
    return text
