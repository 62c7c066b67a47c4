"""The SIE reader fuzzed with hypothesis: whatever the bytes, only its own errors come out.

Files are made of SIE-like records (real labels, numbers, dates, object lists, quotes and
braces in odd places, vouchers opened and closed or not) and of random bytes; each is read,
and what reads is turned into KPI values. A :class:`SieError` with a one-line message
naming the file is the only way to fail.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpidesk.io.sie import SieError, read_sie_bytes
from kpidesk.io.sie.accounts import SieSettings
from kpidesk.io.sie.figures import compute_figures
from kpidesk.io.sie.tokens import SieSyntaxError, split_fields

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LABELS = [
    "#FLAGGA", "#SIETYP", "#FORMAT", "#RAR", "#KONTO", "#KTYP", "#DIM", "#UNDERDIM",
    "#OBJEKT", "#IB", "#UB", "#RES", "#OIB", "#OUB", "#PSALDO", "#PBUDGET", "#VER",
    "#TRANS", "#RTRANS", "#BTRANS", "#KSUMMA", "#OMFATTN", "#GEN", "#SRU", "#NYTT",
]  # fmt: skip
FIELDS = st.one_of(
    st.sampled_from(
        [
            "0", "-1", "1", "4", "3010", "1930", "7010", "PC8", "20250101", "20251231",
            "202501", "202513", "20250230", "00010101", "99991231", "-123.45", "1e5", "nan",
            "12,50", "{}", "{ }",
            '{1 "N"}', "{1 N 6 P}", "{1}", "{", "}", '""', '"a b"', '"\\"', "A", "é",
        ]
    ),
    st.text(alphabet=st.characters(codec="cp437"), max_size=8),
)  # fmt: skip
RECORD = st.builds(
    lambda label, fields, indent: indent + " ".join([label, *fields]),
    st.sampled_from(LABELS),
    st.lists(FIELDS, max_size=6),
    st.sampled_from(["", " ", "\t"]),
)
LINE = st.one_of(RECORD, st.sampled_from(["{", "}", "", "\x1a", " } "]))
SIE_LIKE = st.lists(LINE, max_size=40).map(
    lambda lines: ("#FLAGGA 0\n#SIETYP 4\n" + "\n".join(lines)).encode("cp437", "replace")
)
SEPARATORS = st.sampled_from([b"\n", b"\r\n", b"\r"])


def read(data: bytes) -> None:
    try:
        sie = read_sie_bytes(data, "fuzz.se")
    except SieError as error:
        message = str(error)
        assert "fuzz.se" in message and "\n" not in message
        return
    for dimension in ("1", "6", ""):
        figures = compute_figures(sie, SieSettings(dimension=dimension))
        for note in (*sie.notes, *figures.notes):
            assert note.text and "\n" not in note.text


@FUZZ
@given(SIE_LIKE, SEPARATORS)
def test_sie_like_files_give_figures_or_sie_errors(data, separator):
    read(data.replace(b"\n", separator))


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_give_sie_errors(data):
    read(data)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_after_a_sie_header_give_figures_or_sie_errors(data):
    read(b"#FLAGGA 0\r\n#SIETYP 4\r\n#RAR 0 20250101 20251231\r\n" + data)


@FUZZ
@given(st.text(max_size=60))
def test_the_field_splitter_only_raises_its_own_error(text):
    try:
        fields = split_fields(text)
    except SieSyntaxError:
        return
    assert all(isinstance(field, str | tuple) for field in fields)
