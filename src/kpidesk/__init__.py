"""KPI Desk: goals, KPIs, follow-up meetings and review packs in one workspace file."""

# The one place the version is written: pyproject.toml reads it from here for the wheel's
# metadata, and --version, the About box and the installers' file names show it.
__version__ = "0.1.0"
