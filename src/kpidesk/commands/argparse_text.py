"""argparse's own messages, through KPI Desk's catalogue, so a usage error reads wholly in
the user's language (``--lang sv``).

argparse marks its messages for gettext and looks its ``_`` and ``ngettext`` up when it
formats one; :func:`install` points them at KPI Desk's catalogue. The messages are listed
here so that ``make translations`` extracts them.
"""

from __future__ import annotations

import argparse

from kpidesk import i18n
from kpidesk.i18n import N_, ngettext

MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("%(prog)s: error: %(message)s\n"),
)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.ngettext(singular, plural, n)


def _plural_messages() -> None:  # pragma: no cover - read by pybabel only
    ngettext("expected %s argument", "expected %s arguments", 2)


def install() -> None:
    """Let argparse's messages follow :func:`kpidesk.i18n.set_language`."""
    argparse._ = i18n._  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]
