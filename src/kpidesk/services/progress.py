"""Long work takes a ``progress(done, total)`` callback and a ``cancelled()`` flag.

A thin Qt worker turns these into signals; the command line prints or ignores them.
"""

from __future__ import annotations

from collections.abc import Callable

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_

Progress = Callable[[int, int], None]
CancelFlag = Callable[[], bool]


def no_progress(_done: int, _total: int) -> None:
    return None


def never_cancelled() -> bool:
    return False


class Cancelled(DomainError):
    exit_code = 130

    def __init__(self) -> None:
        super().__init__(N_("Cancelled; nothing was changed."))
