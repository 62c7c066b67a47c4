"""What calamine does not say about cells: which hold an Excel error, which are percentages.

python-calamine returns ``''`` for an error cell (and LibreOffice's ``.ods`` may store an
error with the value 0), and it does not expose number formats. These scanners read the
sheet's XML once, fast, looking only for the few cells that matter:

* ``.xlsx``: cells with ``t="e"`` (errors) and cells whose style is a percent format, found
  with ``bytes.find`` on the streamed, decompressed XML (no XML parsing of every cell);
* ``.ods``: cells with ``calcext:value-type="error"`` or ``office:value-type="percentage"``,
  only when the content holds any, by a streaming parse.

Positions are 0-based ``(row, column)``.
"""

from __future__ import annotations

import re
import zipfile
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from posixpath import dirname, join, normpath

from defusedxml import ElementTree as SafeET

from kpidesk.io.cells import column_index

BLOCK = 4 * 1024 * 1024
MAX_ROW_BYTES = 64 * 1024 * 1024  # a single row larger than this is not scanned further


class PercentIndex:
    """The cells formatted as percentages, by column, as sorted row numbers."""

    def __init__(self) -> None:
        self._rows: dict[int, array[int]] = {}

    def add(self, row: int, column: int) -> None:
        rows = self._rows.get(column)
        if rows is None:
            rows = self._rows[column] = array("l")
        if rows and rows[-1] > row:  # out of order (rare): keep sorted
            position = bisect_left(rows, row)
            rows.insert(position, row)
        else:
            rows.append(row)

    def __contains__(self, cell: tuple[int, int]) -> bool:
        rows = self._rows.get(cell[1])
        if not rows:
            return False
        position = bisect_left(rows, cell[0])
        return position < len(rows) and rows[position] == cell[0]

    def __bool__(self) -> bool:
        return bool(self._rows)

    def columns(self) -> set[int]:
        return set(self._rows)


class CellInfo:
    """Errors and percent formats of one sheet, computed on first use."""

    errors_hide_numbers = False  # True when an error may come through as a number

    def errors(self) -> dict[tuple[int, int], str]:
        return {}

    def first_errors(self, rows: int) -> dict[tuple[int, int], str]:
        """Error cells in (at least) the first ``rows`` rows: for a preview, cheaper than
        :meth:`errors` on a large sheet."""
        return self.errors()

    def percent(self) -> PercentIndex | None:
        return None


# OOXML ------------------------------------------------------------------------------------

_R_ATTR = re.compile(rb'\br="\$?([A-Za-z]{1,3})\$?(\d{1,7})"')
_V_ELEMENT = re.compile(rb"<(?:\w+:)?v>([^<]{0,64})<")
_ROW_START = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
ROW_NUMBER_ATTRIBUTE = re.compile(rb'\br="(\d+)"')
"""The ``r="12"`` among a row tag's attributes."""
_TAG = re.compile(rb"<(/?)((?:\w+:)?)(row|c)\b([^>]*?)(/?)>")
_LOCAL_NAME = re.compile(r"\{[^}]*\}")


def _local(tag: str) -> str:
    return _LOCAL_NAME.sub("", tag).split(":")[-1]


def _member_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part names as the package spells them (``xl/workbook.xml``) → the zip's own name."""
    return {
        info.filename.replace("\\", "/").lstrip("/").casefold(): info.filename
        for info in archive.infolist()
    }


def _read_small(archive: zipfile.ZipFile, member: str, limit: int = 64 * 1024 * 1024) -> bytes:
    info = archive.getinfo(member)
    if info.file_size > limit:
        raise ValueError(f"{member} is too large")
    return archive.read(member)


def _rels(archive: zipfile.ZipFile, names: dict[str, str], part: str) -> dict[str, tuple[str, str]]:
    """The relationships of ``part``: id → (type, resolved target part name)."""
    rels_name = join(dirname(part), "_rels", part.rsplit("/", 1)[-1] + ".rels").lstrip("/")
    member = names.get(rels_name.casefold())
    if member is None:
        return {}
    root = SafeET.fromstring(_read_small(archive, member))
    result = {}
    for element in root.iter():
        if _local(element.tag) != "Relationship":
            continue
        target = element.get("Target", "")
        if element.get("TargetMode") == "External":
            continue
        resolved = (
            normpath(target.lstrip("/"))
            if target.startswith("/")
            else normpath(join(dirname(part), target))
        )
        result[element.get("Id", "")] = (element.get("Type", ""), resolved.lstrip("/"))
    return result


class OoxmlPackage:
    """The parts of an ``.xlsx`` the scanners need: each sheet's XML and the percent styles,
    and the zip members of the workbook, its styles and its shared strings."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        names = _member_names(archive)
        self._names = names
        workbook = "xl/workbook.xml"
        for _id, (kind, target) in _rels(archive, names, "").items():
            if kind.endswith("/officeDocument"):
                workbook = target
        rels = _rels(archive, names, workbook)
        self.sheet_parts: dict[str, str] = {}
        member = names.get(workbook.casefold())
        if member is not None:
            root = SafeET.fromstring(_read_small(archive, member))
            for element in root.iter():
                if _local(element.tag) != "sheet":
                    continue
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
                if rid in rels:
                    part = names.get(rels[rid][1].casefold())
                    if part is not None:
                        self.sheet_parts[element.get("name", "")] = part
        self.workbook_part = names.get(workbook.casefold())
        self.percent_styles: frozenset[int] = frozenset()
        styles = next((t for k, t in rels.values() if k.endswith("/styles")), None)
        member = names.get((styles or "xl/styles.xml").casefold())
        self.styles_part = member
        if member is not None:
            self.percent_styles = _percent_styles(_read_small(archive, member))
        strings = next((t for k, t in rels.values() if k.endswith("/sharedStrings")), None)
        self.shared_strings_part = names.get(strings.casefold()) if strings else None


_BUILTIN_PERCENT = frozenset({9, 10})
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent_format(code: str) -> bool:
    """True for number formats such as ``0%``, ``0,0 %`` or ``#,##0.00%`` (not ``"%"``)."""
    return "%" in _QUOTED.sub("", code)


def _percent_styles(xml: bytes) -> frozenset[int]:
    root = SafeET.fromstring(xml)
    formats: dict[int, str] = {}
    xfs: list[int] = []
    for element in root.iter():
        name = _local(element.tag)
        if name == "numFmt":
            try:
                formats[int(element.get("numFmtId", "-1"))] = element.get("formatCode", "")
            except ValueError:
                continue
        elif name == "cellXfs":
            for xf in element:
                if _local(xf.tag) == "xf":
                    try:
                        xfs.append(int(xf.get("numFmtId", "0")))
                    except ValueError:
                        xfs.append(0)
    return frozenset(
        index
        for index, fmt in enumerate(xfs)
        if fmt in _BUILTIN_PERCENT or (fmt in formats and is_percent_format(formats[fmt]))
    )


def _blocks(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The part's bytes in pieces that each end just before a ``<row``, so no cell is split."""
    carry = b""
    with archive.open(member) as stream:
        while True:
            block = stream.read(BLOCK)
            if not block:
                if carry:
                    yield carry
                return
            buffer = carry + block
            cut = _last_row_start(buffer)
            if cut <= 0:
                if len(buffer) > MAX_ROW_BYTES:
                    yield buffer
                    carry = b""
                else:
                    carry = buffer
                continue
            yield buffer[:cut]
            carry = buffer[cut:]


def _last_row_start(buffer: bytes) -> int:
    end = len(buffer)
    while True:
        position = buffer.rfind(b"row", 0, end)
        if position <= 0:
            return -1
        start = buffer.rfind(b"<", max(0, position - 20), position)
        if start >= 0 and _ROW_START.match(buffer, start):
            return start
        end = position


def _last_row_number(buffer: bytes) -> int | None:
    """The number of the last ``<row r="…">`` that starts in the buffer."""
    end = len(buffer)
    while True:
        start = buffer.rfind(b"row", 0, end)
        if start <= 0:
            return None
        opening = buffer.rfind(b"<", max(0, start - 20), start)
        match = _ROW_NUMBER.match(buffer, opening) if opening >= 0 else None
        if match:
            return int(match.group(1))
        end = start


def _tag_at(buffer: bytes, position: int) -> tuple[int, int] | None:
    """The span of the ``<c …>`` tag holding ``position``, or None if it is another tag."""
    start = buffer.rfind(b"<", 0, position)
    if start < 0:
        return None
    end = buffer.find(b">", position)
    if end < 0:
        return None
    name_end = start + 1
    while name_end < end and buffer[name_end] not in b" \t\r\n/>":
        name_end += 1
    name = buffer[start + 1 : name_end]
    if name != b"c" and not name.endswith(b":c"):
        return None
    return start, end


class XlsxCellInfo(CellInfo):
    def __init__(
        self, archive: zipfile.ZipFile, member: str, percent_styles: frozenset[int]
    ) -> None:
        self._archive = archive
        self._member = member
        self._percent_styles = percent_styles
        self._errors: dict[tuple[int, int], str] | None = None
        self._percent: PercentIndex | None = None
        self._scanned_percent = not percent_styles

    def errors(self) -> dict[tuple[int, int], str]:
        if self._errors is None:
            self._scan(errors=True, percent=not self._scanned_percent)
        assert self._errors is not None
        return self._errors

    def percent(self) -> PercentIndex | None:
        if not self._scanned_percent:
            self._scan(errors=self._errors is None, percent=True)
        return self._percent

    def first_errors(self, rows: int) -> dict[tuple[int, int], str]:
        if self._errors is not None:
            return self._errors
        found: dict[tuple[int, int], str] = {}
        for buffer in _blocks(self._archive, self._member):
            if _find_errors(buffer, found):
                return self.errors()  # cells without positions: the full, careful scan
            last = _last_row_number(buffer)
            if last is not None and last > rows:
                break
        return found

    def _scan(self, *, errors: bool, percent: bool) -> None:
        found_errors: dict[tuple[int, int], str] = {}
        found_percent = PercentIndex()
        styles = self._percent_styles if percent else frozenset()
        implicit = False
        for buffer in _blocks(self._archive, self._member):
            implicit |= scan_buffer(buffer, found_errors if errors else None, found_percent, styles)
        if implicit:  # cells without an r="B7": count positions the slow way
            found_errors, found_percent = {}, PercentIndex()
            scan_positions(
                _blocks(self._archive, self._member),
                found_errors if errors else None,
                found_percent,
                styles,
            )
        if errors:
            self._errors = found_errors
        if percent:
            self._percent = found_percent or None
            self._scanned_percent = True


def scan_buffer(
    buffer: bytes,
    errors: dict[tuple[int, int], str] | None,
    percent: PercentIndex,
    percent_styles: frozenset[int],
) -> bool:
    """Add the error cells (unless ``errors`` is None) and the cells in a percent style of
    ``buffer`` (whole rows of a sheet's XML); True if such a cell had no position (``r``), so
    that :func:`scan_positions` must count them."""
    implicit = False
    if errors is not None:
        implicit = _find_errors(buffer, errors)
    for style in sorted(percent_styles):
        needle = b' s="%d"' % style
        position = buffer.find(needle)
        while position >= 0:
            span = _tag_at(buffer, position)
            if span is not None:
                cell = _position(buffer, span)
                if cell is None:
                    implicit = True
                else:
                    percent.add(*cell)
            position = buffer.find(needle, position + len(needle))
    return implicit


def scan_rows(
    rows: bytes,
    errors: dict[tuple[int, int], str] | None,
    percent: PercentIndex,
    percent_styles: frozenset[int],
    row_before: int,
) -> None:
    """:func:`scan_buffer` on whole rows of a sheet, counting positions with
    :func:`scan_positions` (from ``row_before``) when a cell had none."""
    if scan_buffer(rows, errors, percent, percent_styles):
        scan_positions([rows], errors, percent, percent_styles, row_before)


def _find_errors(buffer: bytes, found: dict[tuple[int, int], str]) -> bool:
    """Add the buffer's error cells to ``found``; True if one had no position."""
    implicit = False
    position = buffer.find(b't="e"')
    while position >= 0:
        span = _tag_at(buffer, position)
        if span is not None:
            cell = _position(buffer, span)
            if cell is None:
                implicit = True
            else:
                match = _V_ELEMENT.search(buffer, span[1], span[1] + 200)
                text = match.group(1).decode("utf-8", "replace") if match else "#VALUE!"
                found[cell] = text.strip() or "#VALUE!"
        position = buffer.find(b't="e"', position + 5)
    return implicit


def scan_positions(
    buffers: Iterable[bytes],
    errors: dict[tuple[int, int], str] | None,
    percent: PercentIndex,
    percent_styles: frozenset[int],
    row: int = -1,
) -> int:
    """Like :func:`scan_buffer`, counting every row and cell to know where each one is, for
    rows and cells written without ``r``; ``row`` is the (0-based) row before the first.
    Returns the last row seen."""
    column = -1
    style_re = re.compile(rb'\bs="(\d+)"')
    for buffer in buffers:
        for match in _TAG.finditer(buffer):
            closing, _prefix, name, attributes, _self_closing = match.groups()
            if closing:
                continue
            if name == b"row":
                number = ROW_NUMBER_ATTRIBUTE.search(attributes)
                row = int(number.group(1)) - 1 if number else row + 1
                column = -1
                continue
            ref = _R_ATTR.search(attributes)
            if ref:
                column = column_index(ref.group(1).decode())
                row = int(ref.group(2)) - 1
            else:
                column += 1
            if errors is not None and b't="e"' in attributes:
                value = _V_ELEMENT.search(buffer, match.end(), match.end() + 200)
                text = value.group(1).decode("utf-8", "replace") if value else "#VALUE!"
                errors[(row, column)] = text.strip() or "#VALUE!"
            if percent_styles:
                style = style_re.search(attributes)
                if style and int(style.group(1)) in percent_styles:
                    percent.add(row, column)
    return row


def _position(buffer: bytes, span: tuple[int, int]) -> tuple[int, int] | None:
    match = _R_ATTR.search(buffer, span[0], span[1])
    if match is None:
        return None
    return int(match.group(2)) - 1, column_index(match.group(1).decode())


# OpenDocument -----------------------------------------------------------------------------

_ODS_MARKERS = (b'value-type="error"', b'value-type="percentage"')


def _contains(archive: zipfile.ZipFile, member: str, needles: tuple[bytes, ...]) -> bool:
    tail = b""
    with archive.open(member) as stream:
        while True:
            block = stream.read(BLOCK)
            if not block:
                return False
            buffer = tail + block
            if any(needle in buffer for needle in needles):
                return True
            tail = buffer[-64:]


class OdsCellInfo(CellInfo):
    """LibreOffice may store an error with a value of 0: check every value cell."""

    errors_hide_numbers = True

    def __init__(
        self, scan: dict[str, tuple[dict[tuple[int, int], str], PercentIndex]], sheet: str
    ):
        found = scan.get(sheet)
        self._errors = found[0] if found else {}
        self._percent = found[1] if found and found[1] else None

    def errors(self) -> dict[tuple[int, int], str]:
        return self._errors

    def percent(self) -> PercentIndex | None:
        return self._percent


def scan_ods(
    archive: zipfile.ZipFile,
) -> dict[str, tuple[dict[tuple[int, int], str], PercentIndex]]:
    """Error and percentage cells of every table in ``content.xml`` (only if it has any)."""
    names = _member_names(archive)
    member = names.get("content.xml")
    if member is None or not _contains(archive, member, _ODS_MARKERS):
        return {}
    result: dict[str, tuple[dict[tuple[int, int], str], PercentIndex]] = {}
    table = ""
    row = 0
    column = 0
    errors: dict[tuple[int, int], str] = {}
    percent = PercentIndex()
    with archive.open(member) as stream:
        for event, element in SafeET.iterparse(stream, events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "table":
                    table = next((v for k, v in element.attrib.items() if _local(k) == "name"), "")
                    row = 0
                    errors, percent = {}, PercentIndex()
                    result[table] = (errors, percent)
                elif name == "table-row":
                    column = 0
                continue
            if name in ("table-cell", "covered-table-cell"):
                repeat = 1
                kinds = set()
                for key, value in element.attrib.items():
                    local = _local(key)
                    if local == "value-type":
                        kinds.add(value)
                    elif local == "number-columns-repeated":
                        repeat = _int(value, 1)
                if "percentage" in kinds and repeat <= 16384:
                    for offset in range(repeat):
                        percent.add(row, column + offset)
                if "error" in kinds:
                    text = "".join(element.itertext()).strip() or "#VALUE!"
                    for offset in range(min(repeat, 16384)):
                        errors[(row, column + offset)] = text
                column += repeat
                element.clear()
            elif name == "table-row":
                rows = next(
                    (v for k, v in element.attrib.items() if _local(k) == "number-rows-repeated"),
                    None,
                )
                row += _int(rows, 1)
                element.clear()
    return result


def _int(text: str | None, default: int) -> int:
    try:
        return max(1, int(text)) if text is not None else default
    except ValueError:
        return default


# Currency formats (a hint of a KPI's unit of measure) ----------------------------------------

_BUILTIN_CURRENCY = frozenset({5, 6, 7, 8, 42, 44})
_LOCALE_TAG = re.compile(r"\[\$-[^\]]*\]")  # [$-41D]: a locale, no currency
_CURRENCY_TAG = re.compile(r"\[\$[^\]-][^\]]*\]")  # [$kr-41D], [$€-407], [$SEK]
_CURRENCY_WORDS = re.compile(
    r"(?<![a-z])(?:kr|kronor|sek|tkr|nok|dkk|eur|usd|gbp|chf)(?![a-z])|[€$£¥]"
)


def is_currency_format(code: str) -> bool:
    """True for number formats that show a currency: ``#,##0 "kr"``, ``[$€-407] #,##0.00``,
    ``_-* #,##0 kr_-``, ``$#,##0`` (not ``[$-41D]0``, a locale, nor ``0%``)."""
    if _CURRENCY_TAG.search(code):
        return True
    plain = _LOCALE_TAG.sub("", code).casefold()
    plain = re.sub(r"\[[^\]]*\]", "", plain)  # colours and conditions
    return bool(_CURRENCY_WORDS.search(plain)) and not is_percent_format(code)


def _currency_styles(xml: bytes) -> frozenset[int]:
    root = SafeET.fromstring(xml)
    formats: dict[int, str] = {}
    xfs: list[int] = []
    for element in root.iter():
        name = _local(element.tag)
        if name == "numFmt":
            try:
                formats[int(element.get("numFmtId", "-1"))] = element.get("formatCode", "")
            except ValueError:
                continue
        elif name == "cellXfs":
            for xf in element:
                if _local(xf.tag) == "xf":
                    try:
                        xfs.append(int(xf.get("numFmtId", "0")))
                    except ValueError:
                        xfs.append(0)
    return frozenset(
        index
        for index, fmt in enumerate(xfs)
        if (fmt in formats and is_currency_format(formats[fmt]))
        or (fmt not in formats and fmt in _BUILTIN_CURRENCY)
    )


def xlsx_currency_cells(archive: zipfile.ZipFile, sheet: str, rows: int) -> set[tuple[int, int]]:
    """The cells in the first ``rows`` rows of ``sheet`` whose format shows a currency,
    as 0-based ``(row, column)``."""
    package = OoxmlPackage(archive)
    member = package.sheet_parts.get(sheet)
    if member is None or package.styles_part is None:
        return set()
    styles = _currency_styles(_read_small(archive, package.styles_part))
    if not styles:
        return set()
    found = PercentIndex()
    seen: list[bytes] = []
    implicit = False
    for buffer in _blocks(archive, member):
        seen.append(buffer)
        implicit |= scan_buffer(buffer, None, found, styles)
        last = _last_row_number(buffer)
        if last is not None and last > rows:
            break
    if implicit:
        found = PercentIndex()
        scan_positions(seen, None, found, styles)
    return {(row, column) for row, column in _cells(found) if row < rows}


def _ods_currency_data_styles(element_iter: Iterable[tuple[str, object]]) -> set[str]:
    """Names of the data styles among ``(event, element)`` that show a currency."""
    found: set[str] = set()
    current: str | None = None
    texts: list[str] = []
    for event, element in element_iter:
        name = _local(element.tag)  # type: ignore[attr-defined]
        if name in ("number-style", "currency-style"):
            if event == "start":
                current = next(
                    (v for k, v in element.attrib.items() if _local(k) == "name"),  # type: ignore[attr-defined]
                    None,
                )
                texts = []
                if name == "currency-style" and current:
                    found.add(current)
            else:
                if current and _CURRENCY_WORDS.search(" ".join(texts).casefold()):
                    found.add(current)
                current = None
        elif event == "end" and current and name in ("text", "currency-symbol"):
            texts.append(element.text or "")  # type: ignore[attr-defined]
            if name == "currency-symbol":
                found.add(current)
    return found


def ods_currency_cells(archive: zipfile.ZipFile, sheet: str, rows: int) -> set[tuple[int, int]]:
    """The cells in the first ``rows`` rows of the table ``sheet`` that show a currency: of
    type currency, or in a cell style whose number format shows one (`` kr``)."""
    names = _member_names(archive)
    member = names.get("content.xml")
    if member is None:
        return set()
    data_styles: set[str] = set()
    styles_member = names.get("styles.xml")
    if styles_member is not None:
        with archive.open(styles_member) as stream:
            data_styles |= _ods_currency_data_styles(
                SafeET.iterparse(stream, events=("start", "end"))
            )
    cell_styles: set[str] = set()
    found: set[tuple[int, int]] = set()
    inside = False
    row = column = 0
    with archive.open(member) as stream:
        events = SafeET.iterparse(stream, events=("start", "end"))
        for event, element in events:
            name = _local(element.tag)
            if event == "start":
                if name in ("number-style", "currency-style"):
                    data_styles |= _ods_currency_data_styles(
                        _until_end(events, element, (event, element))
                    )
                elif name == "style":
                    attributes = {_local(k): v for k, v in element.attrib.items()}
                    if attributes.get("data-style-name") in data_styles:
                        cell_styles.add(attributes.get("name", ""))
                elif name == "table":
                    if inside:
                        break
                    table = next((v for k, v in element.attrib.items() if _local(k) == "name"), "")
                    inside = table == sheet
                    row = 0
                elif name == "table-row":
                    column = 0
                continue
            if not inside:
                if name in ("table-cell", "covered-table-cell", "table-row"):
                    element.clear()
                continue
            if name in ("table-cell", "covered-table-cell"):
                repeat = 1
                currency = False
                for key, value in element.attrib.items():
                    local = _local(key)
                    if (local == "value-type" and value == "currency") or (
                        local == "style-name" and value in cell_styles
                    ):
                        currency = True
                    elif local == "number-columns-repeated":
                        repeat = _int(value, 1)
                if currency:
                    found.update((row, column + offset) for offset in range(min(repeat, 256)))
                column += repeat
                element.clear()
            elif name == "table-row":
                repeated = next(
                    (v for k, v in element.attrib.items() if _local(k) == "number-rows-repeated"),
                    None,
                )
                row += _int(repeated, 1)
                element.clear()
                if row >= rows:
                    break
    return found


def _until_end(
    events: Iterator[tuple[str, object]], opened: object, first: tuple[str, object]
) -> Iterator[tuple[str, object]]:
    """``first`` and the events after it up to the end of the element ``opened``."""
    yield first
    for event, element in events:
        yield event, element
        if event == "end" and element is opened:
            return


def _cells(index: PercentIndex) -> Iterator[tuple[int, int]]:
    for column in index.columns():
        for row in index._rows[column]:
            yield row, column
