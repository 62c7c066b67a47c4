"""The one build step pyproject.toml cannot declare: the translations compiled to ``.mo``.

Everything else is in pyproject.toml. The ``.po`` catalogues are the sources (in git and in
the sdist); the ``.mo`` files are never committed. A wheel gets them compiled into its build
folder, so a wheel built from a checkout or from the sdist speaks Swedish; an editable
install (``pip install -e .``, which ``make venv`` does) compiles them beside their sources,
where the checkout's KPI Desk reads them. Babel is a build requirement (pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path("src", "kpidesk", "resources", "locale")


def compile_catalogues(source: Path, target: Path) -> list[Path]:
    """Every ``<lang>/LC_MESSAGES/<domain>.po`` under ``source`` as ``.mo`` under ``target``.

    Fuzzy entries are kept, as ``pybabel compile --use-fuzzy`` in the Makefile keeps them.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        relative = po.relative_to(source)
        with po.open("rb") as stream:
            catalogue = read_po(
                stream, locale=relative.parts[0], domain=po.stem, abort_invalid=True
            )
        mo = target / relative.with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as stream:
            write_mo(stream, catalogue, use_fuzzy=True)
        written.append(mo)
    return written


class BuildWithCatalogues(build_py):
    """``build_py`` that also compiles the catalogues (into the wheel, or in place)."""

    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        if self.editable_mode:
            compile_catalogues(root / LOCALE, root / LOCALE)
        else:
            compile_catalogues(root / LOCALE, Path(self.build_lib, *LOCALE.parts[1:]))


setup(cmdclass={"build_py": BuildWithCatalogues})
