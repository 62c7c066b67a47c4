"""Text files (CSV and TSV): encoding, delimiter and a streaming reader.

Covers what a Swedish Excel, LibreOffice or a bank export writes: ``;`` (Excel with a
Swedish locale), ``,`` or tab between fields; UTF-8 with or without BOM, UTF-16/32 with a
BOM (Excel's "Unicode text"), UTF-16 without a BOM, and Windows-1252. A first line
``sep=;`` (Excel's own hint) is honoured.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SIZE = 64 * 1024
_DELIMITERS = (";", "\t", ",", "|")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1a")


@dataclass(frozen=True, slots=True)
class TextFormat:
    encoding: str
    bom_length: int
    delimiter: str
    skip_first_line: bool  # a "sep=;" line


def detect_encoding(sample: bytes) -> tuple[str, int] | None:
    """The text encoding of a file starting with ``sample`` and its BOM's length, or None
    when the bytes do not look like text at all."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding, len(bom)
    if b"\0" in sample:
        wide = _unicode_without_bom(sample)
        if wide is None:
            return None
        return (wide, 0) if _looks_like_text(sample, wide) else None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "cp1252"
    return (encoding, 0) if _looks_like_text(sample, encoding) else None


def _unicode_without_bom(sample: bytes) -> str | None:
    even = sample[0::2]
    odd = sample[1::2]
    if len(sample) >= 8:
        quads = [sample[i::4] for i in range(4)]
        if (
            all(q.count(0) > 0.9 * len(q) for q in quads[1:])
            and quads[0].count(0) < len(quads[0]) / 2
        ):
            return "utf-32-le"
        if (
            all(q.count(0) > 0.9 * len(q) for q in quads[:3])
            and quads[3].count(0) < len(quads[3]) / 2
        ):
            return "utf-32-be"
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.2 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.2 * len(odd):
        return "utf-16-be"
    return None


def _looks_like_text(sample: bytes, encoding: str) -> bool:
    text = sample.decode(encoding, errors="replace")
    if not text:
        return True
    bad = sum(1 for ch in text if (ch < " " and ch not in _ALLOWED_CONTROLS) or ch == "\x7f")
    # A cut multi-byte character at the end of the sample is no reason to refuse.
    return bad <= max(2, len(text) // 100)


def detect_delimiter(text: str) -> tuple[str, bool]:
    """The field delimiter of ``text`` (the file's first lines), and whether the first line
    is Excel's ``sep=`` hint."""
    first = text.split("\n", 1)[0].strip().strip('"')
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4], True
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]  # the sample may have cut the last line
    best, best_score = ",", -1.0
    for delimiter in _DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        consistency = counts.count(mode) / len(counts)
        header_agrees = 0.25 if counts[0] == mode else 0.0
        score = consistency + header_agrees + min(mode, 20) / 1000
        if score > best_score + 1e-9:
            best, best_score = delimiter, score
    return best, False


def sniff_text(path: Path, sample: bytes | None = None) -> TextFormat | None:
    """Encoding and delimiter of a text file, or None if it is not text."""
    if sample is None:
        with open(path, "rb") as handle:
            sample = handle.read(SAMPLE_SIZE)
    detected = detect_encoding(sample)
    if detected is None:
        return None
    encoding, bom_length = detected
    text = sample[bom_length:].decode(encoding, errors="replace")
    delimiter, skip = detect_delimiter(text)
    return TextFormat(encoding, bom_length, delimiter, skip)


def iter_text_rows(path: Path, text_format: TextFormat) -> Iterator[list[str]]:
    """The file's records as lists of strings; one record is one row (quoted line breaks
    stay inside a field)."""
    raw = open(path, "rb")  # noqa: SIM115 - closed below
    try:
        raw.seek(text_format.bom_length)
        stream = io.TextIOWrapper(raw, encoding=text_format.encoding, errors="replace", newline="")
        if text_format.skip_first_line:
            stream.readline()
        reader = csv.reader(stream, delimiter=text_format.delimiter, strict=False)
        yield from reader
    finally:
        raw.close()
