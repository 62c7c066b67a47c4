"""Saving the chart as a PNG image or an SVG drawing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QStandardPaths
from PySide6.QtGui import (
    QColor,
    QPainter,
)

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import _
from kpidesk.ui.charts.chart_style import EXPORT_WIDTH
from kpidesk.ui.charts.plotting import (
    CHART_BACKGROUND,
    load_exporters,
)


class ChartExport:
    """The chart's export (mixed into ``KpiChartWindow``)."""

    def export_dialog(self, kind: str | None = None) -> Path | None:
        """Ask where to save the chart (PNG or SVG) and save it there."""
        if self.data is None:
            return None
        png = _("PNG image (*.png)")
        svg = _("SVG drawing (*.svg)")
        filters = svg if kind == "svg" else png if kind == "png" else f"{png};;{svg}"
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        suffix = ".svg" if kind == "svg" else ".png"
        name = f"{self.data.kpi.code}-{self.data.kind.value}{suffix}"
        start = str(Path(folder) / name) if folder else name
        path, chosen = self.save_dialog(self, _("Export the chart"), start, filters)
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() not in (".png", ".svg"):
            target = target.with_suffix(".svg" if chosen == svg else ".png")
        return self.export(target)

    def export(self, path: str | Path) -> Path | None:
        """Save the chart to ``path``: SVG for ``.svg``, otherwise PNG."""
        exporters = load_exporters()
        target = Path(path)
        self._hide_hover()
        item = self.plot.getPlotItem()

        def write(partial: Path) -> None:
            if target.suffix.lower() == ".svg":
                try:
                    exporters.SVGExporter(item).export(str(partial))
                except (ValueError, IndexError):
                    # pyqtgraph 0.14's SVG exporter cannot read the paths Qt 6.12 writes
                    # ("... Z"); Qt's own SVG generator draws the same scene.
                    self._export_svg_with_qt(partial)
            else:
                exporter = exporters.ImageExporter(item)
                exporter.parameters()["width"] = EXPORT_WIDTH
                exporter.export(str(partial))

        from kpidesk.services.exports import save_file  # openpyxl loads only now

        try:  # whole or not at all, never over a workspace or a backup
            save_file(target, write, self.session.path)
        except DomainError as error:
            self.statusBar().showMessage(error.message)
            return None
        self.statusBar().showMessage(_("Saved the chart as {path}").format(path=target), 8000)
        return target

    def _export_svg_with_qt(self, target: Path) -> None:
        from PySide6.QtSvg import QSvgGenerator

        source = self.plot.getPlotItem().sceneBoundingRect()
        page = QRectF(0, 0, source.width(), source.height())
        generator = QSvgGenerator()
        generator.setFileName(str(target))
        generator.setSize(page.size().toSize())
        generator.setViewBox(page)
        generator.setTitle(self.data.kpi.name if self.data else _("KPI chart"))
        painter = QPainter(generator)
        try:
            painter.fillRect(page, QColor(CHART_BACKGROUND))
            self.plot.scene().render(painter, page, source)
        finally:
            painter.end()
