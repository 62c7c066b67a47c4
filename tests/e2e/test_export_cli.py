"""``kpidesk export`` as a user runs it: every format, errors, and a real spreadsheet program."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest


def kpidesk(*args, env_extra=None, timeout=180):
    env = dict(os.environ)
    env.update(env_extra or {})
    env.setdefault("LANGUAGE", "en")
    return subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def one_line_error(result, code):
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


@pytest.fixture
def workspace(demo_file, tmp_path):
    target = tmp_path / "work" / "demo.kpidesk"
    target.parent.mkdir()
    shutil.copyfile(demo_file, target)
    return target


def test_pack_pdf_template_and_csv_from_the_demo(workspace, tmp_path):
    before = digest(workspace)
    out = tmp_path / "out"
    out.mkdir()
    result = kpidesk("export", workspace, "--pack", out / "pack.xlsx", "--period", "2026-10")
    assert result.returncode == 0, result.stderr
    assert "13 KPIs" in result.stdout
    book = openpyxl.load_workbook(out / "pack.xlsx")
    assert book.sheetnames[:3] == ["Overview", "Strategy map", "Scorecard"]

    result = kpidesk("export", workspace, "--pdf", out / "report.pdf", "--period", "2026-10")
    assert result.returncode == 0, result.stderr
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert pdf_pages(out / "report.pdf") == 18  # the strategy map after the cover

    result = kpidesk(
        "export", workspace, "--template", out / "template.xlsx", "--period", "Q3 2026",
        "--units", "Umeå store", "online shop", "--prefill",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = openpyxl.load_workbook(out / "template.xlsx").worksheets[0]
    units = {data.cell(row=r, column=3).value for r in range(2, data.max_row + 1)}
    assert units == {"Umeå store", "Online shop"}
    assert data["A2"].value == "2026-07"

    result = kpidesk("export", workspace, "--csv", out / "all.csv")
    assert result.returncode == 0, result.stderr
    assert (out / "all.csv").read_text(encoding="utf-8").startswith("kpi_code,kpi,unit,")

    assert sorted(p.name for p in out.iterdir()) == [
        "all.csv",
        "pack.xlsx",
        "report.pdf",
        "template.xlsx",
    ]
    assert digest(workspace) == before
    assert sorted(p.name for p in workspace.parent.iterdir()) == ["demo.kpidesk"]


def test_lang_sets_the_file_language_whatever_the_system_language(workspace, tmp_path):
    out = tmp_path / "sv.xlsx"
    result = kpidesk(
        "export", workspace, "--pack", out, "--lang", "sv", env_extra={"LANGUAGE": "en"}
    )
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert "Styrkort" in book.sheetnames


def test_errors_are_one_line_with_the_readme_exit_codes(workspace, tmp_path):
    line = one_line_error(kpidesk("export", workspace, "--pack", tmp_path / "x.xlsx",
                                  "--period", "someday"), 2)  # fmt: skip
    assert "--period" in line
    line = one_line_error(
        kpidesk("export", workspace, "--pack", tmp_path / "x.xlsx", "--units", "Nowhere"), 2
    )
    assert "Nowhere" in line
    one_line_error(kpidesk("export", workspace, "--pack", "a.xlsx", "--pdf", "b.pdf"), 2)
    one_line_error(kpidesk("export", workspace, "--csv", "a.csv", "--period", "2026-01"), 2)
    line = one_line_error(
        kpidesk("export", workspace, "--pack", tmp_path / "missing" / "x.xlsx"), 1
    )
    assert "Could not write" in line
    line = one_line_error(kpidesk("export", workspace, "--pack", workspace), 2)
    assert ".xlsx" in line  # the name does not fit the kind: a usage error
    alias = workspace.with_name("alias.xlsx")
    os.link(workspace, alias)
    line = one_line_error(kpidesk("export", workspace, "--pack", alias), 1)
    assert "workspace itself" in line
    alias.unlink()
    one_line_error(kpidesk("export", tmp_path / "nope.kpidesk", "--pack", "x.xlsx"), 3)
    assert not (tmp_path / "x.xlsx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_review_option(workspace, tmp_path):
    result = kpidesk("export", workspace, "--pack", tmp_path / "r.xlsx", "--review", "999")
    assert "999" in one_line_error(result, 1)
    result = kpidesk("export", workspace, "--template", tmp_path / "t.xlsx", "--review", "1")
    one_line_error(result, 2)


def test_the_pdf_export_needs_no_display(workspace, tmp_path):
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": ""}
    result = kpidesk("export", workspace, "--pdf", tmp_path / "r.pdf", env_extra=env)
    assert result.returncode == 0, result.stderr
    assert pdf_pages(tmp_path / "r.pdf") > 10


# A real spreadsheet program -------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
)
def test_libreoffice_opens_and_prints_the_pack_and_the_template(workspace, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    pack = out / "pack.xlsx"
    template = out / "template.xlsx"
    assert kpidesk("export", workspace, "--pack", pack, "--period", "2026-10").returncode == 0
    assert kpidesk("export", workspace, "--template", template).returncode == 0
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(pack),
            str(template),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for name in ("pack.pdf", "template.pdf"):
        converted = out / name
        assert converted.is_file(), (name, result.stdout, result.stderr)
        assert converted.read_bytes().startswith(b"%PDF")
    # cover, scorecard, 13 KPI sheets, decisions, actions: at least one page each
    assert pdf_pages(out / "pack.pdf") >= 17
    with zipfile.ZipFile(pack) as archive:
        assert sum(n.startswith("xl/charts/chart") for n in archive.namelist()) == 13
