"""Exports the app and the command line share: review pack, PDF report, data template, CSV,
chart images.

An export has two steps. :func:`prepare` reads what the file needs from the open workspace
(quick, and the only step that touches it); :func:`write` makes the file from that and needs
nothing else, so the app can run it in a worker thread. The PDF and chart images are drawn by
Qt, which lives in ``kpidesk.ui.render``: the caller hands the drawing function in
(``render_pdf``, ``render_chart``), so this layer never imports Qt.

Every file is written under a temporary name beside the destination, flushed, checked and
renamed when complete (:func:`kpidesk.files.write_atomically`): a failed or cancelled export
leaves nothing half-written, and an existing file is replaced only by a finished one. No
export writes onto a workspace, a backup, a folder or a device
(:func:`kpidesk.store.outputs.check_output`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from kpidesk import files
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.text import clean_strings
from kpidesk.i18n import N_, normalise_language
from kpidesk.io.report_model import KpiSection, ReportContent, UnitSeries
from kpidesk.io.review_pack import write_review_pack
from kpidesk.io.template import TemplateSpec, write_template
from kpidesk.io.xlsx_safety import safe_file_name
from kpidesk.services import report_content
from kpidesk.services.overview import default_period
from kpidesk.services.progress import (
    CancelFlag,
    Cancelled,
    Progress,
    never_cancelled,
    no_progress,
)
from kpidesk.services.workspaces import ExportError, export_measurements_csv
from kpidesk.store import models
from kpidesk.store.outputs import check_output, in_backups_folder
from kpidesk.store.workspace import Workspace


class ExportFormat(StrEnum):
    PACK = "pack"
    PDF = "pdf"
    TEMPLATE = "template"
    CSV = "csv"
    CHARTS = "charts"


SUFFIXES = {
    ExportFormat.PACK: ".xlsx",
    ExportFormat.PDF: ".pdf",
    ExportFormat.TEMPLATE: ".xlsx",
    ExportFormat.CSV: ".csv",
    ExportFormat.CHARTS: "",
}

RenderPdf = Callable[[ReportContent, Path, str, Progress], None]
"""``render_pdf(content, path, language, progress)`` draws the report into ``path``."""

RenderChart = Callable[[KpiSection, UnitSeries, Path, str, str], None]
"""``render_chart(section, series, path, language, currency)``: one chart image (PNG or SVG
by the path's suffix)."""


class UnknownReviewError(ExportError):
    exit_code = 1


@dataclass(frozen=True)
class ExportRequest:
    format: ExportFormat
    destination: Path
    period: Period | None = None
    unit_ids: tuple[int, ...] | None = None
    language: str | None = None
    """``sv`` or ``en``; None: the workspace's language."""
    review_id: int | None = None
    prefill: bool = False
    history: int | None = None
    image_suffix: str = ".png"


@dataclass
class Prepared:
    """What :func:`write` needs: the request made concrete, and the content read."""

    request: ExportRequest
    language: str
    period: Period
    content: ReportContent | None = None
    template: TemplateSpec | None = None
    workspace: Workspace | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ExportResult:
    format: ExportFormat
    paths: tuple[Path, ...]
    count: int
    """Measurements (CSV), KPI sheets (pack), pages (PDF), rows (template), images."""


def workspace_language() -> str:
    try:
        stored = models.WorkspaceSettings.get().language
    except models.WorkspaceSettings.DoesNotExist:
        stored = None
    return normalise_language(stored) or "en"


def suggested_file_name(
    kind: ExportFormat, workspace_name: str, period: Period, language: str
) -> str:
    """A sanitised file name for an export: ``Solbacka Hem AB review pack 2026-10.xlsx``."""
    from kpidesk.i18n import gettext_for

    _ = gettext_for(language)
    words = {
        ExportFormat.PACK: _("review pack"),
        ExportFormat.PDF: _("report"),
        ExportFormat.TEMPLATE: _("data template"),
        ExportFormat.CSV: _("measurements"),
        ExportFormat.CHARTS: _("charts"),
    }
    stem = f"{workspace_name} {words[kind]} {period.key}"
    return safe_file_name(stem, SUFFIXES[kind])


def chart_file_name(section: KpiSection, series: UnitSeries, suffix: str, several: bool) -> str:
    """A sanitised name for a KPI's chart image: ``REV Revenue.png``, with the unit if many."""
    stem = f"{section.kpi.code} {section.kpi.name}"
    if several:
        stem = f"{stem} – {series.unit}"
    return safe_file_name(stem, suffix, fallback=section.kpi.code or "chart")


# Step 1: read ----------------------------------------------------------------------------


def prepare(
    request: ExportRequest, *, workspace: Workspace | None = None, today: date | None = None
) -> Prepared:
    """Read what the export needs from the open workspace."""
    language = normalise_language(request.language) or workspace_language()
    period = request.period or default_period(PeriodKind.MONTH)
    prepared = Prepared(request, language, period, workspace=workspace)
    kind = request.format
    if kind is ExportFormat.CSV:
        if workspace is None:
            raise ValueError("a CSV export needs the workspace")
        return prepared
    if request.review_id is not None:
        if kind not in (ExportFormat.PACK, ExportFormat.PDF, ExportFormat.CHARTS):
            raise ExportError(N_("Only a review pack or a PDF report can be made for a review."))
        prepared.content = review_report_content(request.review_id, today=today, language=language)
        prepared.period = prepared.content.period
        return prepared
    if kind is ExportFormat.TEMPLATE:
        prepared.template = report_content.build_template_spec(
            period, request.unit_ids, prefill=request.prefill
        )
    else:
        prepared.content = report_content.build_report_content(
            period,
            request.unit_ids,
            history=request.history,
            generated_on=today,
            language=language,
        )
    return prepared


def review_report_content(
    review_id: int, *, today: date | None = None, language: str | None = None
) -> ReportContent:
    """The content of one review's pack, as presented; from ``services.reviews``."""
    if models.Review.get_or_none(models.Review.id == review_id) is None:
        raise UnknownReviewError(N_("There is no review number {id}."), id=review_id)
    try:
        reviews = importlib.import_module("kpidesk.services.reviews")
    except ImportError:
        reviews = None
    review_content = getattr(reviews, "review_content", None)
    adapter = getattr(report_content, "content_from_review", None)
    if review_content is None or adapter is None:
        raise ExportError(N_("Review packs cannot be made yet: reviews are not available."))
    return adapter(review_content(review_id, today=today), today=today, language=language)


# Step 2: write ---------------------------------------------------------------------------


def _checked(progress: Progress, cancelled: CancelFlag) -> Progress:
    def report(done: int, total: int) -> None:
        progress(done, total)
        if cancelled():
            raise Cancelled()

    return report


def check_destination(
    kind: ExportFormat, destination: Path, workspace_path: Path | None = None
) -> None:
    """Refuse, before any work, a destination no export writes: the workspace itself, any
    other workspace, a backup, a folder or a device (for chart images: a folder that is a
    file, or the backups folder). Raises a ``DomainError`` that says why."""
    destination = Path(destination)
    if kind is ExportFormat.CHARTS:
        if destination.exists() and not destination.is_dir():
            raise ExportError(
                N_("{path} is a file; chart images go into a folder."), path=str(destination)
            )
        if in_backups_folder(destination):
            check_output(destination / "chart.png")
        return
    check_output(destination, workspace=workspace_path)


def save_file(
    destination: Path, write: Callable[[Path], object], workspace_path: Path | None = None
) -> Path:
    """Check ``destination`` (as :func:`check_destination` does for one file) and write it
    whole or not at all: for the files the app saves outside an export (a chart image)."""
    check_output(destination, workspace=workspace_path)
    return write_atomically(destination, write)


def write_atomically(destination: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(partial)`` for a temporary file beside ``destination``, check the result
    and rename it into place (see :func:`kpidesk.files.write_atomically`)."""
    try:
        return files.write_atomically(destination, write)
    except files.FileWriteError as error:
        raise ExportError(
            N_("Could not write {path}: {reason}"),
            path=str(destination),
            reason=error.params["reason"],
        ) from error


def write(
    prepared: Prepared,
    *,
    render_pdf: RenderPdf | None = None,
    render_chart: RenderChart | None = None,
    progress: Progress = no_progress,
    cancelled: CancelFlag = never_cancelled,
) -> ExportResult:
    """Make the file ``prepared`` is for. Needs the workspace only for CSV."""
    request = prepared.request
    kind = request.format
    destination = Path(request.destination)
    workspace_path = prepared.workspace.path if prepared.workspace is not None else None
    step = _checked(progress, cancelled)
    if prepared.content is not None:  # text from before 0.2 may hold control characters
        prepared.content = clean_strings(prepared.content)
    if prepared.template is not None:
        prepared.template = clean_strings(prepared.template)
    if kind is ExportFormat.CHARTS:
        return _write_charts(prepared, render_chart, step)
    check_output(destination, workspace=workspace_path)
    if kind is ExportFormat.CSV:
        assert prepared.workspace is not None
        count = export_measurements_csv(
            prepared.workspace, destination, progress=progress, cancelled=cancelled
        )
        return ExportResult(kind, (destination,), count)
    if kind is ExportFormat.TEMPLATE:
        template = prepared.template
        assert template is not None
        write_atomically(
            destination,
            lambda path: write_template(template, path, language=prepared.language, progress=step),
        )
        return ExportResult(kind, (destination,), len(template.rows))
    content = prepared.content
    assert content is not None
    if kind is ExportFormat.PACK:
        write_atomically(
            destination,
            lambda path: write_review_pack(
                content, path, language=prepared.language, progress=step
            ),
        )
        return ExportResult(kind, (destination,), len(content.sections))
    if kind is ExportFormat.PDF:
        if render_pdf is None:
            raise ValueError("a PDF export needs render_pdf")
        pages: list[int] = []

        def draw(path: Path) -> None:
            def counted(done: int, total: int) -> None:
                pages[:] = [total]
                step(done, total)

            render_pdf(content, path, prepared.language, counted)

        write_atomically(destination, draw)
        return ExportResult(kind, (destination,), pages[0] if pages else 0)
    raise ValueError(f"unknown export format {kind}")


def _write_charts(
    prepared: Prepared, render_chart: RenderChart | None, step: Progress
) -> ExportResult:
    """One image per KPI and unit into the destination folder (made if missing)."""
    if render_chart is None:
        raise ValueError("chart images need render_chart")
    content = prepared.content
    assert content is not None
    folder = Path(prepared.request.destination)
    if in_backups_folder(folder):
        check_output(folder / "chart.png")  # says why, in the words of every other refusal
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(
            N_("Could not write {path}: {reason}"),
            path=str(folder),
            reason=files.os_reason(error),
        ) from error
    suffix = prepared.request.image_suffix.lower()
    if suffix not in (".png", ".svg"):
        suffix = ".png"
    jobs = [(section, series) for section in content.sections for series in section.series]
    several = len(content.units) > 1
    written: list[Path] = []
    used: set[str] = set()
    for index, (section, series) in enumerate(jobs):
        name = chart_file_name(section, series, suffix, several)
        stem, number = name[: -len(suffix)], 2
        while name.casefold() in used:
            name = f"{stem} ({number}){suffix}"
            number += 1
        used.add(name.casefold())
        path = folder / name
        workspace_path = prepared.workspace.path if prepared.workspace is not None else None
        check_output(path, workspace=workspace_path)

        def draw(partial: Path, section: KpiSection = section, series: UnitSeries = series):
            render_chart(section, series, partial, prepared.language, content.currency)

        written.append(write_atomically(path, draw))
        step(index + 1, len(jobs))
    return ExportResult(ExportFormat.CHARTS, tuple(written), len(written))


def run_export(
    request: ExportRequest,
    *,
    workspace: Workspace | None = None,
    render_pdf: RenderPdf | None = None,
    render_chart: RenderChart | None = None,
    progress: Progress = no_progress,
    cancelled: CancelFlag = never_cancelled,
    today: date | None = None,
) -> ExportResult:
    """Both steps at once, as the command line does."""
    prepared = prepare(request, workspace=workspace, today=today)
    return write(
        prepared,
        render_pdf=render_pdf,
        render_chart=render_chart,
        progress=progress,
        cancelled=cancelled,
    )


def unit_ids_for(names: Sequence[str] | None) -> tuple[int, ...] | None:
    """The units named on the command line, or None for the default."""
    if not names:
        return None
    return tuple(report_content.unit_ids_by_names(names))
