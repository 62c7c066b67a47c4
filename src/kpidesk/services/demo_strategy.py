"""The demo's strategy: its vision and mission, "what works" tips from its review, and the
initiatives (with milestones) carrying three of its goals. Written in Swedish, or English."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from kpidesk.domain.periods import Period
from kpidesk.services import initiatives, tips
from kpidesk.services.initiatives import InitiativeData, MilestoneData
from kpidesk.services.strategy import Statement, set_statement
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

ENGLISH = {
    "Norrlands mest omtyckta hembutik – lönsam och hållbar": (
        "Norrland's best-loved home store – profitable and sustainable"
    ),
    "Vi gör det enkelt att skapa ett trivsamt hem – i butik och på nätet, med personlig "
    "service.": "We make it easy to create a pleasant home – in store and online, with "
    "personal service.",
    "Ring medlemmar som inte handlat på tre månader och bjud in till en personlig visning.": (
        "Call members who have not shopped for three months and invite them to a personal showing."
    ),
    "Chattmallar för de tio vanligaste frågorna.": "Chat templates for the ten most common "
    "questions.",
    "Svaren kom snabbare, men bara i chatten.": "Faster answers, but only in the chat.",
    "Släck skyltfönstret efter stängning.": "Switch off the shop window after closing time.",
    "Ny kundtjänstplattform": "New customer service platform",
    "Upphandling klar": "Procurement done",
    "Chatt i drift": "Chat live",
    "Alla kanaler i samma kö": "All channels in one queue",
    "LED-belysning i alla butiker": "LED lighting in every store",
    "Sundsvall klar": "Sundsvall done",
    "Luleå klar": "Luleå done",
    "Umeå klar": "Umeå done",
    "Medlemsrabatten i Luleå – försök": "The member discount in Luleå – a trial",
    "Rabatten åter i kassan": "Discount back at the till",
    "Utvärdering efter ett kvartal": "Evaluation after a quarter",
}


def _in(language: str, text: str) -> str:
    return ENGLISH[text] if language == "en" else text


def add_strategy(
    workspace: Workspace,
    until: Period,
    stores: list[models.Unit],
    kpis: dict[str, models.Kpi],
    goals: dict[str, models.Goal],
    review_id: int,
    language: str = "sv",
) -> None:
    """Vision, mission, tips and initiatives for the demo whose last month is ``until``."""
    held = until.shift(-1).end + timedelta(days=9)
    set_statement(
        workspace,
        Statement(
            _in(language, "Norrlands mest omtyckta hembutik – lönsam och hållbar"),
            _in(
                language,
                "Vi gör det enkelt att skapa ett trivsamt hem – i butik och på nätet, med "
                "personlig service.",
            ),
        ),
    )
    umea, _lulea, _sundsvall, online = stores
    written = datetime.combine(held, time(10, 30))
    for kpi, unit, text, author, tried, result in (
        (
            "CHURN",
            umea,
            "Ring medlemmar som inte handlat på tre månader och bjud in till en personlig visning.",
            "Sara Lind",
            None,
            "",
        ),
        (
            "RESP",
            online,
            "Chattmallar för de tio vanligaste frågorna.",
            "Ali Hassan",
            held + timedelta(days=14),
            "Svaren kom snabbare, men bara i chatten.",
        ),
        ("ENERGY", umea, "Släck skyltfönstret efter stängning.", "Erik Sund", None, ""),
    ):
        tips.add_tip(
            workspace,
            kpis[kpi].id,
            tips.TipData(
                _in(language, text),
                author,
                unit.id,
                tried,
                _in(language, result) if result else "",
            ),
            review_id=review_id,
            now=written,
        )
    start = until.shift(-3).start
    end_of = until.end
    plans = (
        (
            "proc-service",
            "Ny kundtjänstplattform",
            "Ali Hassan",
            start,
            end_of + timedelta(days=120),
            "active",
            (
                ("Upphandling klar", start + timedelta(days=40), True),
                ("Chatt i drift", end_of, False),
                ("Alla kanaler i samma kö", end_of + timedelta(days=100), False),
            ),
        ),
        (
            "esg-energy",
            "LED-belysning i alla butiker",
            "Erik Sund",
            start,
            end_of + timedelta(days=200),
            "active",
            (
                ("Umeå klar", start + timedelta(days=60), True),
                ("Sundsvall klar", end_of - timedelta(days=10), False),
                ("Luleå klar", end_of + timedelta(days=25), False),
            ),
        ),
        (
            "cust-loyalty",
            "Medlemsrabatten i Luleå – försök",
            "Sara Lind",
            held,
            held + timedelta(days=92),
            "active",
            (
                ("Rabatten åter i kassan", held + timedelta(days=7), True),
                ("Utvärdering efter ett kvartal", held + timedelta(days=92), False),
            ),
        ),
    )
    made: dict[str, int] = {}
    for goal, title, owner, begins, ends, status, milestones in plans:
        made[goal] = initiatives.create_initiative(
            workspace,
            goals[goal].id,
            InitiativeData(
                _in(language, title),
                owner,
                begins,
                ends,
                status,
                tuple(MilestoneData(_in(language, t), d, done) for t, d, done in milestones),
            ),
        )
    with workspace.atomic():
        for action in models.Action.select().where(models.Action.review == review_id):
            if action.goal_id == goals["esg-energy"].id:
                initiatives.set_action_initiative(workspace, action.id, made["esg-energy"])
            elif action.goal_id == goals["cust-loyalty"].id:
                initiatives.set_action_initiative(workspace, action.id, made["cust-loyalty"])
