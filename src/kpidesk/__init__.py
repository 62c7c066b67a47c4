"""KPI Desk: goals, KPIs, follow-up meetings and review packs in one workspace file."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kpidesk")
except PackageNotFoundError:  # running from a source tree or a frozen bundle without metadata
    __version__ = "0.1.0"
