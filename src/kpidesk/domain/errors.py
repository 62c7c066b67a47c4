"""Errors the domain raises: a message template (a gettext msgid) and the values for it.

The template is translated when the error is shown, so the same error reads in the user's
language in the app and on the command line, and code can still inspect ``params``.
"""

from __future__ import annotations

from typing import Any

from kpidesk.i18n import _


class DomainError(ValueError):
    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template)
        self.template = template
        self.params = params

    @property
    def message(self) -> str:
        return _(self.template).format(**self.params)

    def __str__(self) -> str:
        return self.message


class Words(str):
    """A part of a message (a msgid) translated when the message is shown, not when it is
    made, so an error made before the language changes still reads in the new one."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(_(str(self)), spec)
