"""The reader process: limits, cancelling, crashes, and what the io layer may import."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kpidesk
from kpidesk.io import _process
from kpidesk.io.errors import (
    ImportProblem,
    Message,
    ReadCancelled,
    SpreadsheetError,
    SpreadsheetErrorKind,
)
from kpidesk.io.extract import read_records
from kpidesk.io.layout import LayoutError
from kpidesk.io.workbook import open_preview

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "files"
IO = Path(kpidesk.__file__).parent / "io"


def big_csv(path: Path, rows: int) -> Path:
    lines = ["Månad;Butik;Nyckeltal;Värde"]
    lines += [f"2026-{1 + i % 12:02d};B{i % 7};K{i % 5};{i}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cancelling_stops_the_reader_promptly(tmp_path: Path):
    path = big_csv(tmp_path / "big.csv", 300_000)
    chunks: list[int] = []
    started = time.monotonic()
    with pytest.raises(ReadCancelled):
        read_records(path, on_chunk=lambda r: chunks.append(len(r)), cancelled=lambda: bool(chunks))
    assert time.monotonic() - started < 20
    assert 1 <= len(chunks) < 6


def test_cancelled_before_anything_is_read():
    with pytest.raises(ReadCancelled):
        read_records(DATA / "wide.xlsx", cancelled=lambda: True)


def test_a_reader_that_overruns_its_time(tmp_path: Path):
    path = big_csv(tmp_path / "big.csv", 300_000)
    with pytest.raises(SpreadsheetError) as caught:
        read_records(path, time_limit=0.05)
    assert caught.value.kind is SpreadsheetErrorKind.TIMEOUT
    assert str(caught.value) == "big.csv could not be read: it took too long."


def test_a_reader_that_runs_out_of_memory():
    with pytest.raises(SpreadsheetError) as caught:
        open_preview(DATA / "wide.xlsx", memory_limit=10 * 1024 * 1024)
    assert caught.value.kind is SpreadsheetErrorKind.MEMORY
    assert str(caught.value) == "wide.xlsx could not be read: it needs more memory than allowed."


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS is POSIX")
@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/corpus is not beside the repository")
def test_the_file_that_makes_calamine_allocate_without_bound():
    path = CORPUS / "phpspreadsheet" / "tests__data__Reader__XLS__oleloop.xls"
    started = time.monotonic()
    with pytest.raises(SpreadsheetError) as caught:
        open_preview(path)
    assert time.monotonic() - started < 30
    assert caught.value.kind is SpreadsheetErrorKind.MEMORY


def test_a_child_that_dies_becomes_a_clear_error():
    error = _process._death(-11, "Segmentation fault\n", "x.xlsx")
    assert error.kind is SpreadsheetErrorKind.CRASHED
    assert (
        str(error)
        == "x.xlsx could not be read: the reader stopped unexpectedly (Segmentation fault)."
    )
    error = _process._death(-6, "memory allocation of 4294967296 bytes failed\n", "x.xls")
    assert error.kind is SpreadsheetErrorKind.MEMORY


def test_the_child_is_a_fresh_interpreter_not_a_fork():
    command = _process.reader_command()
    assert command[0] == sys.executable
    assert command[-2:] == ["-m", "kpidesk.io._child"]


def test_a_missing_file_and_a_missing_sheet(tmp_path: Path):
    with pytest.raises(SpreadsheetError) as caught:
        open_preview(tmp_path / "gone.xlsx")
    assert caught.value.kind is SpreadsheetErrorKind.NOT_FOUND
    with pytest.raises(SpreadsheetError) as caught:
        read_records(DATA / "wide.xlsx", sheet="Nope")
    assert caught.value.kind is SpreadsheetErrorKind.NO_SHEET
    assert str(caught.value) == "wide.xlsx has no sheet named “Nope”."


def test_a_sheet_without_a_table(tmp_path: Path):
    path = tmp_path / "names.csv"
    path.write_text("Name;Age\nBob;33\n", encoding="utf-8")
    with pytest.raises(LayoutError) as caught:
        read_records(path)
    assert caught.value.kind is SpreadsheetErrorKind.NO_LAYOUT
    preview = open_preview(path)
    assert preview.sheets[0].layout is None
    assert preview.sheets[0].problem is not None
    assert preview.default_sheet is None


def test_results_cross_the_process_boundary_intact():
    error = SpreadsheetError(SpreadsheetErrorKind.PASSWORD, "{file} x", file="a.xlsx")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.kind, copy.template, copy.params, str(copy)) == (
        error.kind,
        error.template,
        error.params,
        str(error),
    )
    problem = ImportProblem("S", 3, "B", "#N/A", Message.of("{a}!", a=1))
    assert pickle.loads(pickle.dumps(problem)) == problem


def test_messages_are_translated_when_shown_not_when_made():
    message = Message.of("The cell holds the Excel error {error}.", error="#N/A")
    assert message.template == "The cell holds the Excel error {error}."
    assert str(message) == "The cell holds the Excel error #N/A."


def test_the_io_layer_imports_no_qt_no_database():
    forbidden = ("PySide6", "shiboken6", "pyqtgraph", "peewee", "kpidesk.store", "kpidesk.ui")
    offenders = []
    for file in sorted(IO.rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{file.name}: {n}" for n in names if n.startswith(forbidden)]
    assert offenders == []
    code = (
        "import sys, kpidesk.io.extract, kpidesk.io.workbook, kpidesk.io._child\n"
        "print([m for m in sys.modules if m.startswith(('PySide6', 'peewee', 'kpidesk.store'))])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
