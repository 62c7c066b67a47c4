"""Reading a file before it is imported: its sheets, and one sheet's labels and records."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from pathlib import Path

from kpidesk.domain.errors import DomainError
from kpidesk.io.cells import column_index, column_letter
from kpidesk.io.errors import ReadCancelled, SpreadsheetError
from kpidesk.io.extract import (
    RawRecord,
    read_records,
)
from kpidesk.io.layout import Layout, LayoutKind
from kpidesk.io.workbook import SheetPreview, WorkbookPreview, open_preview
from kpidesk.services.import_mapping import (
    LabelStats,
    decimals_of,
    kpi_key,
    unit_key,
)
from kpidesk.services.importing.model import (
    KEEP_RECORDS,
    SAMPLE_RECORDS,
    ScanResult,
)
from kpidesk.services.kpi_inference import looks_like_currency_text
from kpidesk.services.progress import CancelFlag, Cancelled, Progress


def currency_cells_of(sheet: SheetPreview) -> frozenset[tuple[int, str]]:
    """The cells of a previewed sheet that show a currency, by their number format or their
    text (``1 234 kr``), as (row number, column letter)."""
    found = {(row + 1, column_letter(column)) for row, column in sheet.currency_cells}
    for row, texts in enumerate(sheet.rows):
        for column, text in enumerate(texts):
            if text and looks_like_currency_text(text):
                found.add((row + 1, column_letter(column)))
    return frozenset(found)


def preview_file(
    path: str | os.PathLike[str],
    *,
    year: int | None = None,
    layout: LayoutKind | str | None = None,
) -> WorkbookPreview:
    """Sheets, their first rows and the layout found on each (see ``io.workbook``)."""
    return open_preview(path, default_year=year, layout=layout)


def scan_file(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    layout: Layout | LayoutKind | str | None = None,
    year: int | None = None,
    progress: Progress | None = None,
    cancelled: CancelFlag | None = None,
    keep: int = KEEP_RECORDS,
    currency_cells: Collection[tuple[int, str]] = (),
) -> ScanResult:
    """Read one sheet and gather its labels (no workspace needed).

    ``currency_cells`` are the cells (row number, column letter) known to show a currency
    (see :func:`currency_cells_of`); they count as evidence of a currency KPI.

    Raises :class:`~kpidesk.io.errors.SpreadsheetError` for a file that cannot be read and
    :class:`Cancelled` when ``cancelled()`` turned True.
    """
    kpis: dict[str, LabelStats] = {}
    units_: dict[str, LabelStats] = {}
    kept: list[RawRecord] | None = []
    sample: list[RawRecord] = []
    seen = 0
    currency = set(currency_cells)

    def on_chunk(records: list[RawRecord]) -> None:
        nonlocal kept, seen
        seen += len(records)
        if len(sample) < SAMPLE_RECORDS:
            sample.extend(records[: SAMPLE_RECORDS - len(sample)])
        if kept is not None:
            if len(kept) + len(records) > keep:
                kept = None
            else:
                kept.extend(records)
        last_kpi: str | None = None
        stats: LabelStats | None = None
        last_unit: object = object()
        unit_stats: LabelStats | None = None
        for record in records:
            if record.kpi is not last_kpi or stats is None:
                last_kpi = record.kpi
                key = kpi_key(record.kpi)
                stats = kpis.get(key)
                if stats is None:
                    stats = kpis[key] = LabelStats(
                        record.kpi, key, row=record.row, column=record.column
                    )
            stats.count += 1
            stats.kinds[record.period.kind] += 1
            if record.text_percent or record.format_percent:
                stats.percent_cells += 1
            elif currency and (record.row, record.column) in currency:
                stats.currency_cells += 1
            if stats.count <= 500:
                value = record.value * 100 if record.format_percent else record.value
                stats.decimals = max(stats.decimals, decimals_of(value))
            if record.unit is not None:
                if record.unit is not last_unit or unit_stats is None:
                    last_unit = record.unit
                    key = unit_key(record.unit)
                    unit_stats = units_.get(key)
                    if unit_stats is None:
                        unit_stats = units_[key] = LabelStats(
                            record.unit, key, row=record.row, column=record.column
                        )
                unit_stats.count += 1
                unit_stats.kinds[record.period.kind] += 1

    try:
        extraction = read_records(
            path,
            sheet=sheet,
            layout=layout,
            default_year=year,
            on_chunk=on_chunk,
            progress=progress,
            cancelled=cancelled,
        )
    except ReadCancelled as error:
        raise Cancelled() from error
    return ScanResult(
        Path(path),
        extraction,
        tuple(kpis.values()),
        tuple(units_.values()),
        tuple(sample),
        tuple(kept) if kept is not None else None,
        year,
    )


def error_text(error: BaseException) -> str:
    """One line for an error an import raised."""
    if isinstance(error, SpreadsheetError | DomainError):
        return error.message
    return str(error)


def sorted_labels(labels: Iterable[LabelStats]) -> list[LabelStats]:
    """Labels in the order the sheet shows them first."""
    return sorted(labels, key=lambda s: (s.row, column_index(s.column) if s.column else 0))
