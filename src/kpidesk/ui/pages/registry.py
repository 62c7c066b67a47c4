"""The pages of the main window, in navigation order."""

from __future__ import annotations

from kpidesk.ui.pages.actions import ActionsPage
from kpidesk.ui.pages.base import Page
from kpidesk.ui.pages.data import DataPage
from kpidesk.ui.pages.goals import GoalsPage
from kpidesk.ui.pages.kpis import KpisPage
from kpidesk.ui.pages.reviews import ReviewsPage
from kpidesk.ui.pages.scorecard import ScorecardPage

PAGE_CLASSES: tuple[type[Page], ...] = (
    ScorecardPage,
    GoalsPage,
    KpisPage,
    DataPage,
    ReviewsPage,
    ActionsPage,
)
