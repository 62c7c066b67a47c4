"""The demo workspace: a small Swedish retail chain with three years of believable data.

Everything is generated from a fixed seed, so the same ``until`` month gives the same file
contents every time: trend, seasonality and noise, targets, and a closed review.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from kpidesk.domain.aggregation import Aggregation
from kpidesk.domain.periods import Period, PeriodKind, iter_periods
from kpidesk.domain.status import Direction
from kpidesk.services import demo_strategy, reviews
from kpidesk.services.actions import ActionData
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace

SEED = 20260301
MONTHS = 36


@dataclass(frozen=True)
class DemoKpi:
    code: str
    name_sv: str
    name_en: str
    measure_unit: str
    direction: Direction
    frequency: PeriodKind
    time_aggregation: Aggregation
    unit_aggregation: Aggregation
    indicator: str
    decimals: int
    level: float  # a typical store's value at the start
    trend: float  # change per year, as a fraction of the level
    season: float  # amplitude of the yearly cycle, as a fraction of the level
    noise: float  # standard deviation, as a fraction of the level
    target_gain: float  # how much better than last year the target asks for
    goal: str
    owner: str
    definition_sv: str
    source: str
    unit_label: str = ""
    benchmark: float | None = None
    benchmark_source: str = ""
    peak_month: int = 12


KPIS: tuple[DemoKpi, ...] = (
    DemoKpi(
        "REV",
        "Omsättning",
        "Revenue",
        "currency",
        Direction.HIGHER_IS_BETTER,
        PeriodKind.MONTH,
        Aggregation.SUM,
        Aggregation.SUM,
        "lagging",
        0,
        1_150_000,
        0.06,
        0.22,
        0.05,
        0.05,
        "fin-growth",
        "Karin Ek",
        "Försäljning exkl. moms per månad.",
        "Kassasystemet (Z-rapporter)",
    ),
    DemoKpi(
        "GM",
        "Bruttomarginal",
        "Gross margin",
        "percent",
        Direction.HIGHER_IS_BETTER,
        PeriodKind.MONTH,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "lagging",
        1,
        38.5,
        0.01,
        0.03,
        0.02,
        0.01,
        "fin-margin",
        "Karin Ek",
        "(Omsättning − varukostnad) / omsättning × 100.",
        "Ekonomisystemet",
    ),
    DemoKpi(
        "AOV",
        "Snittköp",
        "Average order value",
        "currency",
        Direction.HIGHER_IS_BETTER,
        PeriodKind.MONTH,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "leading",
        0,
        412,
        0.04,
        0.08,
        0.03,
        0.04,
        "fin-growth",
        "Jonas Berg",
        "Omsättning / antal kvitton.",
        "Kassasystemet",
    ),
    DemoKpi(
        "CSAT",
        "Kundnöjdhet (CSAT)",
        "Customer satisfaction (CSAT)",
        "percent",
        Direction.HIGHER_IS_BETTER,
        PeriodKind.MONTH,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "leading",
        1,
        79.0,
        0.015,
        0.01,
        0.02,
        0.02,
        "cust-satisfaction",
        "Sara Lind",
        "Andel nöjda eller mycket nöjda (4–5 på en femgradig skala) i kassaenkäten.",
        "Kundenkät via kvitto-QR",
        benchmark=80.0,
        benchmark_source="Branschens typiska spann 75–85 % (KPI Desk produktbeskrivning)",
    ),
    DemoKpi(
        "NPS",
        "Rekommendationsvilja (NPS)",
        "Net Promoter Score (NPS)",
        "score",
        Direction.HIGHER_IS_BETTER,
        PeriodKind.MONTH,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "leading",
        0,
        31,
        0.08,
        0.04,
        0.10,
        0.08,
        "cust-satisfaction",
        "Sara Lind",
        "Andel promotorer (9–10) minus andel kritiker (0–6).",
        "Kundenkät via kvitto-QR",
    ),
    DemoKpi(
        "CHURN",
        "Kundavhopp klubbmedlemmar",
        "Member churn",
        "percent",
        Direction.LOWER_IS_BETTER,
        PeriodKind.MONTH,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "lagging",
        2,
        2.4,
        -0.05,
        0.05,
        0.08,
        0.05,
        "cust-loyalty",
        "Sara Lind",
        "Medlemmar som lämnat kundklubben under månaden / medlemmar vid månadens början.",
        "Kundklubbsregistret",
    ),
    DemoKpi(
        "FCR",
        "Lösta vid första kontakt",
        "First-contact resolution",
        "percent",
        Direction.HIGHER_IS_BETTER,
        PeriodKind.MONTH,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "leading",
        1,
        66.0,
        0.03,
        0.02,
        0.03,
        0.03,
        "proc-service",
        "Ali Hassan",
        "Kundärenden lösta utan vidare kontakt / alla kundärenden.",
        "Ärendesystemet",
    ),
    DemoKpi(
        "RESP",
        "Svarstid kundtjänst",
        "Customer service response time",
        "hours",
        Direction.LOWER_IS_BETTER,
        PeriodKind.MONTH,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "leading",
        1,
        9.5,
        -0.08,
        0.10,
        0.08,
        0.10,
        "proc-service",
        "Ali Hassan",
        "Medeltid från inkommet ärende till första svar, i timmar.",
        "Ärendesystemet",
    ),
    DemoKpi(
        "STOCK",
        "Lageromsättningshastighet",
        "Inventory turnover",
        "ratio",
        Direction.HIGHER_IS_BETTER,
        PeriodKind.QUARTER,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "lagging",
        1,
        1.6,
        0.04,
        0.05,
        0.04,
        0.05,
        "proc-efficiency",
        "Jonas Berg",
        "Varukostnad för perioden / genomsnittligt lagervärde.",
        "Ekonomisystemet",
    ),
    DemoKpi(
        "SICK",
        "Sjukfrånvaro",
        "Sick leave",
        "percent",
        Direction.LOWER_IS_BETTER,
        PeriodKind.MONTH,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "lagging",
        1,
        5.2,
        -0.04,
        0.18,
        0.10,
        0.05,
        "people-health",
        "Maria Holm",
        "Sjukfrånvarotimmar / schemalagda timmar × 100.",
        "Lönesystemet",
        peak_month=2,
    ),
    DemoKpi(
        "ENG",
        "Medarbetarengagemang",
        "Employee engagement",
        "score",
        Direction.HIGHER_IS_BETTER,
        PeriodKind.QUARTER,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "leading",
        1,
        3.8,
        0.02,
        0.0,
        0.02,
        0.02,
        "people-health",
        "Maria Holm",
        "Medelvärde på pulsenkätens engagemangsfrågor, skala 1–5.",
        "Pulsenkät",
    ),
    DemoKpi(
        "ENERGY",
        "Energianvändning",
        "Energy use",
        "other",
        Direction.LOWER_IS_BETTER,
        PeriodKind.MONTH,
        Aggregation.SUM,
        Aggregation.SUM,
        "lagging",
        0,
        14_800,
        -0.05,
        0.25,
        0.04,
        0.06,
        "esg-energy",
        "Erik Sund",
        "Köpt el och värme i butiken, kWh.",
        "Elbolagets portal",
        unit_label="kWh",
        peak_month=1,
    ),
    DemoKpi(
        "NEWREV",
        "Andel intäkter från nya produkter",
        "Share of revenue from new products",
        "percent",
        Direction.HIGHER_IS_BETTER,
        PeriodKind.QUARTER,
        Aggregation.AVERAGE,
        Aggregation.AVERAGE,
        "leading",
        1,
        8.0,
        0.15,
        0.0,
        0.06,
        0.10,
        "growth-innovation",
        "Jonas Berg",
        "Omsättning från produkter lanserade de senaste 12 månaderna / total omsättning.",
        "Kassasystemet, artikelregister",
    ),
)

# The demo is written in one language: the English of every Swedish text above and below.
ENGLISH = {
    # KPI definitions and data sources
    "Försäljning exkl. moms per månad.": "Sales excluding VAT per month.",
    "Kassasystemet (Z-rapporter)": "Point of sale system (Z reports)",
    "(Omsättning − varukostnad) / omsättning × 100.": "(Revenue − cost of goods) / revenue × 100.",
    "Ekonomisystemet": "Accounting system",
    "Omsättning / antal kvitton.": "Revenue / number of receipts.",
    "Kassasystemet": "Point of sale system",
    "Andel nöjda eller mycket nöjda (4–5 på en femgradig skala) i kassaenkäten.": (
        "Share satisfied or very satisfied (4–5 on a five-point scale) in the checkout survey."
    ),
    "Kundenkät via kvitto-QR": "Customer survey by receipt QR code",
    "Branschens typiska spann 75–85 % (KPI Desk produktbeskrivning)": (
        "The industry's typical range 75–85% (KPI Desk product brief)"
    ),
    "Andel promotorer (9–10) minus andel kritiker (0–6).": (
        "Share of promoters (9–10) minus share of detractors (0–6)."
    ),
    "Medlemmar som lämnat kundklubben under månaden / medlemmar vid månadens början.": (
        "Members who left the customer club in the month / members at the start of the month."
    ),
    "Kundklubbsregistret": "Customer club register",
    "Kundärenden lösta utan vidare kontakt / alla kundärenden.": (
        "Customer cases solved without further contact / all customer cases."
    ),
    "Ärendesystemet": "Case system",
    "Medeltid från inkommet ärende till första svar, i timmar.": (
        "Mean time from a case coming in to the first answer, in hours."
    ),
    "Varukostnad för perioden / genomsnittligt lagervärde.": (
        "Cost of goods for the period / average inventory value."
    ),
    "Sjukfrånvarotimmar / schemalagda timmar × 100.": (
        "Hours of sick leave / scheduled hours × 100."
    ),
    "Lönesystemet": "Payroll system",
    "Medelvärde på pulsenkätens engagemangsfrågor, skala 1–5.": (
        "Mean of the pulse survey's engagement questions, scale 1–5."
    ),
    "Pulsenkät": "Pulse survey",
    "Köpt el och värme i butiken, kWh.": "Electricity and heating bought for the store, kWh.",
    "Elbolagets portal": "The utility's portal",
    "Omsättning från produkter lanserade de senaste 12 månaderna / total omsättning.": (
        "Revenue from products launched in the last 12 months / total revenue."
    ),
    "Kassasystemet, artikelregister": "Point of sale system, product register",
    # goals
    "Norrlands mest omtyckta hembutik – lönsam och hållbar": (
        "Norrland's best-loved home store – profitable and sustainable"
    ),
    "Öka omsättningen med 5 % per år": "Grow revenue by 5% a year",
    "Bruttomarginal över 39 %": "Gross margin above 39%",
    "Kunder som kommer tillbaka": "Customers who come back",
    "Färre som lämnar kundklubben": "Fewer leaving the customer club",
    "Snabb och träffsäker kundservice": "Fast and accurate customer service",
    "Rätt varor i lager": "The right goods in stock",
    "Friska och engagerade medarbetare": "Healthy and engaged staff",
    "Förnya sortimentet varje säsong": "Renew the range every season",
    "Minska energianvändningen med 15 % till 2027": "Cut energy use by 15% by 2027",
    # units
    "Butik Umeå": "Umeå store",
    "Butik Luleå": "Luleå store",
    "Butik Sundsvall": "Sundsvall store",
    "E-handel": "Online shop",
    # comments on values
    "Renovering av entrén, stängt fyra dagar.": "Entrance renovated, closed for four days.",
    "Influensavåg i personalgruppen.": "A wave of flu among the staff.",
    # the review
    "Månadsuppföljning {period}": "Monthly review {period}",
    "Svarstiden steg när två i kundtjänst slutade; rekrytering pågår.": (
        "Response time rose when two people left customer service; recruiting is under way."
    ),
    "Avhoppen ökar i Luleå efter att medlemsrabatten sänktes.": (
        "More members leave in Luleå since the member discount was cut."
    ),
    "Tillfällig förstärkning i kundtjänst till årsskiftet.": (
        "Extra staff in customer service until the new year."
    ),
    "Återinför medlemsrabatten i Luleå som försök under ett kvartal.": (
        "Bring back the member discount in Luleå as a trial for a quarter."
    ),
    "Anlita två timanställda till kundtjänsten": "Hire two hourly staff for customer service",
    "Mät svarstid per kanal (mejl, chatt, telefon)": (
        "Measure response time per channel (email, chat, phone)"
    ),
    "Följ upp medlemsrabatten i Luleå": "Follow up the member discount in Luleå",
    "Byt till LED-belysning i Sundsvall": "Change to LED lighting in Sundsvall",
}


def _in(language: str, text: str) -> str:
    """``text`` (written in Swedish) in the demo's language."""
    return ENGLISH[text] if language == "en" else text


GOALS = (
    # key, parent, perspective, title (sv), owner
    (
        "vision",
        None,
        "financial",
        "Norrlands mest omtyckta hembutik – lönsam och hållbar",
        "Karin Ek",
    ),
    ("fin-growth", "vision", "financial", "Öka omsättningen med 5 % per år", "Karin Ek"),
    ("fin-margin", "vision", "financial", "Bruttomarginal över 39 %", "Karin Ek"),
    ("cust-satisfaction", "vision", "customer", "Kunder som kommer tillbaka", "Sara Lind"),
    ("cust-loyalty", "cust-satisfaction", "customer", "Färre som lämnar kundklubben", "Sara Lind"),
    (
        "proc-service",
        "vision",
        "internal_process",
        "Snabb och träffsäker kundservice",
        "Ali Hassan",
    ),
    ("proc-efficiency", "vision", "internal_process", "Rätt varor i lager", "Jonas Berg"),
    (
        "people-health",
        "vision",
        "learning_growth",
        "Friska och engagerade medarbetare",
        "Maria Holm",
    ),
    (
        "growth-innovation",
        "vision",
        "learning_growth",
        "Förnya sortimentet varje säsong",
        "Jonas Berg",
    ),
    (
        "esg-energy",
        "vision",
        "sustainability",
        "Minska energianvändningen med 15 % till 2027",
        "Erik Sund",
    ),
)

STORES = (("Butik Umeå", 1.0), ("Butik Luleå", 0.82), ("Butik Sundsvall", 0.91), ("E-handel", 0.64))


def default_until(today: date | None = None) -> Period:
    """The last complete month before ``today``."""
    today = today or date.today()
    return Period.of(today, PeriodKind.MONTH).previous()


def _series_value(
    kpi: DemoKpi,
    store_factor: float,
    store_index: int,
    period: Period,
    first: Period,
    rng: random.Random,
) -> float:
    years = (period.start - first.start).days / 365.25
    month = period.start.month + (1 if period.kind is PeriodKind.QUARTER else 0)
    seasonal = math.cos(2 * math.pi * (month - kpi.peak_month) / 12)
    scale_with_size = kpi.code in ("REV", "ENERGY")
    level = kpi.level * (store_factor if scale_with_size else 1.0)
    if not scale_with_size:
        level *= 1 + (store_factor - 0.85) * 0.08 * (1 if kpi.direction != "lower" else -1)
    if kpi.code in ("REV",) and period.kind is PeriodKind.QUARTER:
        level *= 3
    value = level * (1 + kpi.trend * years) * (1 + kpi.season * seasonal)
    value *= 1 + rng.gauss(0, kpi.noise)
    if kpi.code == "ENERGY" and store_index == 3:
        value *= 0.35  # a warehouse office uses less than a shop floor
    return round(value, max(kpi.decimals, 0) + (2 if kpi.measure_unit != "currency" else 0))


def build_demo(path: Path | str, *, until: Period | None = None, language: str = "sv") -> Path:
    """Write the demo workspace to ``path`` (which must not exist) and close it."""
    until = until or default_until()
    rng = random.Random(SEED)
    workspace = Workspace.create(
        Path(path), "Solbacka Hem AB", language=language, root_unit="Solbacka Hem AB"
    )
    try:
        # The demo's content is where its history starts: not a change to log row by row.
        with workspace.atomic(), workspace.unlogged():
            _fill(workspace, until, rng, language)
        workspace.checkpoint()
    finally:
        workspace.close()
    return Path(path)


def _fill(workspace: Workspace, until: Period, rng: random.Random, language: str) -> None:
    root = models.Unit.get(models.Unit.parent.is_null())
    stores = [
        models.Unit.create(name=_in(language, name), parent=root, sort_order=index)
        for index, (name, _factor) in enumerate(STORES)
    ]
    goals: dict[str, models.Goal] = {}
    first_month = until.shift(-(MONTHS - 1))
    start = first_month.start
    due = date(until.year + 1, 12, 31)
    for order, (key, parent, perspective, title, owner) in enumerate(GOALS):
        goals[key] = models.Goal.create(
            parent=goals.get(parent) if parent else None,
            title=_in(language, title),
            description="",
            perspective=perspective,
            owner=owner,
            start_date=start,
            due_date=due,
            status="active",
            sort_order=order,
            smart_specific=key != "vision",
            smart_measurable=key != "vision",
            smart_accepted=True,
            smart_realistic=key not in ("vision", "esg-energy"),
            smart_time_bound=key != "vision",
        )

    english = language == "en"
    kpis: dict[str, models.Kpi] = {}
    for order, spec in enumerate(KPIS):
        kpi = models.Kpi.create(
            code=spec.code,
            name=spec.name_en if english else spec.name_sv,
            description="",
            definition=_in(language, spec.definition_sv),
            data_source=_in(language, spec.source),
            owner=spec.owner,
            measure_unit=spec.measure_unit,
            unit_label=spec.unit_label,
            decimals=spec.decimals,
            direction=spec.direction.value,
            frequency=spec.frequency.value,
            time_aggregation=spec.time_aggregation.value,
            unit_aggregation=spec.unit_aggregation.value,
            indicator_type=spec.indicator,
            benchmark_value=spec.benchmark,
            benchmark_source=_in(language, spec.benchmark_source) if spec.benchmark_source else "",
            sort_order=order,
        )
        models.KpiGoal.create(kpi=kpi, goal=goals[spec.goal])
        kpis[spec.code] = kpi

    rows: list[queries.MeasurementRow] = []
    actuals: dict[tuple[str, int, str], float] = {}
    for spec in KPIS:
        kpi = kpis[spec.code]
        if spec.frequency is PeriodKind.QUARTER:
            first = first_month.to(PeriodKind.QUARTER)
            last = until.to(PeriodKind.QUARTER)
            if Period.of(last.end, PeriodKind.MONTH) > until:
                last = last.previous()
            periods = list(
                iter_periods(first, (last.year - first.year) * 4 + last.number - first.number + 1)
            )
        else:
            periods = list(iter_periods(first_month, MONTHS))
        for store_index, (store, (_name, factor)) in enumerate(zip(stores, STORES, strict=True)):
            if spec.code == "STOCK" and store_index == 3:
                factor *= 1.4
            for period in periods:
                value = _series_value(spec, factor, store_index, period, first_month, rng)
                value = round(
                    value * _story(spec.code, store_index, period, until), _value_decimals(spec)
                )
                actuals[(spec.code, store.id, period.key)] = value
                rows.append((kpi.id, store.id, period.key, value, "", "demo", None))
        _targets(spec, kpi, stores, periods, actuals)
    _comment(
        rows,
        kpis["REV"].id,
        stores[0].id,
        until.shift(-1).key,
        _in(language, "Renovering av entrén, stängt fyra dagar."),
    )
    _comment(
        rows,
        kpis["SICK"].id,
        stores[1].id,
        Period.month(until.year, 2).key if Period.month(until.year, 2) <= until else until.key,
        _in(language, "Influensavåg i personalgruppen."),
    )
    queries.insert_measurements(rows)

    models.TargetPath.create(
        kpi=kpis["ENERGY"],
        unit=None,
        baseline_period=first_month.key,
        baseline_value=round(
            sum(v for (c, _u, p), v in actuals.items() if c == "ENERGY" and p == first_month.key)
        ),
        goal_period=Period.month(until.year + 1, 12).key,
        goal_value=round(
            0.85
            * sum(v for (c, _u, p), v in actuals.items() if c == "ENERGY" and p == first_month.key)
        ),
    )
    review_id = _review(workspace, until, stores, kpis, goals, language)
    demo_strategy.add_strategy(workspace, until, stores, kpis, goals, review_id, language)


def _story(code: str, store_index: int, period: Period, until: Period) -> float:
    """What happened lately, so the demo has KPIs off track worth a meeting.

    Customer service lost two people (response time up, first-contact resolution down),
    Luleå cut its member discount (churn up), and Sundsvall's old lighting shows.
    """
    if period.kind is not PeriodKind.MONTH:
        return 1.0
    months_back = (until.year - period.year) * 12 + until.number - period.number
    if code == "RESP" and months_back < 5:
        return 1.3
    if code == "FCR" and months_back < 4:
        return 0.9
    if code == "CHURN" and store_index == 1 and months_back < 6:
        return 1.45
    if code == "ENERGY" and store_index == 2 and months_back < 4:
        return 1.15
    return 1.0


def _value_decimals(spec: DemoKpi) -> int:
    return 0 if spec.measure_unit == "currency" else spec.decimals + 2


def _round_target(target: float) -> float:
    """Targets as people set them: three significant digits."""
    if target == 0:
        return 0.0
    return round(target, 2 - math.floor(math.log10(abs(target))))


def _comment(
    rows: list[queries.MeasurementRow], kpi_id: int, unit_id: int, period: str, text: str
) -> None:
    for index, row in enumerate(rows):
        if row[0] == kpi_id and row[1] == unit_id and row[2] == period:
            rows[index] = (*row[:4], text, *row[5:])
            return


def _targets(
    spec: DemoKpi,
    kpi: models.Kpi,
    stores: list[models.Unit],
    periods: list[Period],
    actuals: dict[tuple[str, int, str], float],
) -> None:
    """Each store's target: last year's value improved by the KPI's target gain."""
    sign = 1 if spec.direction is Direction.HIGHER_IS_BETTER else -1
    by_year: dict[int, list[float]] = {}
    for period in periods:
        values = [actuals[(spec.code, store.id, period.key)] for store in stores]
        by_year.setdefault(period.year, []).extend(values)
    for store in stores:
        for period in periods:
            last_year = period.same_period_last_year()
            base = actuals.get((spec.code, store.id, last_year.key))
            if base is None:
                base = actuals[(spec.code, store.id, period.key)] * (1 - sign * 0.02)
            target = base * (1 + sign * spec.target_gain)
            models.Target.create(
                kpi=kpi, unit=store, period=period.key, value=_round_target(target)
            )


def _review(
    workspace: Workspace,
    until: Period,
    stores: list[models.Unit],
    kpis: dict[str, models.Kpi],
    goals: dict[str, models.Goal],
    language: str = "sv",
) -> int:
    """Last month's review, held and closed through the review service like any other.

    Its four actions were all open when it closed; since then one was done and one started.
    """
    period = until.shift(-1)
    held = period.end + timedelta(days=9)
    opened = datetime.combine(held, time(9, 0))
    review_id = reviews.start_review(
        workspace,
        period,
        [store.id for store in stores],
        _in(language, "Månadsuppföljning {period}").format(period=period.key),
        participants="Karin Ek, Sara Lind, Ali Hassan, Maria Holm, Jonas Berg",
        held_on=held,
        now=opened,
    )
    reviews.set_comment(
        workspace,
        review_id,
        kpis["RESP"].id,
        _in(language, "Svarstiden steg när två i kundtjänst slutade; rekrytering pågår."),
        "Ali Hassan",
    )
    reviews.set_comment(
        workspace,
        review_id,
        kpis["CHURN"].id,
        _in(language, "Avhoppen ökar i Luleå efter att medlemsrabatten sänktes."),
        "Sara Lind",
    )
    reviews.add_decision(
        workspace,
        review_id,
        reviews.DecisionData(
            _in(language, "Tillfällig förstärkning i kundtjänst till årsskiftet."),
            decided_on=held,
            decided_by="Karin Ek",
            kpi_id=kpis["RESP"].id,
        ),
    )
    reviews.add_decision(
        workspace,
        review_id,
        reviews.DecisionData(
            _in(language, "Återinför medlemsrabatten i Luleå som försök under ett kvartal."),
            decided_on=held,
            decided_by="Karin Ek",
            kpi_id=kpis["CHURN"].id,
            goal_id=goals["cust-loyalty"].id,
        ),
    )
    actions = [
        ("Anlita två timanställda till kundtjänsten", "Ali Hassan", 14, "RESP", None),
        ("Mät svarstid per kanal (mejl, chatt, telefon)", "Ali Hassan", 45, "RESP", None),
        ("Följ upp medlemsrabatten i Luleå", "Sara Lind", 20, "CHURN", "cust-loyalty"),
        ("Byt till LED-belysning i Sundsvall", "Erik Sund", -20, "ENERGY", "esg-energy"),
    ]
    action_ids = [
        reviews.add_action(
            workspace,
            review_id,
            ActionData(
                _in(language, title),
                owner=owner,
                due_date=held + timedelta(days=days),
                kpi_id=kpis[code].id,
                goal_id=goals[goal].id if goal else None,
            ),
            now=opened,
        )
        for title, owner, days, code, goal in actions
    ]
    reviews.close_review(workspace, review_id, now=opened + timedelta(hours=2), today=held)
    reviews.set_action_status(
        workspace, action_ids[0], "done", now=datetime.combine(held + timedelta(days=12), time(15))
    )
    reviews.set_action_status(workspace, action_ids[1], "in_progress")
    return review_id
