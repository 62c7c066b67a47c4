"""KPI Desk: goals, KPIs, follow-up meetings and review packs in one workspace file."""

import sys as _sys

# The one place the version is written: pyproject.toml reads it from here for the wheel's
# metadata, and --version, the About box and the installers' file names show it.
__version__ = "0.1.0"


class _NoPsycopgForPeewee:
    """peewee imports psycopg when it is installed (0.15 s of start-up here), though a
    workspace file never needs it. While peewee itself is being imported, ``import psycopg``
    fails, so peewee starts without it; the PostgreSQL backend
    (:mod:`kpidesk.store.postgres`) imports psycopg when a server is first named and hands
    it to peewee through an adapter of its own."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in ("psycopg", "psycopg2"):
            peewee = _sys.modules.get("peewee")
            spec = getattr(peewee, "__spec__", None)
            if peewee is not None and getattr(spec, "_initializing", False):
                raise ImportError(f"{name} is imported by kpidesk.store.postgres, not by peewee")
        return None


if "peewee" not in _sys.modules:
    _sys.meta_path.insert(0, _NoPsycopgForPeewee())
