"""Turning a sheet's rows into records by a layout (runs in the reader process).

Records leave in compact chunks: label tables that only grow (KPIs, units, periods,
comments) plus arrays of row numbers, column numbers, table indexes, values and flags.
:class:`ChunkDecoder` (in the app's process) turns them back into
:class:`~kpidesk.io.extract.RawRecord` tuples. Chunks are ~50,000 records, so the app can
store one while the reader works on the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kpidesk.io._extract_common import (
    Batch,
    _rows,
)
from kpidesk.io._extract_layouts import LayoutRuns
from kpidesk.io.layout import (
    LayoutKind,
)


class Extractor(LayoutRuns):
    """Reads the rows of one sheet by ``layout`` and hands out chunks and problems."""

    def run(self, batches: Iterator[Batch], progress: Callable[[int], None]) -> None:
        """Extract from ``batches`` of consecutive rows: ``(first row, [cells, …])``."""
        kind = self.layout.kind
        if kind is LayoutKind.LONG:
            self._run_long(batches, progress)
        elif kind is LayoutKind.WIDE:
            self._run_wide(_rows(batches), progress)
        else:
            self._run_across(_rows(batches), progress)
        self._settle_dates()
        self.flush()
        self._finish_notes()

    # layouts ----------------------------------------------------------------------------
