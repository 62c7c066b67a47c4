"""Splitting one SIE line into fields, as the SIE 4B specification writes them.

A record is one line: a label (``#TRANS``) and fields separated by spaces or tabs. A field
holding spaces is quoted (``"Försäljning 25 %"``); a quote inside one is written ``\\"``;
``""`` is an empty field. An object list is a field in braces holding pairs of a dimension
number and an object code, each quoted or not: ``{}``, ``{ }``, ``{1 "10" 6 "P1"}``.

:func:`split_fields` returns the label's fields: text for a plain field, a tuple of texts for
an object list. Nothing here raises anything but :class:`SieSyntaxError`.
"""

from __future__ import annotations

import re
import zlib

from kpidesk.io.sie.errors import NESTED_LIST, OPEN_LIST, STRAY_BRACE, Phrase

__all__ = [
    "Field",
    "SieSyntaxError",
    "checksum_update",
    "split_fields",
]

type Field = str | tuple[str, ...]

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)("?)|(\{)|(\})|([^\s"{}]+)')
_SPACE = re.compile(r"\s*")


class SieSyntaxError(ValueError):
    """A line that cannot be split into fields; ``reason`` says why (a :class:`Phrase`)."""

    def __init__(self, reason: Phrase) -> None:
        super().__init__(reason)
        self.reason = reason


def _unquote(text: str) -> str:
    return text.replace('\\"', '"') if "\\" in text else text


def split_fields(line: str) -> list[Field]:
    """The fields of ``line`` after its label, or the whole line's fields when it has none.

    ``#KONTO 3010 "Försäljning"`` → ``["#KONTO", "3010", "Försäljning"]``;
    ``#TRANS 3010 {1 "10"} -500`` → ``["#TRANS", "3010", ("1", "10"), "-500"]``.
    A quote left open runs to the end of the line. Raises :class:`SieSyntaxError` for an
    object list that is not closed on its line, one inside another, or a stray ``}``.
    """
    if '"' not in line and "{" not in line and "}" not in line:
        return line.split()  # type: ignore[return-value]
    fields: list[Field] = []
    items: list[str] | None = None
    position = _SPACE.match(line).end()  # type: ignore[union-attr]
    end = len(line)
    token = _TOKEN.match
    space = _SPACE.match
    while position < end:
        found = token(line, position)
        if found is None:  # pragma: no cover - every character starts some token
            break
        quoted, _close, opening, closing, bare = found.groups()
        if opening is not None:
            if items is not None:
                raise SieSyntaxError(NESTED_LIST)
            items = []
        elif closing is not None:
            if items is None:
                raise SieSyntaxError(STRAY_BRACE)
            fields.append(tuple(items))
            items = None
        else:
            text = _unquote(quoted) if quoted is not None else bare
            if items is not None:
                items.append(text)
            else:
                fields.append(text)
        position = space(line, found.end()).end()  # type: ignore[union-attr]
    if items is not None:
        raise SieSyntaxError(OPEN_LIST)
    return fields


def checksum_update(crc: int, fields: list[Field], encoding: str) -> int:
    """``crc`` with one record added, as #KSUMMA defines it: CRC-32 over the label and each
    field's characters in the file's encoding, without separators, quotes or braces."""
    parts: list[str] = []
    for field in fields:
        if isinstance(field, tuple):
            parts.extend(field)
        else:
            parts.append(field)
    data = "".join(parts).encode(encoding, errors="replace")
    return zlib.crc32(data, crc)
