"""The one translation system: GNU gettext catalogues, usable from every layer.

Lower layers (domain, store, io, services) mark their messages with ``_`` and never import
Qt; the UI uses the same ``_`` and loads Qt's own ``qtbase_*.qm`` only for Qt's dialogs.
Catalogues live in ``src/kpidesk/resources/locale/<lang>/LC_MESSAGES/kpidesk.po``; the build
(setup.py) and ``make`` compile them.
"""

from __future__ import annotations

import gettext as _gettext
import locale as _locale
import os
from collections.abc import Callable
from functools import cache

from kpidesk.paths import locale_dir

DOMAIN = "kpidesk"
LANGUAGES = ("en", "sv")
DEFAULT_LANGUAGE = "en"

_current_language = DEFAULT_LANGUAGE
_current: _gettext.NullTranslations = _gettext.NullTranslations()


@cache
def translations_for(language: str) -> _gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(
        DOMAIN, localedir=str(locale_dir()), languages=[language], fallback=True
    )


def normalise_language(value: str | None) -> str | None:
    """``sv_SE.UTF-8`` → ``sv``; None for a language KPI Desk does not ship."""
    if not value:
        return None
    code = value.replace("-", "_").split("_")[0].split(".")[0].lower()
    return code if code in LANGUAGES else None


def system_language() -> str:
    """The language of the user's environment, as gettext would choose it."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            for candidate in value.split(":"):
                language = normalise_language(candidate)
                if language:
                    return language
            return DEFAULT_LANGUAGE
    try:
        language = normalise_language(_locale.getlocale()[0])
    except ValueError:
        language = None
    return language or DEFAULT_LANGUAGE


def set_language(language: str | None) -> str:
    """Switch every later message to ``language`` (None: follow the system). Returns it."""
    global _current, _current_language
    chosen = normalise_language(language) or system_language()
    _current_language = chosen
    _current = translations_for(chosen)
    return chosen


def current_language() -> str:
    return _current_language


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _current.pgettext(context, message)


def gettext_for(language: str | None) -> Callable[[str], str]:
    """A ``_`` bound to one language, for output that must not follow the UI language."""
    if language is None:
        return _
    return translations_for(normalise_language(language) or DEFAULT_LANGUAGE).gettext


def ngettext_for(language: str | None) -> Callable[[str, str, int], str]:
    if language is None:
        return ngettext
    return translations_for(normalise_language(language) or DEFAULT_LANGUAGE).ngettext


def pgettext_for(language: str | None) -> Callable[[str, str], str]:
    if language is None:
        return pgettext
    return translations_for(normalise_language(language) or DEFAULT_LANGUAGE).pgettext


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message
