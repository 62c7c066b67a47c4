"""Name matching, total detection, format sniffing, text files and zip-bomb checks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kpidesk.domain.numbers import MeasureUnit
from kpidesk.io import sniff as sniff_module
from kpidesk.io.cells import column_index, column_letter, excel_error
from kpidesk.io.errors import SpreadsheetError, SpreadsheetErrorKind
from kpidesk.io.names import is_total_label, normalise_name
from kpidesk.io.sniff import SpreadsheetFormat, sniff_format
from kpidesk.io.textfile import detect_delimiter, detect_encoding

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "files"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="shared/corpus is not beside the repository"
)


@pytest.mark.parametrize(
    ("text", "name", "measure"),
    [
        ("Omsättning (kr)", "omsattning", MeasureUnit.CURRENCY),
        ("OMSÄTTNING ", "omsattning", None),
        ("omsattning", "omsattning", None),
        ("Omsättning, kr", "omsattning", MeasureUnit.CURRENCY),
        ("Omsättning i kr", "omsattning", MeasureUnit.CURRENCY),
        ("Intäkt (SEK)", "intakt", MeasureUnit.CURRENCY),
        ("Kostnad tkr", "kostnad", MeasureUnit.CURRENCY),
        ("Andel nöjda (%)", "andel nojda", MeasureUnit.PERCENT),
        ("Andel nöjda %", "andel nojda", MeasureUnit.PERCENT),
        ("Svarstid (h)", "svarstid", MeasureUnit.HOURS),
        ("Ledtid (dagar)", "ledtid", MeasureUnit.DAYS),
        ("Lead time (days)", "lead time", MeasureUnit.DAYS),
        ("Antal kunder (st)", "antal kunder", MeasureUnit.COUNT),
        ("NPS-värde", "nps varde", None),
        ("Sjuk  dagar", "sjuk dagar", None),  # a word of the name, not a unit suffix
        ("%", "%", None),
    ],
)
def test_normalise_name(text: str, name: str, measure: MeasureUnit | None):
    assert normalise_name(text) == (name, measure)


def test_normalised_names_match_across_spellings():
    spellings = ["Kundnöjdhet (%)", "kundnojdhet", " KUNDNÖJDHET % ", "Kundnöjdhet, %"]
    assert len({normalise_name(text).name for text in spellings}) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Summa",
        "Totalt",
        "Total",
        "Sum",
        "Delsumma",
        "Subtotal",
        "Summa kostnader",
        "TOTALT",
        "Delsumma Stockholm",
        "Helår",
        "Total:",
    ],
)
def test_totals(text: str):
    assert is_total_label(text)


@pytest.mark.parametrize(
    "text", ["Omsättning", "Totalt antal kunder", "Summering av X?", "Summer sales", "", None, 3]
)
def test_not_totals(text: object):
    assert not is_total_label(text)


def test_columns_and_error_literals():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert all(column_index(column_letter(i)) == i for i in range(2000))
    assert excel_error("#DIV/0!") == "#DIV/0!"
    assert excel_error("#n/a") == "#N/A"
    assert excel_error("#hashtag") is None
    assert excel_error(0.0) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("long_sv.xlsx", SpreadsheetFormat.XLSX),
        ("across_quarters.ods", SpreadsheetFormat.ODS),
        ("semicolon_cp1252.csv", SpreadsheetFormat.CSV),
        ("comma_utf8_bom.csv", SpreadsheetFormat.CSV),
    ],
)
def test_sniff_golden_files(name: str, expected: SpreadsheetFormat):
    assert sniff_format(DATA / name) is expected


def test_the_content_decides_not_the_extension(tmp_path: Path):
    disguised = tmp_path / "report.csv"
    disguised.write_bytes((DATA / "long_sv.xlsx").read_bytes())
    assert sniff_format(disguised) is SpreadsheetFormat.XLSX
    text = tmp_path / "data.xlsx"
    text.write_text("Månad;Värde\n2026-01;1\n", encoding="utf-8")
    assert sniff_format(text) is SpreadsheetFormat.CSV


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"", SpreadsheetErrorKind.EMPTY),
        (b"%PDF-1.7 something", SpreadsheetErrorKind.NOT_SPREADSHEET),
        (
            b"<html><body><table><tr><td>1</td></tr></table></body></html>",
            SpreadsheetErrorKind.UNSUPPORTED,
        ),
        (b"\x09\x04\x06\x00\x00\x00\x10\x00" + b"\0" * 100, SpreadsheetErrorKind.UNSUPPORTED),
        (b"PK\x03\x04 broken zip", SpreadsheetErrorKind.DAMAGED),
        (bytes(range(256)) * 8, SpreadsheetErrorKind.NOT_SPREADSHEET),
    ],
)
def test_files_that_are_refused(tmp_path: Path, content: bytes, kind: SpreadsheetErrorKind):
    path = tmp_path / "file.xlsx"
    path.write_bytes(content)
    with pytest.raises(SpreadsheetError) as caught:
        sniff_format(path)
    assert caught.value.kind is kind
    assert "file.xlsx" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_file(tmp_path: Path):
    with pytest.raises(SpreadsheetError) as caught:
        sniff_format(tmp_path / "gone.xlsx")
    assert caught.value.kind is SpreadsheetErrorKind.NOT_FOUND


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 4_000_000)  # ratio ~1000
    monkeypatch.setattr(sniff_module.ZipLimits, "ratio_floor", 1_000_000)
    with pytest.raises(SpreadsheetError) as caught:
        sniff_format(path)
    assert caught.value.kind is SpreadsheetErrorKind.TOO_LARGE
    monkeypatch.setattr(sniff_module.ZipLimits, "ratio_floor", 16 * 1024**2)
    monkeypatch.setattr(sniff_module.ZipLimits, "max_total", 1_000_000)
    with pytest.raises(SpreadsheetError):
        sniff_format(path)
    monkeypatch.setattr(sniff_module.ZipLimits, "max_total", 2 * 1024**3)
    assert sniff_format(path) is SpreadsheetFormat.XLSX


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Månad;Värde\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "Månad;Värde\n".encode(), "utf-8-sig"),
        ("Månad;Värde\n".encode("cp1252"), "cp1252"),
        ("\ufeffMånad;Värde\n".encode("utf-16-le"), "utf-16-le"),
        ("Månad;Värde\n".encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_text_encodings(data: bytes, encoding: str):
    detected = detect_encoding(data)
    assert detected is not None and detected[0] == encoding


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Månad;Omsättning;Kunder\n2026-01;1 234,5;12\n2026-02;2 345,5;14\n", ";"),
        ("Month,Revenue,Customers\n2026-01,1234.5,12\n2026-02,2345.5,14\n", ","),
        ("Month\tRevenue\n2026-01\t1234,5\n", "\t"),
        ('Month,Revenue\n2026-01,"1,234.5"\n2026-02,"2,000"\n', ","),
    ],
)
def test_delimiters(text: str, delimiter: str):
    assert detect_delimiter(text) == (delimiter, False)


def test_excel_sep_hint():
    assert detect_delimiter("sep=;\nA;B\n1;2\n") == (";", True)


@needs_corpus
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("calamine/tests__strict_iso_paths.xlsx", SpreadsheetFormat.XLSX),
        ("roo/test__files__type_excel.xlsx", SpreadsheetFormat.XLS),  # an .xls named .xlsx
        ("roo/test__files__type_excelx.ods", SpreadsheetFormat.XLSX),
        ("roo/test__files__type_openoffice.xlsx", SpreadsheetFormat.ODS),
        ("phpspreadsheet/tests__data__Reader__CSV__encoding.utf16be.csv", SpreadsheetFormat.CSV),
        ("sheetjs/wtf_path.xlsx", SpreadsheetFormat.XLSX),
    ],
)
def test_sniff_corpus_files(name: str, expected: SpreadsheetFormat):
    assert sniff_format(CORPUS / name) is expected


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "pycalamine/tests__data__password.xlsx",
        "excelize/test__encryptAES.xlsx",
        "poi/test-data__poifs__protected_sha512.xlsx",
    ],
)
def test_sniff_encrypted_ooxml(name: str):
    with pytest.raises(SpreadsheetError) as caught:
        sniff_format(CORPUS / name)
    assert caught.value.kind is SpreadsheetErrorKind.PASSWORD
