"""Drawing a KPI's chart: the actual and target curves per unit, and the overlays (threshold
bands, moving average, last year, forecast), the legend and the sentence under the chart."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainterPath

from kpidesk.domain.periods import Period
from kpidesk.domain.status import STATUS_LABELS, Status
from kpidesk.i18n import _
from kpidesk.palette import SYMBOL_COLORS
from kpidesk.services.chart_model import Bands, ChartData, UnitSeries
from kpidesk.ui.charts.chart_style import (
    AVERAGE_LABELS,
    BAND_ZONES,
    LINE_WIDTH,
    MAX_TARGET_LINES,
    OUTLOOK_STATUS,
    THIN_LINE_WIDTH,
    UNIT_COLORS,
    _escape,
)
from kpidesk.ui.charts.plotting import (
    CHART_FOREGROUND,
    axis_label_style,
    extent_item,
    legend_room,
    load_pyqtgraph,
    period_end_x,
    period_start_x,
    period_x,
)


def _numpy() -> Any:
    """numpy, imported with pyqtgraph when a chart is first drawn, not at start-up."""
    import numpy

    return numpy


def _nan_array(values: Iterable[float | None]) -> Any:
    return _numpy().array([math.nan if v is None else v for v in values], dtype=float)


_STEP_XS: dict[tuple[Period, Period, int], Any] = {}


def _step_xs(periods: Sequence[Period]) -> Any:
    """The x of a step line over ``periods``: each period's start and end (read-only).

    Kept by first period, last period and count (the periods are consecutive): hashing
    the whole tuple of periods on every step line cost more than the line."""
    if not periods:
        return _numpy().empty(0)
    key = (periods[0], periods[-1], len(periods))
    xs = _STEP_XS.get(key)
    if xs is None:
        xs = _numpy().empty(2 * len(periods))
        xs[0::2] = [period_start_x(p) for p in periods]
        xs[1::2] = [period_end_x(p) for p in periods]
        xs.flags.writeable = False
        if len(_STEP_XS) >= 8:
            _STEP_XS.clear()
        _STEP_XS[key] = xs
    return xs


def _steps(periods: Sequence[Period], values: Sequence[float | None] | Any) -> tuple[Any, Any]:
    """x and y of a step line that holds each value over its whole period."""
    level = values if hasattr(values, "dtype") else _nan_array(values)
    return _step_xs(periods), _numpy().repeat(level, 2)


def _band_path(xs: Any, lows: Any, highs: Any) -> QPainterPath:
    """The area between two edges over ``xs``: one polygon per run where both are finite.

    Built straight from the arrays: pyqtgraph's FillBetweenItem rebuilt it from both
    edge curves' paths, point by point, each time either edge changed."""
    np = _numpy()
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    finite = np.isfinite(lows) & np.isfinite(highs)
    bounds = np.flatnonzero(np.diff(np.concatenate(([0], finite.astype(np.int8), [0]))))
    for start, stop in zip(bounds[0::2], bounds[1::2], strict=True):
        x = xs[start:stop]
        outline_x = np.concatenate((x, x[::-1]))
        outline_y = np.concatenate((lows[start:stop], highs[start:stop][::-1]))
        path.addPath(load_pyqtgraph().arrayToQPath(outline_x, outline_y))
    return path


def _clear(curve: Any) -> None:
    """Empty and hide a curve (once: an idle curve is not emptied again on every switch)."""
    if curve.isVisible() or (curve.xData is not None and len(curve.xData)):
        curve.setData([], [])
        curve.setVisible(False)


def _zone_edges(
    bands: Sequence[Bands | None], floor: float, ceiling: float
) -> dict[str, tuple[Any, Any] | None]:
    """Each zone's low and high edge per period, within ``floor`` and ``ceiling`` (NaN
    where the zone has no band); None for a zone without any."""
    np = _numpy()
    nan = math.nan
    rows = [
        (b.green_low, b.green_high, b.amber_low, b.amber_high) if b is not None else None
        for b in bands
    ]
    table = np.array(
        [[nan if v is None else v for v in row] if row else [nan] * 4 for row in rows],
        dtype=float,
    ).reshape(-1, 4)
    has = np.array([row is not None for row in rows], dtype=bool)
    green_low, green_high, amber_low, amber_high = table.T
    low_side = ~np.isnan(amber_low) & ~np.isnan(green_low)
    high_side = ~np.isnan(amber_high) & ~np.isnan(green_high)
    zones = {
        "red_low": (np.where(low_side, floor, nan), np.where(low_side, amber_low, nan)),
        "amber_low": (np.where(low_side, amber_low, nan), np.where(low_side, green_low, nan)),
        "green": (
            np.where(has, np.where(np.isnan(green_low), floor, green_low), nan),
            np.where(has, np.where(np.isnan(green_high), ceiling, green_high), nan),
        ),
        "amber_high": (np.where(high_side, green_high, nan), np.where(high_side, amber_high, nan)),
        "red_high": (np.where(high_side, amber_high, nan), np.where(high_side, ceiling, nan)),
    }
    return {
        zone: (np.clip(low, floor, ceiling), np.clip(high, floor, ceiling))
        if not np.isnan(low).all()
        else None
        for zone, (low, high) in zones.items()
    }


class ChartCurves:
    """Puts the chart data on the plot (mixed into ``KpiChartWindow``)."""

    def refresh_drawing(self) -> None:
        if self.data is not None:
            self._draw(self.data)

    def _draw(self, data: ChartData) -> None:
        self._drawing = True
        try:
            self._draw_chart(data)
        finally:
            self._drawing = False

    def _draw_chart(self, data: ChartData) -> None:
        self._hide_hover()
        item = self.plot.getPlotItem()
        periods = data.periods
        self._xs = [period_x(p) for p in periods]
        np = _numpy()
        xs = np.array(self._xs, dtype=float)
        several = len(data.series) > 1
        ranges: list[float] = []

        many = len(data.series) > MAX_TARGET_LINES
        width = THIN_LINE_WIDTH if many else LINE_WIDTH
        symbol = None if many else "o"
        for index, series in enumerate(data.series):
            actual, target = self._unit_slot(index)
            if actual.opts["pen"].widthF() != width:
                actual.setPen(self.pg.mkPen(UNIT_COLORS[index % len(UNIT_COLORS)], width=width))
            if actual.opts["symbol"] != symbol:
                actual.setSymbol(symbol)
            values = series.values
            actual.setData(xs, _nan_array(values))
            actual.setVisible(True)
            targets = series.target_lows
            if index < MAX_TARGET_LINES:
                step_x, step_y = _steps(periods, targets)
                target.setData(step_x, step_y, connect="finite")
                if self._target_several.get(index) is not several:
                    self._target_several[index] = several
                    target.setPen(self._target_pen(index, several=several))
                target.setVisible(True)
            else:
                _clear(target)
            ranges += [v for v in values if v is not None]
            ranges += [v for v in targets if v is not None]
        for index in range(len(data.series), len(self.unit_curves)):
            _clear(self.unit_curves[index])
            _clear(self.target_curves[index])

        primary = data.series[0] if data.series else None
        self._draw_overlays(data, primary, xs, ranges)
        self._band_state = (data, primary)
        self._bands_drawn = False
        self._draw_notes(data)

        spec = data.kpi
        if spec.benchmark is not None:
            self.benchmark_line.setPos(spec.benchmark)
            self.benchmark_line.setVisible(True)
        else:
            self.benchmark_line.setVisible(False)

        units = ", ".join(s.unit_name for s in data.series[:3])
        if len(data.series) > 3:
            units += ", …"
        title = f"{spec.name} · {units}" if units else spec.name
        if (title, data.axis_label) != self._titles:
            self._titles = (title, data.axis_label)
            item.setTitle(title, size="12pt", color=CHART_FOREGROUND)
            item.setLabel("left", data.axis_label, **axis_label_style())
        self._update_legend(data, primary)
        self._update_sentence(data, primary)
        self._update_extents()
        item.enableAutoRange()
        # Settle the range now, not at paint: the bands reach to its edges and are drawn
        # by _view_y_changed if it moves, else here; so once per switch either way.
        item.getViewBox().updateAutoRange()
        if not self._bands_drawn:
            self._draw_bands(data, primary, ranges)

    def _curve_shown_or_hidden(self) -> None:
        """A curve hidden from its legend entry leaves the view's range, as in pyqtgraph."""
        if not self._drawing:
            self._update_extents()

    def _update_extents(self) -> None:
        """Give the view's auto-range the points of every line drawn, as pyqtgraph would
        measure them curve by curve: one stand-in per padding (how many pixels a line draws
        beyond its points), which is exactly what its auto-range makes of them."""
        np = _numpy()
        groups: dict[float, list[tuple[Any, Any]]] = defaultdict(list)
        curves = (
            *self.unit_curves,
            *self.target_curves,
            self.average_curve,
            self.last_year_curve,
            self.forecast_curve,
        )
        for curve in curves:
            if curve.isVisible() and curve.xData is not None and len(curve.xData):
                groups[float(curve.pixelPadding())].append((curve.xData, curve.yData))
        if self._forecast_edges is not None:
            x, lows, highs = self._forecast_edges
            groups[0.0] += [(x, lows), (x, highs)]
        for padding, parts in groups.items():
            extent = self._extents.get(padding)
            if extent is None:
                extent = self._extents[padding] = extent_item(padding)
                self.plot.getPlotItem().addItem(extent)
            extent.set_points(
                np.concatenate([x for x, _y in parts]), np.concatenate([y for _x, y in parts])
            )
            extent.setVisible(True)
        for padding, extent in self._extents.items():
            if padding not in groups and extent.isVisible():
                extent.set_points(np.empty(0), np.empty(0))
                extent.setVisible(False)

    def _draw_overlays(
        self, data: ChartData, primary: UnitSeries | None, xs: Any, ranges: list[float]
    ) -> None:
        show_average = primary is not None and self.average_action.isChecked()
        show_last_year = primary is not None and self.last_year_action.isChecked()
        if primary is not None and show_average:
            self.average_curve.setData(xs, _nan_array(primary.moving_averages))
        else:
            self.average_curve.setData([], [])
        self.average_curve.setVisible(show_average)
        if primary is not None and show_last_year:
            values = primary.last_year
            self.last_year_curve.setData(xs, _nan_array(values))
            ranges += [v for v in values if v is not None]
        else:
            self.last_year_curve.setData([], [])
        self.last_year_curve.setVisible(show_last_year)

        forecast = primary.forecast if primary is not None else None
        if forecast is not None and forecast.points and self.forecast_action.isChecked():
            # From the trend's own value at the last measured period, so the dotted line
            # does not pretend to continue the last value.
            np = _numpy()
            points = [forecast.point_at(forecast.last_period), *forecast.points]
            fx = np.array([period_x(p.period) for p in points])
            lows = np.array([p.low for p in points])
            highs = np.array([p.high for p in points])
            self.forecast_curve.setData(fx, np.array([p.value for p in points]))
            self.forecast_band.setPath(_band_path(fx, lows, highs))
            self._forecast_edges = (fx, lows, highs)
            visible = True
            ranges += [p.low for p in forecast.points] + [p.high for p in forecast.points]
        else:
            self.forecast_curve.setData([], [])
            self._forecast_edges = None
            visible = False
        self.forecast_curve.setVisible(visible)
        self.forecast_band.setVisible(visible)

    def _draw_bands(self, data: ChartData, primary: UnitSeries | None, ranges: list[float]) -> None:
        show = primary is not None and self.bands_action.isChecked()
        if not show or primary is None or not ranges:
            for zone in BAND_ZONES:
                self._set_zone(zone, data.periods, None)
            return
        # The open edges stop at the view's edges (redrawn when the view moves), so that
        # nothing reaches outside the plot in an SVG, where the view does not clip.
        self._band_state = (data, primary)
        self._bands_drawn = True
        bottom, top = min(ranges), max(ranges)
        if data.kpi.benchmark is not None:
            bottom, top = min(bottom, data.kpi.benchmark), max(top, data.kpi.benchmark)
        span = (top - bottom) or abs(top) or 1.0
        floor, ceiling = bottom - 0.1 * span, top + 0.1 * span
        if self._view_y is not None:
            floor, ceiling = self._view_y
        for zone, edges in _zone_edges(primary.bands(), floor, ceiling).items():
            self._set_zone(zone, data.periods, edges)

    def _set_zone(self, zone: str, periods: Sequence[Period], edges: Any) -> None:
        """Fill ``zone`` between its low and high edges (NaN: no fill there); None: none."""
        fill = self.band_fills[zone]
        if edges is None:
            fill.setVisible(False)
            return
        xs, lows = _steps(periods, edges[0])
        fill.setPath(_band_path(xs, lows, _numpy().repeat(edges[1], 2)))
        fill.setVisible(True)

    def _view_y_changed(self, _view: Any, y_range: Sequence[float]) -> None:
        self._view_y = (float(y_range[0]), float(y_range[1]))
        if self._band_state is not None and self.bands_action.isChecked():
            data, primary = self._band_state
            values = [v for v in self._view_y if math.isfinite(v)]
            self._draw_bands(data, primary, values)

    def _update_legend(self, data: ChartData, primary: UnitSeries | None) -> None:
        entries: list[tuple[Any, str]] = []
        several = len(data.series) > 1
        for index, series in enumerate(data.series):
            entries.append((self.unit_curves[index], series.unit_name if several else _("Actual")))
        if data.series:
            if several:
                label = _("Target (dashed)")
                if len(data.series) > MAX_TARGET_LINES:
                    label = _("Target (dashed, first {count} units)").format(count=MAX_TARGET_LINES)
                entries.append((self._legend_sample("target"), label))
            else:
                entries.append((self.target_curves[0], _("Target")))
        suffix = f" – {primary.unit_name}" if several and primary else ""
        if primary is not None:
            if self.average_curve.isVisible():
                entries.append((self.average_curve, _(AVERAGE_LABELS[data.kind]) + suffix))
            if self.last_year_curve.isVisible():
                entries.append((self.last_year_curve, _("Last year") + suffix))
            if self.forecast_curve.isVisible():
                entries.append((self._legend_sample("forecast"), _("Forecast") + suffix))
            if self.bands_action.isChecked() and any(
                target is not None for target in primary.target_pairs
            ):
                for status in (Status.GREEN, Status.AMBER, Status.RED):
                    label = f"{status.symbol} {_(STATUS_LABELS[status])}"
                    entries.append((self._legend_sample(status.value), label))
        if self.benchmark_line.isVisible():
            entries.append(
                (
                    self._legend_sample("benchmark"),
                    _("Benchmark {value}").format(value=data.format(data.kpi.benchmark)),
                )
            )
            self._legend_samples["benchmark"].setPen(self.benchmark_line.pen)
        signature = tuple((id(entry), label) for entry, label in entries)
        if signature != self._legend_signature:
            self._legend_signature = signature
            self.legend.set_entries(entries)
        self._fit_legend()
        self.legend.setVisible(self.legend_action.isChecked())

    def _fit_legend(self) -> None:
        self.legend.fit(legend_room(self.legend.parentItem()))

    def _update_sentence(self, data: ChartData, primary: UnitSeries | None) -> None:
        if primary is None:
            self.sentence.setText(_("Tick a unit to draw its values."))
            return
        if not self.forecast_action.isChecked():
            self.sentence.setText("")
            return
        text = primary.sentence
        if len(data.series) > 1:
            text = f"{primary.unit_name}: {text}"
        outlook = primary.reachability.outlook if primary.reachability else None
        if outlook is None:
            self.sentence.setText(_escape(text))
            return
        status = OUTLOOK_STATUS[outlook]
        self.sentence.setText(
            f"<span style='color:{SYMBOL_COLORS[status]}; font-weight:600'>"
            f"{status.symbol}</span>&nbsp; {_escape(text)}"
        )

    def _legend_toggled(self) -> None:
        self.legend.setVisible(self.legend_action.isChecked())

    def show_everything(self) -> None:
        self.plot.getPlotItem().enableAutoRange()
