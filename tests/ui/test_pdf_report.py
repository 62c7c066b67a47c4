"""The PDF report and chart images drawn by ``kpidesk.ui.render`` (QPainter, no widgets)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from kpidesk import palette
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Direction, Status
from kpidesk.io.report_model import KpiInfo, KpiSection, PeriodRow, UnitSeries
from kpidesk.services import exports
from kpidesk.services.exports import ExportFormat, ExportRequest
from kpidesk.services.progress import Cancelled
from kpidesk.services.report_content import build_report_content
from kpidesk.store.workspace import opened
from kpidesk.ui.render import render_pdf_report, save_chart_image
from kpidesk.ui.render.charts import chart_image, draw_kpi_chart, nice_ticks, tick_decimals

OCTOBER = Period.month(2026, 10)


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def pdf_text(path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


@pytest.fixture(scope="module")
def content(demo_file):
    with opened(demo_file, read_only=True):
        return build_report_content(OCTOBER, generated_on=date(2026, 11, 5))


def test_report_has_cover_contents_scorecard_a_page_per_kpi_decisions_and_actions(
    qapp, content, tmp_path
):
    path = tmp_path / "report.pdf"
    steps = []
    pages = render_pdf_report(content, path, "en", lambda d, t: steps.append((d, t)))
    assert pages == 1 + 1 + 1 + 1 + 13 + 1
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and pdf_pages(data) == pages
    assert steps[-1] == (pages, pages) and len(steps) == pages
    text = pdf_text(path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; the text was not checked")
    pages_text = text.split("\f")
    assert "Review pack" in pages_text[0] and "Solbacka Hem AB" in pages_text[0]
    # the strategy on one page first, after the cover
    assert "Strategy map" in pages_text[1] and "Norrland" in pages_text[1]
    assert "Fast and accurate" in pages_text[1] and "Customer service response" in pages_text[1]
    assert "Contents" in pages_text[2]
    assert re.search(r"Strategy map\s*\.*\s*2", pages_text[2])
    assert re.search(r"Scorecard\s*\.*\s*4", pages_text[2].replace(" ", " "))
    assert re.search(r"REV · Revenue[ .]*5", pages_text[2])
    assert "Page 3 of 18" in pages_text[2] and "Page 18 of 18" in pages_text[17]
    assert "Page" not in pages_text[0]  # the cover has no header or footer
    assert "Scorecard – October 2026" in pages_text[3]
    assert "✓ On track" in pages_text[3] and "✕ Off track" in pages_text[3]
    assert "Revenue" in pages_text[4] and "SEK 4,968,522" in pages_text[4]
    assert "Decisions" in pages_text[17] and "Actions" in pages_text[17]


def test_report_in_swedish_whatever_the_ui_language(qapp, content, tmp_path):
    path = tmp_path / "rapport.pdf"
    render_pdf_report(content, path, "sv")
    text = pdf_text(path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "Styrkort" in text and "oktober 2026" in text  # "Scorecard", the period
    assert "På rätt kurs" in text and "4 968 522 kr" in text


def test_several_units_share_kpi_pages(qapp, demo_file, tmp_path):
    with opened(demo_file, read_only=True):
        content = build_report_content(OCTOBER, [2, 3, 4, 5], generated_on=date(2026, 11, 5))
    path = tmp_path / "units.pdf"
    pages = render_pdf_report(content, path, "en")
    assert pages <= 3 + 13 * 2 + 3  # chart and table side by side: several units a page


def test_cancelling_leaves_no_file(qapp, demo_copy, tmp_path):
    destination = tmp_path / "report.pdf"
    seen = []
    with opened(demo_copy, read_only=True) as workspace:
        request = ExportRequest(ExportFormat.PDF, destination, OCTOBER, language="en")
        with pytest.raises(Cancelled):
            exports.run_export(
                request,
                workspace=workspace,
                render_pdf=render_pdf_report,
                progress=lambda d, t: seen.append(d),
                cancelled=lambda: len(seen) >= 3,
            )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.kpidesk"]


def test_chart_images_png_and_svg(qapp, content, tmp_path):
    section = content.sections[0]
    series = section.series[0]
    png = tmp_path / "chart.png"
    svg = tmp_path / "chart.svg"
    save_chart_image(section, series, png, "en")
    save_chart_image(section, series, svg, "sv")
    image = QImage(str(png))
    assert not image.isNull() and image.width() == 1920 and image.height() == 960
    colours = {image.pixelColor(x, y).name() for x in range(0, 1920, 7) for y in range(0, 960, 7)}
    assert palette.ACTUAL_LINE in colours
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "<path" in text
    assert "Revenue" in text


def test_chart_export_names_files_safely(qapp, demo_copy, tmp_path):
    folder = tmp_path / "charts"
    with opened(demo_copy, read_only=True) as workspace:
        request = ExportRequest(ExportFormat.CHARTS, folder, OCTOBER, language="en")
        result = exports.run_export(request, workspace=workspace, render_chart=save_chart_image)
    assert result.count == 13
    names = sorted(p.name for p in folder.iterdir())
    assert "REV Revenue.png" in names and "CSAT Customer satisfaction (CSAT).png" in names
    assert all(not n.endswith(".partial.png") for n in names)


def band_section() -> tuple[KpiSection, UnitSeries]:
    kpi = KpiInfo(
        1, "TEMP", "Temperature", "other", 1, Direction.WITHIN_BAND, PeriodKind.MONTH, "°C"
    )
    rows = tuple(
        PeriodRow(
            Period.month(2026, m),
            None if m == 4 else 18 + m * 0.5,
            19.0,
            22.0,
            Status.GREEN if m != 4 else Status.NO_DATA,
        )
        for m in range(1, 10)
    )
    series = UnitSeries("Lager", rows)
    return KpiSection(kpi, (series,)), series


def test_band_kpi_gaps_and_empty_series_draw(qapp):
    section, series = band_section()
    image = chart_image(section, series, language="en")
    assert not image.isNull()
    empty = UnitSeries("Tom", tuple(PeriodRow(r.period, None, None, None, Status.NO_DATA)
                                    for r in series.rows))  # fmt: skip
    picture = QImage(400, 200, QImage.Format.Format_ARGB32)
    picture.fill(QColor("white"))
    painter = QPainter(picture)
    draw_kpi_chart(painter, QRectF(0, 0, 400, 200), section.kpi, empty.rows, language="en")
    painter.end()


def test_nice_ticks():
    ticks, step = nice_ticks(3_412_000, 5_337_060)
    assert step == 500_000 and ticks[0] == 3_000_000 and ticks[-1] == 5_500_000
    ticks, step = nice_ticks(1.87, 2.72)
    assert step == 0.2 and tick_decimals(step) == 1
    ticks, step = nice_ticks(5, 5)
    assert ticks[0] < 5 < ticks[-1]
    assert tick_decimals(2.5) == 1 and tick_decimals(0.25) == 2 and tick_decimals(500) == 0
