"""Small SIE files for the tests, written the way bookkeeping programs write them."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "sie"
FILES = CORPUS / "files"

HEAD = """#FLAGGA 0
#PROGRAM "Testprogram" 1.0
#FORMAT PC8
#GEN 20250301
#SIETYP {kind}
#FNAMN "Testbolaget AB"
#ORGNR 556000-0001
#RAR 0 20250101 20251231
#RAR -1 20240101 20241231
#KONTO 1510 "Kundfordringar"
#KONTO 1930 "Företagskonto"
#KONTO 2081 "Aktiekapital"
#KONTO 2440 "Leverantörsskulder"
#KONTO 3010 "Försäljning"
#KONTO 4010 "Varuinköp"
#KONTO 7010 "Löner"
#DIM 1 "Kostnadsställe"
#OBJEKT 1 "N" "Nord"
#OBJEKT 1 "S" "Syd"
"""


def sie_text(kind: int, body: str) -> str:
    return HEAD.format(kind=kind) + body


def write_sie(path: Path, text: str, *, crlf: bool = False, encoding: str = "cp437") -> Path:
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes(data.encode(encoding))
    return path


VOUCHERS = """#IB 0 1930 100000.00
#IB 0 2081 -100000.00
#VER A 1 20250115 "Försäljning"
{
#TRANS 1510 {} 12500.00 20250115
#TRANS 3010 {1 "N"} -10000.00 20250115 "Nord"
#TRANS 2611 {} -2500.00
}
#VER A 2 20250120 "Varuinköp"
{
#TRANS 4010 {1 "S"} 4000.00
#TRANS 2440 {} -4000.00
}
#VER B 1 20250225 "Lön"
{
#TRANS 7010 {} 3000.50
#TRANS 1930 {} -3000.50
}
"""
