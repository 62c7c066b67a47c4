"""The SIE reader: fields, encodings, vouchers as the specification defines them, #KSUMMA,
skipped records, and one-line errors naming the line."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from kpidesk.io.sie import SieError, looks_like_sie, read_sie, read_sie_bytes
from kpidesk.io.sie import reader as sie_reader
from kpidesk.io.sie.tokens import SieSyntaxError, split_fields

from .sie_samples import FILES, VOUCHERS, sie_text, write_sie

# Fields --------------------------------------------------------------------------------------


def test_fields_are_split_at_spaces_and_tabs():
    assert split_fields("#KONTO\t3010   Försäljning") == ["#KONTO", "3010", "Försäljning"]


def test_quoted_fields_keep_their_spaces_and_escaped_quotes():
    fields = split_fields(r'#VER A 1 20250101 "Faktura \"17\" till kund" ""')
    assert fields == ["#VER", "A", "1", "20250101", 'Faktura "17" till kund', ""]


@pytest.mark.parametrize(
    ("text", "objects"),
    [
        ("{}", ()),
        ("{ }", ()),
        ('{1 "10" 6 "P1"}', ("1", "10", "6", "P1")),
        ('{ "1" "Kontor Nord" }', ("1", "Kontor Nord")),
        ("{1 10}", ("1", "10")),
    ],
)
def test_object_lists_in_every_form(text, objects):
    assert split_fields(f"#TRANS 3010 {text} -100") == ["#TRANS", "3010", objects, "-100"]


@pytest.mark.parametrize("line", ["#TRANS 3010 {1 10 -100", "#TRANS 3010 {1 {2}} 5", "#X }"])
def test_broken_object_lists_are_syntax_errors(line):
    with pytest.raises(SieSyntaxError):
        split_fields(line)


def test_an_open_quote_runs_to_the_end_of_the_line():
    assert split_fields('#FNAMN "Bolaget AB') == ["#FNAMN", "Bolaget AB"]


# Recognising files ------------------------------------------------------------------------


def test_a_sie_file_is_recognised_by_content_not_by_name(tmp_path):
    named_xlsx = write_sie(tmp_path / "bokföring.xlsx", sie_text(4, VOUCHERS))
    assert looks_like_sie(named_xlsx)
    html = tmp_path / "BokSald.SE"
    html.write_text("<!DOCTYPE HTML>\n<html><body>Not Found</body></html>\n")
    assert not looks_like_sie(html)


def test_a_web_page_named_se_is_a_one_line_error_naming_the_line(tmp_path):
    html = tmp_path / "PerSald.SE"
    html.write_text("\n<!DOCTYPE HTML PUBLIC>\n<html></html>\n")
    with pytest.raises(SieError) as caught:
        read_sie(html)
    text = str(caught.value)
    assert "\n" not in text and "PerSald.SE" in text and "line 2" in text


def test_empty_and_binary_files_are_errors(tmp_path):
    empty = tmp_path / "tom.se"
    empty.write_bytes(b"  \r\n")
    with pytest.raises(SieError, match=r"tom\.se"):
        read_sie(empty)
    binary = tmp_path / "bild.se"
    binary.write_bytes(b"#FLAGGA 0\n\0\0\x89PNG")
    with pytest.raises(SieError, match="binary"):
        read_sie(binary)


# Encodings and line ends ---------------------------------------------------------------------


@pytest.mark.parametrize("crlf", [False, True])
def test_cp437_with_crlf_or_lf(tmp_path, crlf):
    path = write_sie(tmp_path / "a.se", sie_text(4, VOUCHERS), crlf=crlf)
    sie = read_sie(path)
    assert sie.encoding == "cp437"
    assert sie.company == "Testbolaget AB"
    assert sie.accounts["1930"].name == "Företagskonto"
    assert sie.object_name("1", "N") == "Nord"
    assert not sie.notes


def test_utf8_despite_pc8_is_read_as_utf8_with_a_note(tmp_path):
    path = write_sie(tmp_path / "a.se", sie_text(4, VOUCHERS), encoding="utf-8")
    sie = read_sie(path)
    assert sie.encoding == "utf-8"
    assert sie.accounts["1930"].name == "Företagskonto"
    assert any("UTF-8" in note.text for note in sie.notes)


def test_windows_1252_despite_pc8_is_read_as_such(tmp_path):
    path = write_sie(tmp_path / "a.se", sie_text(4, VOUCHERS), encoding="cp1252")
    assert read_sie(path).accounts["7010"].name == "Löner"


# Records ------------------------------------------------------------------------------------


def test_the_tags_a_kpi_needs_are_read(tmp_path):
    body = """#KTYP 3010 I
#UNDERDIM 61 "Delprojekt" 6
#IB 0 1930 100.00
#UB 0 1930 250.50
#RES 0 3010 -1000
#OIB 0 1930 {1 "N"} 10
#OUB 0 1930 {1 "N"} 20
#PSALDO 0 202501 3010 {} -600.00
#PSALDO 0 202502 3010 {1 "N"} -400.00
#PBUDGET 0 202501 3010 {} -700
#OMFATTN 20250228
#SRU 3010 7410
#ENHET 3010 st
#PROSA "Fritext"
#NYTTTAGG 1 2 3
"""
    sie = read_sie(write_sie(tmp_path / "a.se", sie_text(3, body)))
    assert sie.kind == "3"
    assert sie.accounts["3010"].kind == "I"
    assert sie.dimensions["61"].parent == "6"
    assert sie.opening[(0, "1930")] == 10000
    assert sie.closing[(0, "1930")] == 25050
    assert sie.results[(0, "3010")] == -100000
    assert sie.object_opening[(0, "1930", (("1", "N"),))] == 1000
    assert sie.object_closing[(0, "1930", (("1", "N"),))] == 2000
    assert sie.period_balances[(0, "202501", "3010", ())] == -60000
    assert sie.period_balances[(0, "202502", "3010", (("1", "N"),))] == -40000
    assert sie.period_budgets[(0, "202501", "3010", ())] == -70000
    assert sie.years[0].label_year == 2025 and sie.years[-1].label_year == 2024
    assert sie.extent is not None and sie.extent.isoformat() == "2025-02-28"
    assert sie.skipped == {"#SRU": 1, "#ENHET": 1, "#PROSA": 1, "#NYTTTAGG": 1}


def test_voucher_rows_are_summed_by_account_objects_and_month(tmp_path):
    sie = read_sie(write_sie(tmp_path / "a.se", sie_text(4, VOUCHERS)))
    assert sie.vouchers == 3 and sie.transaction_rows == 7
    assert sie.transactions[("3010", (("1", "N"),), "202501")] == -1000000
    # a row without a date is booked in its voucher's month
    assert sie.transactions[("4010", (("1", "S"),), "202501")] == 400000
    assert sie.transactions[("7010", (), "202502")] == 300050
    assert not sie.unbalanced


def test_added_rows_count_once_and_removed_rows_not_at_all(tmp_path):
    body = """#VER A 1 20250110 "Ändrad" 20250301
{
#BTRANS 1930 {} -1000 20250301 "" "" "Anna"
#RTRANS 1930 {} -800 20250301 "" "" "Anna"
#TRANS 1930 {} -800 20250110
#TRANS 4010 {} 800 20250110
#BTRANS 4010 {} 1000 20250301
}
#VER A 2 20250210 "Tillagd rad utan tvilling"
{
#TRANS 1930 {} -50
#RTRANS 4010 {} 50 20250215
}
"""
    sie = read_sie(write_sie(tmp_path / "a.se", sie_text(4, body)))
    assert sie.transactions[("1930", (), "202501")] == -80000
    assert sie.transactions[("4010", (), "202501")] == 80000
    assert sie.transactions[("4010", (), "202502")] == 5000
    assert sie.removed_rows == 2 and sie.added_rows == 2 and sie.added_alone == 1
    assert not sie.unbalanced
    assert any("#RTRANS" in note.text for note in sie.notes)


def test_a_voucher_that_does_not_balance_is_listed_with_its_lines(tmp_path):
    body = '#VER "B" "7" 20250110\n{\n#TRANS 1930 {} 100.00\n#TRANS 3010 {} -99.50\n}\n'
    text = sie_text(4, body)
    sie = read_sie(write_sie(tmp_path / "a.se", text))
    [voucher] = sie.unbalanced
    lines = text.splitlines()
    assert lines[voucher.line - 1].startswith('#VER "B" "7"')
    assert lines[voucher.last_line - 1] == "}"
    assert voucher.name == "B 7" and voucher.difference == 50


def test_tab_indented_and_unusual_rows_give_the_same_sums(tmp_path):
    plain = read_sie(write_sie(tmp_path / "a.se", sie_text(4, VOUCHERS)))
    unusual = VOUCHERS.replace("#TRANS", "\t#TRANS  ").replace('{1 "N"}', "{ 1  N }")
    unusual = unusual.replace("12500.00 20250115", '12500,00 "20250115"')
    odd = read_sie(write_sie(tmp_path / "b.se", sie_text(4, unusual)))
    assert odd.transactions == plain.transactions


# #KSUMMA -------------------------------------------------------------------------------------


def _with_checksum(text: str) -> str:
    """``text`` with #KSUMMA after #FLAGGA and at the end: CRC-32 over every record between,
    label and fields without spaces, quotes or braces (the specification's definition)."""
    body = text.split("\n", 1)[1]
    records = []
    for line in body.splitlines():
        if line.strip() and line.strip() not in "{}":
            fields = split_fields(line.strip())
            records.append(
                "".join("".join(f) if isinstance(f, tuple) else f for f in fields).encode("cp437")
            )
    return "#FLAGGA 0\n#KSUMMA\n" + body + f"#KSUMMA {zlib.crc32(b''.join(records))}\n"


@pytest.mark.parametrize(
    "name",
    [
        "Sie1.se",
        "Norstedts%20Bokslut%20SIE%201.se",
        "Norstedts%20Bokslut%20SIE%204I.si",
        "Norstedts%20Revision%20SIE%201.SE",
    ],
)
def test_the_checksums_of_real_files_are_found_right(name):
    path = FILES / name
    if not path.is_file():
        pytest.skip("the SIE corpus is not beside the repository")
    sie = read_sie(path)
    assert sie.checksum_ok is True
    assert not any("checksum" in note.text for note in sie.notes)


def test_a_changed_file_gets_a_checksum_note_not_an_error(tmp_path):
    good = _with_checksum(sie_text(4, VOUCHERS))
    assert read_sie(write_sie(tmp_path / "good.se", good)).checksum_ok is True
    changed = good.replace("12500.00", "12600.00").replace("-2500.00", "-2600.00")
    sie = read_sie(write_sie(tmp_path / "changed.se", changed))
    assert sie.checksum_ok is False
    assert any("#KSUMMA" in note.text for note in sie.notes)
    assert sie.transactions[("1510", (), "202501")] == 1260000


# Errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "wanted", "needle"),
    [
        ("#RES 0 3010 tolv\n", "#RES 0 3010 tolv", "amount"),
        ("#PSALDO 0 202513 3010 {} 5\n", "#PSALDO 0 202513", "month"),
        ("#VER A 1 20250230\n{\n}\n", "#VER A 1 20250230", "date"),
        ("#VER A 1 20250101\n{\n#TRANS 3010 {1} 5\n}\n", "#TRANS 3010 {1}", "pairs"),
        ("#VER A 1 20250101\n{\n#TRANS 3010 {1 N 5\n}\n", "#TRANS 3010 {1 N", "object list"),
        ("#TRANS 3010 {} 5 20250101\n", "#TRANS 3010 {} 5", "outside"),
        ("#VER A 1 20250101\n{\n#TRANS 3010 {} 5\n", "#VER A 1 20250101", "not closed"),
        ("#VER A 1\n{\n#TRANS 3010 {} 5\n}\n", "#TRANS 3010 {} 5", "no date"),
        ("}\n", "}", "closes no voucher"),
        ("Hej!\n", "Hej!", "#label"),
    ],
)
def test_broken_files_are_one_line_errors_naming_the_line(tmp_path, body, wanted, needle):
    text = sie_text(4, body)
    with pytest.raises(SieError) as caught:
        read_sie(write_sie(tmp_path / "trasig.se", text))
    message = str(caught.value)
    assert "\n" not in message and message.startswith("trasig.se, line ")
    number = int(message.split("line ")[1].split(":")[0])
    assert text.splitlines()[number - 1].startswith(wanted)
    assert needle in message


def test_an_unknown_tag_that_does_not_split_is_only_skipped(tmp_path):
    sie = read_sie(write_sie(tmp_path / "a.se", sie_text(1, "#KOMMENTAR {\n")))
    assert sie.skipped["#KOMMENTAR"] == 1


# Reading in pieces ----------------------------------------------------------------------


def test_a_large_file_read_in_pieces_equals_one_reading(tmp_path, monkeypatch):
    vouchers = "".join(
        f'#VER A {n} 2025{n % 12 + 1:02d}{n % 27 + 1:02d} "V {n}"\n{{\n'
        f'#TRANS 3010 {{1 "{"NS"[n % 2]}"}} {-n}.25\n#TRANS 1930 {{}} {n}.25\n}}\n'
        for n in range(1, 4000)
    )
    text = sie_text(4, vouchers + "#VER X 1 20250101\n{\n#TRANS 1930 {} 1\n}\n")
    path = write_sie(tmp_path / "stor.se", text, crlf=True)
    whole = read_sie(path, parallel=False)
    monkeypatch.setattr(sie_reader, "PARALLEL_BYTES", 1024)
    monkeypatch.setattr(sie_reader, "_free_cores", lambda: 3)
    pieces = read_sie(path)
    assert pieces.transactions == whole.transactions
    assert (pieces.vouchers, pieces.transaction_rows, pieces.lines) == (
        whole.vouchers,
        whole.transaction_rows,
        whole.lines,
    )
    assert [(v.line, v.last_line) for v in pieces.unbalanced] == [
        (v.line, v.last_line) for v in whole.unbalanced
    ]
    assert len(whole.unbalanced) == 1


def test_an_error_in_a_later_piece_names_the_line_of_the_whole_file(tmp_path, monkeypatch):
    vouchers = "".join(
        f"#VER A {n} 20250110\n{{\n#TRANS 3010 {{}} -{n}\n#TRANS 1930 {{}} {n}\n}}\n"
        for n in range(1, 3000)
    )
    text = sie_text(4, vouchers + "#VER A 9999 20250110\n{\n#TRANS 1930 {} fem\n}\n")
    path = write_sie(tmp_path / "stor.se", text)
    monkeypatch.setattr(sie_reader, "PARALLEL_BYTES", 1024)
    monkeypatch.setattr(sie_reader, "_free_cores", lambda: 2)
    with pytest.raises(SieError) as caught:
        read_sie(path)
    number = len(text.splitlines()) - 1
    assert f"line {number}:" in str(caught.value)


def test_bytes_and_path_give_the_same_file(tmp_path):
    path = write_sie(tmp_path / "a.se", sie_text(4, VOUCHERS))
    assert read_sie_bytes(path.read_bytes(), "a.se").transactions == read_sie(path).transactions


def test_a_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(SieError, match=r"saknas\.se"):
        read_sie(Path(tmp_path / "saknas.se"))
