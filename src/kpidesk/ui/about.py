"""Help → About: the version, and the libraries KPI Desk stands on with their licences."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from kpidesk import __version__
from kpidesk.i18n import _

DEPENDENCIES = (
    ("PySide6-Essentials", "Qt for Python", "LGPL-3.0"),
    ("pyqtgraph", "pyqtgraph", "MIT"),
    ("peewee", "peewee", "MIT"),
    ("openpyxl", "openpyxl", "MIT"),
    ("python-calamine", "python-calamine", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
)


def _installed(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"


def about_html() -> str:
    rows = "".join(
        f"<tr><td>{name}</td><td>{_installed(dist)}</td><td>{licence}</td></tr>"
        for dist, name, licence in DEPENDENCIES
    )
    rows += f"<tr><td>Qt</td><td>{qVersion()}</td><td>LGPL-3.0</td></tr>"
    rows += f"<tr><td>Python</td><td>{platform.python_version()}</td><td>PSF</td></tr>"
    rows += "<tr><td>Lucide icons</td><td>1.62</td><td>ISC</td></tr>"
    return (
        f"<h2>KPI Desk {__version__}</h2>"
        f"<p>{_('Goals, KPIs, follow-up meetings and review packs for small businesses.')}</p>"
        f"<p><b>{_('Built with')}</b></p>"
        f"<table cellspacing='6'><tr><th align='left'>{_('Library')}</th>"
        f"<th align='left'>{_('Version')}</th><th align='left'>{_('Licence')}</th></tr>"
        f"{rows}</table>"
    )


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, _("About KPI Desk"), about_html())
