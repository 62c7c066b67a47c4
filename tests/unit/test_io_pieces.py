"""A large .xlsx sheet read in pieces gives exactly what calamine gives reading it whole.

The reading runs in this process (``extract_task``, what the reader process runs), once with
the piece size made tiny, so that even a small sheet is cut into many pieces, and once whole.
Records, problems, notes and row counts must be identical: on the golden workbooks, on
hand-written sheets with what pieces must keep (percent formats, error cells, rows without
numbers, prefixed tags, shared strings, 1904 dates, a gap of empty rows, data from column C)
and on every .xlsx of the shared corpus that calamine reads.
"""

from __future__ import annotations

import multiprocessing
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from kpidesk.io import _xlsx_pieces, readers
from kpidesk.io._chunks import ChunkDecoder
from kpidesk.io.errors import SpreadsheetError
from kpidesk.io.extract import RawRecord, extract_task
from kpidesk.io.sniff import SpreadsheetFormat, sniff_format

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
CORPUS_FILES = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "files"


def read(path: Path, **payload: Any) -> tuple[list[RawRecord], dict[str, Any]]:
    decoder = ChunkDecoder(RawRecord)
    records: list[RawRecord] = []

    def send(message: tuple[Any, ...]) -> None:
        if message[0] == "chunk":
            records.extend(decoder.decode(message[1]))

    summary = extract_task(
        {"path": str(path), "sheet": None, "layout": None, "force": None, "default_year": None}
        | payload,
        send,
    )
    return records, summary


def in_pieces(monkeypatch: pytest.MonkeyPatch, piece_bytes: int = 600) -> list[int]:
    """Make every .xlsx sheet be read in pieces of ``piece_bytes``; the returned list counts
    the sheets that were."""
    made: list[int] = []
    original = _xlsx_pieces.PiecewiseSheet.__init__

    def counting(self: Any, *args: Any) -> None:
        original(self, *args)
        made.append(1)

    monkeypatch.setattr(_xlsx_pieces, "SPLIT_FROM", 0)
    monkeypatch.setattr(_xlsx_pieces, "PIECE_BYTES", piece_bytes)
    monkeypatch.setattr(_xlsx_pieces, "STRINGS_FACTOR", 0)
    monkeypatch.setattr(_xlsx_pieces.PiecewiseSheet, "__init__", counting)
    return made


def whole_and_pieces(
    path: Path, monkeypatch: pytest.MonkeyPatch, **payload: Any
) -> tuple[tuple[Any, ...], tuple[Any, ...], int]:
    whole = read(path, **payload)
    with monkeypatch.context() as patch:
        made = in_pieces(patch)
        pieces = read(path, **payload)
    return _comparable(*whole), _comparable(*pieces), len(made)


def _comparable(records: list[RawRecord], summary: dict[str, Any]) -> tuple[Any, ...]:
    return (
        records,
        summary["sheet"],
        summary["layout"],
        summary["rows_read"],
        summary["record_count"],
        summary["notes"],
        summary["problems"],
        summary["problem_count"],
    )


@pytest.mark.parametrize("name", ["long_sv.xlsx", "wide.xlsx", "across_budget.xlsx"])
def test_golden_workbooks_read_the_same_in_pieces(name: str, monkeypatch: pytest.MonkeyPatch):
    whole, pieces, made = whole_and_pieces(DATA / name, monkeypatch, default_year=2026)
    assert made >= 1
    assert whole[0], "the golden workbook has records"
    assert pieces == whole


def _sheet_xml(rows: str, *, prefix: str = "", dimension: str = "A1:E9") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns{':' + prefix if prefix else ''}"
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<{p}worksheet {ns}="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">'
        f'<{p}dimension ref="{dimension}"/><{p}sheetData>{rows}</{p}sheetData>'
        f'<{p}mergeCells count="1"><{p}mergeCell ref="A1:B1"/></{p}mergeCells>'
        # after the rows, tags that look like rows (a control's anchor)
        f"<{p}extLst><xdr:from><xdr:row>2</xdr:row></xdr:from></{p}extLst>"
        f"</{p}worksheet>"
    ).encode()


STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm"/></numFmts>'
    b'<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
    b'<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
    b'<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="10" applyNumberFormat="1"/>'
    b'<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>'
)


def write_xlsx(path: Path, sheet_xml: bytes, *, strings: list[str], date1904: bool) -> None:
    sst = "".join(f"<si><t>{text}</t></si>" for text in strings)
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="'
            '/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
            '://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats'
            f'.org/officeDocument/2006/relationships">{pr}<sheets><sheet name="Data 2026" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
            '://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
            '"worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/styles.xml": STYLES.decode(),
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
            f'.org/spreadsheetml/2006/main" count="{len(strings)}">{sst}</sst>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text)
        package.writestr("xl/worksheets/sheet1.xml", sheet_xml)


LABELS = ["Månad", "Butik", "Omsättning", "Andel", "Nord", "Syd"]


def _long_rows(
    count: int, *, numbered: bool, prefix: str = "", column: str = "A", first_row: int = 2
) -> str:
    """A wide sheet from ``column``: month (a date cell), unit, sales, share (a percent)."""
    p = f"{prefix}:" if prefix else ""
    first = ord(column) - ord("A")
    letters = [chr(ord("A") + first + i) for i in range(4)]

    def cell(row: int, index: int, body: str, attributes: str = "") -> str:
        ref = f' r="{letters[index]}{row}"' if numbered else ""
        return f"<{p}c{ref}{attributes}>{body}</{p}c>"

    def row_tag(row: int, cells: str) -> str:
        ref = f' r="{row}"' if numbered else ""
        return f"<{p}row{ref}>{cells}</{p}row>"

    header = "".join(cell(1, i, f"<{p}v>{i}</{p}v>", ' t="s"') for i in range(4))
    out = [row_tag(1, header)] if first_row == 2 else []
    for n in range(count):
        row = n + first_row
        serial = 46023 + 31 * (n % 12)  # the first of a month in 2026 (1900 dates)
        value = f"<{p}v>{n * 1.5}</{p}v>"
        error = n % 17 == 5
        cells = (
            cell(row, 0, f"<{p}v>{serial}</{p}v>", ' s="2"')
            + cell(row, 1, f"<{p}v>{4 + n % 2}</{p}v>", ' t="s"')
            + (cell(row, 2, f"<{p}v>#DIV/0!</{p}v>", ' t="e"') if error else cell(row, 2, value))
            + cell(row, 3, f"<{p}v>0.{n % 10}5</{p}v>", ' s="1"')
        )
        out.append(row_tag(row, cells))
    return "".join(out)


@pytest.mark.parametrize(
    ("numbered", "prefix", "column", "date1904"),
    [
        (True, "", "A", False),
        (True, "x", "A", False),
        (True, "", "C", True),
    ],
)
def test_hand_written_sheets_read_the_same_in_pieces(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    numbered: bool,
    prefix: str,
    column: str,
    date1904: bool,
):
    path = tmp_path / "hand.xlsx"
    rows = _long_rows(300, numbered=numbered, prefix=prefix, column=column)
    write_xlsx(path, _sheet_xml(rows, prefix=prefix), strings=LABELS, date1904=date1904)
    whole, pieces, made = whole_and_pieces(path, monkeypatch)
    assert made == 1
    records, problems = whole[0], whole[6]
    assert len(records) > 500
    assert any(r.format_percent for r in records), "the share column is a percent format"
    assert any("#DIV/0!" in p.value for p in problems), "error cells are problems"
    assert pieces == whole


def test_rows_without_numbers_are_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "unnumbered.xlsx"
    write_xlsx(path, _sheet_xml(_long_rows(200, numbered=False)), strings=LABELS, date1904=False)
    whole, pieces, made = whole_and_pieces(path, monkeypatch)
    assert made == 0  # calamine numbers them; pieces could not
    assert pieces == whole


def test_a_gap_of_empty_rows_between_pieces_keeps_row_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    rows = _long_rows(40, numbered=True)
    later = _long_rows(40, numbered=True, first_row=9000)
    path = tmp_path / "gap.xlsx"
    write_xlsx(path, _sheet_xml(rows + later), strings=LABELS, date1904=False)
    whole, pieces, made = whole_and_pieces(path, monkeypatch)
    assert made == 1
    assert max(r.row for r in whole[0]) > 9000
    assert pieces == whole


def test_a_large_sheet_is_read_in_pieces_without_lowering_the_threshold(tmp_path: Path):
    """What decides it in the app: the sheet part's size (48 MB here would be slow to test,
    so the check is that a small one is not split and the threshold is what it says)."""
    path = tmp_path / "small.xlsx"
    write_xlsx(path, _sheet_xml(_long_rows(50, numbered=True)), strings=LABELS, date1904=False)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size < _xlsx_pieces.SPLIT_FROM
    book = readers.open_book(path, SpreadsheetFormat.XLSX)
    try:
        assert not isinstance(book.sheet("Data 2026"), _xlsx_pieces.PiecewiseSheet)
    finally:
        book.close()


def _corpus_xlsx() -> list[Path]:
    if not CORPUS_FILES.is_dir():
        return []
    found = []
    for path in sorted(CORPUS_FILES.rglob("*")):
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            if sniff_format(path) in (SpreadsheetFormat.XLSX, SpreadsheetFormat.XLSM):
                found.append(path)
        except Exception:
            continue
    return found


def compare_in_this_process(path: str) -> str:
    """Run in a reader-like process (memory and CPU capped, as the app's reader is): "same",
    "unread" when calamine cannot read the file whole, or what differs."""
    from kpidesk.io._process import DEFAULT_MEMORY_LIMIT, limit_cpu, limit_memory

    limit_memory(DEFAULT_MEMORY_LIMIT)
    limit_cpu(60)
    try:
        whole = read(Path(path))
    except (SpreadsheetError, MemoryError, RecursionError):
        return "unread"
    _xlsx_pieces.SPLIT_FROM = 0
    _xlsx_pieces.PIECE_BYTES = 4096
    _xlsx_pieces.STRINGS_FACTOR = 0
    try:
        pieces = read(Path(path))
    except SpreadsheetError as error:
        return f"read whole, but not in pieces: {error}"
    if _comparable(*pieces) != _comparable(*whole):
        return "records differ"
    return "same"


@pytest.mark.skipif(not CORPUS_FILES.is_dir(), reason="shared/corpus is not beside the repository")
def test_every_corpus_workbook_reads_the_same_in_pieces():
    context = multiprocessing.get_context("spawn")
    paths = _corpus_xlsx()
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        futures = {path: pool.submit(compare_in_this_process, str(path)) for path in paths}
        outcomes = {}
        for path, future in futures.items():
            try:
                outcomes[path.name] = future.result(timeout=120)
            except BrokenProcessPool:
                pytest.fail(f"{path.name}: the reading process died")
    differing = {
        name: outcome for name, outcome in outcomes.items() if outcome not in ("same", "unread")
    }
    assert not differing
    assert sum(outcome == "same" for outcome in outcomes.values()) >= 10


def test_rows_that_stop_giving_their_numbers_keep_counting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    numbered = _long_rows(30, numbered=True)
    unnumbered = _long_rows(30, numbered=False, first_row=32)
    path = tmp_path / "mixed.xlsx"
    write_xlsx(path, _sheet_xml(numbered + unnumbered), strings=LABELS, date1904=False)
    whole, pieces, made = whole_and_pieces(path, monkeypatch)
    assert made == 1
    assert max(r.row for r in whole[0]) == 61
    assert pieces == whole
