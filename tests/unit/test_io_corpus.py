"""Every real-world file in shared/corpus ends in a preview or a clear one-line error.

399 files from 13 projects' test data (see shared/corpus/README.md): files from Excel,
LibreOffice, Google Sheets, Numbers and others, fuzzed and corrupt files, encrypted files,
XML entity bombs and a file that makes calamine allocate without bound. Each is previewed
(and, where a layout is found, its records read) within 30 s, never an unhandled exception,
a hang or a crash of this process.

Runs in the default ``pytest`` run, two files at a time (each in its own reader process);
select it alone with ``pytest tests/unit/test_io_corpus.py`` or ``-k corpus``.
"""

from __future__ import annotations

import csv
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kpidesk.io.errors import SpreadsheetError, SpreadsheetErrorKind
from kpidesk.io.extract import read_records
from kpidesk.io.workbook import open_preview

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
FILES = CORPUS / "files"
LIMIT_SECONDS = 30.0

pytestmark = pytest.mark.skipif(
    not FILES.is_dir(), reason=f"the corpus is not at {CORPUS} (shared/ beside the repository)"
)


def _outcome(path: Path) -> tuple[Path, str, str, float]:
    started = time.monotonic()
    try:
        preview = open_preview(path)
        outcome, detail = "preview", f"{len(preview.sheets)} sheets"
        sheet = preview.default_sheet
        if sheet is not None and sheet.layout is not None:
            try:
                result = read_records(path, sheet=sheet.name, layout=sheet.layout, time_limit=30)
                detail += f", {len(result.records)} records, {result.problem_count} problems"
            except SpreadsheetError as error:
                detail += f", read: {error}"
                if "\n" in str(error) or error.kind is SpreadsheetErrorKind.CRASHED:
                    outcome = "bad read error"
    except SpreadsheetError as error:
        text = str(error)
        one_line = "\n" not in text and len(text) < 400 and path.name in text
        outcome, detail = ("error" if one_line else "unclear error"), f"{error.kind}: {text}"
    except BaseException as error:
        outcome, detail = "exception", f"{type(error).__name__}: {error}"
    return path, outcome, detail, time.monotonic() - started


def _probe() -> dict[str, dict[str, str]]:
    with open(CORPUS / "probe.tsv", encoding="utf-8", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}


SHARDS = 4  # each shard well inside pytest's faulthandler_timeout


def _all_files() -> list[Path]:
    return sorted(p for p in FILES.rglob("*") if p.is_file()) if FILES.is_dir() else []


def test_corpus_is_complete():
    assert len(_all_files()) >= 390


@pytest.mark.parametrize("shard", range(SHARDS))
def test_corpus_every_file_ends_in_a_preview_or_a_clear_error(shard: int):
    files = _all_files()[shard::SHARDS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_outcome, files))

    bad = [
        f"{path.relative_to(FILES)}: {outcome} ({detail}) in {seconds:.1f} s"
        for path, outcome, detail, seconds in results
        if outcome not in ("preview", "error") or seconds > LIMIT_SECONDS
    ]
    assert bad == []

    by_file = {str(p.relative_to(CORPUS)): (outcome, detail) for p, outcome, detail, _ in results}
    probe = _probe()
    for name, (outcome, detail) in by_file.items():
        row = probe.get(name)
        if row is None:
            continue
        # Encrypted workbooks say so, whatever their extension claims.
        if row["container"] == "ole2:encrypted-ooxml":
            assert outcome == "error" and detail.startswith("password"), (name, detail)
        # What either library reads (with a sheet), KPI Desk previews.
        readable = any(
            row[f"{lib}_status"] == "ok" and row[f"{lib}_n_sheets"] not in ("", "0")
            for lib in ("calamine", "openpyxl")
        )
        if readable and row["container"].startswith(("zip:xlsx", "zip:ods", "ole2:xls")):
            assert outcome == "preview", (name, detail)
    # The file that allocates without bound is stopped by the memory limit.
    oleloop = "files/phpspreadsheet/tests__data__Reader__XLS__oleloop.xls"
    if oleloop in by_file:
        assert by_file[oleloop][1].startswith("memory"), by_file[oleloop]
