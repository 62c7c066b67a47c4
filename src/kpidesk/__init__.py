"""KPI Desk: goals, KPIs, follow-up meetings and review packs in one workspace file."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata when first asked for: importing
    ``importlib.metadata`` costs 70 ms, which the reader process and the command line need
    not pay."""
    if name != "__version__":
        raise AttributeError(f"module 'kpidesk' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("kpidesk")
    except PackageNotFoundError:  # a source tree or a frozen bundle without metadata
        found = "0.1.0"
    globals()["__version__"] = found
    return found
