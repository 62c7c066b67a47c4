"""SIE, the Swedish standard text format for accounting data: reading types 1–4 and 4I.

:func:`read_sie` reads a file into a :class:`SieFile`; :func:`looks_like_sie` tells a SIE
file by its content. See :mod:`kpidesk.io.sie.reader` for what is read and how, and
:mod:`kpidesk.io.sie.figures` for KPI values made from it.
"""

from kpidesk.io.sie.errors import SieError
from kpidesk.io.sie.model import Account, Dimension, FiscalYear, Objects, SieFile
from kpidesk.io.sie.reader import ReadStopped, looks_like_sie, read_sie, read_sie_bytes

__all__ = [
    "Account",
    "Dimension",
    "FiscalYear",
    "Objects",
    "ReadStopped",
    "SieError",
    "SieFile",
    "looks_like_sie",
    "read_sie",
    "read_sie_bytes",
]
