"""The pages of the main window, in navigation order.

Each page is named here without importing it: the main window builds a page (and imports its
module) only when it is first shown, so start-up pays for the first page alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from kpidesk.i18n import N_, _

if TYPE_CHECKING:
    from kpidesk.ui.pages.base import Page


@dataclass(frozen=True, slots=True)
class PageSpec:
    """A page as the navigation and the View menu show it, and where its class lives."""

    key: str
    icon_name: str
    label: str
    class_path: str
    """``module:ClassName``."""

    def title(self) -> str:
        return _(self.label)

    def page_class(self) -> type[Page]:
        """The page's class; imports its module the first time."""
        module, name = self.class_path.split(":")
        return getattr(import_module(module), name)  # type: ignore[no-any-return]


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "scorecard",
        "layout-dashboard",
        N_("Scorecard"),
        "kpidesk.ui.pages.scorecard:ScorecardPage",
    ),
    PageSpec("goals", "target", N_("Goals"), "kpidesk.ui.pages.goals:GoalsPage"),
    PageSpec("kpis", "gauge", N_("KPIs"), "kpidesk.ui.pages.kpis:KpisPage"),
    PageSpec("data", "table", N_("Data"), "kpidesk.ui.pages.data:DataPage"),
    PageSpec("reviews", "presentation", N_("Reviews"), "kpidesk.ui.pages.reviews:ReviewsPage"),
    PageSpec("actions", "list-checks", N_("Actions"), "kpidesk.ui.pages.actions:ActionsPage"),
    PageSpec("reporting", "calendar", N_("Reporting"), "kpidesk.ui.pages.reporting:ReportingPage"),
)
