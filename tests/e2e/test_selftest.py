"""``kpidesk --self-test``: the real command in a subprocess, and its checks one by one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kpidesk import selftest


def run_self_test(tmp_path: Path, extra_env: dict[str, str] | None = None):
    env = dict(os.environ)
    env.update(
        {
            "KPIDESK_HOME": str(tmp_path / "home"),
            "QT_QPA_PLATFORM": "offscreen",
            "LANGUAGE": "en",
            "TMPDIR": str(tmp_path / "tmp"),
            "TEMP": str(tmp_path / "tmp"),
            "TMP": str(tmp_path / "tmp"),
        }
    )
    env.update(extra_env or {})
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_self_test_passes_in_one_line_and_cleans_up(tmp_path):
    result = run_self_test(tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith("self-test ok: demo opened, ")
    assert lines[0].endswith(" s")
    assert "Traceback" not in result.stderr
    # Its own temporary folder is gone, and the caller's home was never written.
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not (tmp_path / "home").exists()


def test_self_test_checks_the_pack_and_the_pdf_when_the_export_service_is_there(tmp_path):
    result = run_self_test(tmp_path)
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    if selftest._export_service() is None:
        assert "not checked" in line
    else:
        assert "pack " in line and " sheets" in line and "PDF " in line and " pages" in line


def test_a_failure_is_one_line_on_stderr_and_exit_1(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("KPIDESK_HOME", str(tmp_path / "home"))

    def broken(folder: Path) -> list[str]:
        raise selftest.SelfTestError("the demo workspace did not open: damaged")

    monkeypatch.setattr(selftest, "_run", broken)
    assert selftest.run() == selftest.EXIT_FAILED
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "self-test failed: the demo workspace did not open: damaged\n"


def test_an_unexpected_error_is_one_line_too(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("KPIDESK_HOME", str(tmp_path / "home"))

    def broken(folder: Path) -> list[str]:
        raise OSError("disk\nfull")

    monkeypatch.setattr(selftest, "_run", broken)
    assert selftest.run() == selftest.EXIT_FAILED
    err = capsys.readouterr().err
    assert err == "self-test failed: OSError: disk full\n"


# The checks of the outputs ----------------------------------------------------------------


def minimal_pdf(pages: int) -> bytes:
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>",
        *["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages,
    ]
    body = "%PDF-1.4\n"
    for number, text in enumerate(objects, start=1):
        body += f"{number} 0 obj\n{text}\nendobj\n"
    return (body + "trailer\n<< /Root 1 0 R >>\n%%EOF\n").encode()


def test_pdf_page_count(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(minimal_pdf(3))
    assert selftest.pdf_page_count(path) == 3


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"PK\x03\x04 not a pdf", "does not start with %PDF"),
        (minimal_pdf(2)[:-10], "cut short"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", "has no pages"),
    ],
)
def test_pdf_problems_are_named(tmp_path, content, reason):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    with pytest.raises(selftest.SelfTestError, match=reason):
        selftest.pdf_page_count(path)


def test_pdf_page_count_of_a_missing_file(tmp_path):
    with pytest.raises(selftest.SelfTestError, match="was not written"):
        selftest.pdf_page_count(tmp_path / "none.pdf")


def test_check_xlsx(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Overview"
    workbook.create_sheet("Scorecard")
    path = tmp_path / "pack.xlsx"
    workbook.save(path)
    assert selftest.check_xlsx(path, ["Overview"]) == ["Overview", "Scorecard"]
    with pytest.raises(selftest.SelfTestError, match="lacks the sheets Actions"):
        selftest.check_xlsx(path, ["Overview", "Actions"])


def test_check_xlsx_rejects_what_is_not_a_workbook(tmp_path):
    path = tmp_path / "pack.xlsx"
    path.write_bytes(b"this is no workbook")
    with pytest.raises(selftest.SelfTestError, match="does not open"):
        selftest.check_xlsx(path)
    with pytest.raises(selftest.SelfTestError, match="was not written"):
        selftest.check_xlsx(tmp_path / "missing.xlsx")
