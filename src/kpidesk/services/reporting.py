"""The reporting round: for a period, one pre-filled data template per KPI owner, each named
for its owner and due date; a returned template recognised on import (its stamp: round,
owner, period) marks the owner's KPIs delivered; the state per owner (due, delivered,
missing, late); and reminders as ``mailto:`` drafts and ``.ics`` events.

The app and ``kpidesk collect`` share it. Nothing needs a server or a mail account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period, PeriodKind, format_day, format_period
from kpidesk.i18n import N_, gettext_for
from kpidesk.io.calendar import CalendarEvent, ics_text, mailto_url
from kpidesk.io.errors import Message
from kpidesk.io.round_stamp import RoundStamp, read_stamp
from kpidesk.io.template import write_template
from kpidesk.io.xlsx_safety import safe_file_name
from kpidesk.services.exports import workspace_language, write_atomically
from kpidesk.services.report_content import build_template_spec, leaf_unit_ids, template_periods
from kpidesk.store import models
from kpidesk.store.models import Kpi, Measurement, ReportingDelivery, ReportingRound, utcnow
from kpidesk.store.workspace import Workspace


class RoundError(DomainError):
    """A round that cannot be started (no owners, a folder that cannot be written)."""


@dataclass(frozen=True, slots=True)
class RoundFile:
    owner: str
    path: Path
    kpi_count: int


@dataclass(frozen=True, slots=True)
class StartedRound:
    round_id: int
    name: str
    files: tuple[RoundFile, ...]
    without_owner: tuple[str, ...] = ()
    """KPIs left out of the round because nobody owns them."""


@dataclass(frozen=True, slots=True)
class OwnerState:
    """One owner in a round: how many KPIs are due, delivered, missing, and whether late."""

    owner: str
    due: int
    delivered: int
    delivered_late: int
    missing_kpis: tuple[str, ...]
    file_name: str
    last_delivery: datetime | None = None

    @property
    def missing(self) -> int:
        return len(self.missing_kpis)

    @property
    def done(self) -> bool:
        return not self.missing_kpis


@dataclass(frozen=True, slots=True)
class RoundState:
    round_id: int
    name: str
    period: Period
    due_date: date
    owners: tuple[OwnerState, ...] = field(default=())

    def late(self, today: date) -> bool:
        return today > self.due_date

    @property
    def missing(self) -> int:
        return sum(owner.missing for owner in self.owners)

    @property
    def due(self) -> int:
        return sum(owner.due for owner in self.owners)


@dataclass(frozen=True, slots=True)
class Reminder:
    owner: str
    subject: str
    body: str
    mailto: str
    ics: str
    attachment: Path | None


def _language() -> str:
    return workspace_language()


def owners_and_kpis() -> tuple[dict[str, list[Kpi]], list[str]]:
    """The KPIs whose values are typed (not calculated, not archived) by owner, and the
    names of those nobody owns."""
    owners: dict[str, list[Kpi]] = defaultdict(list)
    nobody: list[str] = []
    for kpi in Kpi.select().order_by(Kpi.sort_order, Kpi.code):
        if kpi.archived_at is not None or kpi.formula.strip():
            continue
        owner = kpi.owner.strip()
        if owner:
            owners[owner].append(kpi)
        else:
            nobody.append(kpi.name)
    return dict(sorted(owners.items(), key=lambda item: item[0].casefold())), nobody


def round_name(period: Period, language: str) -> str:
    _ = gettext_for(language)
    return _("Figures for {period}").format(period=format_period(period, language))


def template_file_name(workspace_name: str, owner: str, period: Period, language: str) -> str:
    _ = gettext_for(language)
    return safe_file_name(f"{workspace_name} {_('figures')} {period.key} {owner}", ".xlsx")


def start_round(
    workspace: Workspace,
    period: Period,
    due_date: date,
    folder: Path,
    *,
    language: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> StartedRound:
    """Record a round for ``period`` due ``due_date`` and write one template per KPI owner
    into ``folder``. The round is stored only if every template was written."""
    language = language or _language()
    folder = Path(folder)
    if not folder.is_dir():
        raise RoundError(N_("The folder {path} does not exist."), path=str(folder))
    with workspace.bound():
        owners, nobody = owners_and_kpis()
        if not owners:
            raise RoundError(
                N_("No KPI has an owner: give each KPI an owner on the KPIs page first.")
            )
        settings = models.WorkspaceSettings.get()
        name = round_name(period, language)
        written: list[RoundFile] = []
        try:
            with workspace.atomic():
                round_ = ReportingRound.create(name=name, period=period.key, due_date=due_date)
                units = leaf_unit_ids()
                for number, (owner, kpis) in enumerate(owners.items()):
                    file_name = template_file_name(settings.name, owner, period, language)
                    for kpi in kpis:
                        ReportingDelivery.create(
                            round=round_, owner=owner, kpi=kpi, file_name=file_name
                        )
                    spec = build_template_spec(
                        period, units, kpi_ids=[kpi.id for kpi in kpis], prefill=True
                    )
                    stamp = RoundStamp(round_.uid, name, owner, period.key, due_date)
                    path = folder / file_name
                    stamped = replace(spec, stamp=stamp)
                    write_atomically(
                        path,
                        lambda partial, spec=stamped: write_template(
                            spec, partial, language=language
                        ),
                    )
                    written.append(RoundFile(owner, path, len(kpis)))
                    if progress is not None:
                        progress(number + 1, len(owners))
        except DomainError:
            for each in written:
                each.path.unlink(missing_ok=True)
            raise
        return StartedRound(int(round_.id), name, tuple(written), tuple(nobody))


# returned templates -------------------------------------------------------------------------


def note_returned_template(path: Path, file_name: str) -> Message | None:
    """Called inside an import's transaction: if ``path`` is a round's template, mark its
    owner's KPIs that now have values for the round's period delivered. Returns a note
    saying so, or None for any other file."""
    stamp = read_stamp(path)
    if stamp is None:
        return None
    round_ = ReportingRound.get_or_none(ReportingRound.uid == stamp.round_uid)
    if round_ is None:
        return Message.of(
            N_(
                "This is {owner}'s template for {period}, from a round this workspace does not "
                "know; its values were read as any others."
            ),
            owner=stamp.owner,
            period=format_period(Period.from_key(stamp.period_key)),
        )
    deliveries = list(
        ReportingDelivery.select().where(
            (ReportingDelivery.round == round_) & (ReportingDelivery.owner == stamp.owner)
        )
    )
    period = Period.from_key(round_.period)
    units = leaf_unit_ids()
    now = utcnow()
    delivered = 0
    for delivery in deliveries:
        kpi = delivery.kpi
        keys = [p.key for p in template_periods(period, PeriodKind(kpi.frequency))]
        has_values = (
            Measurement.select()
            .where(
                (Measurement.kpi == kpi)
                & Measurement.period.in_(keys)
                & Measurement.unit.in_(units)
            )
            .exists()
        )
        if has_values:
            delivered += 1
            if delivery.delivered_at is None:
                delivery.delivered_at = now
            delivery.save()
    return Message.of(
        N_("Recognised {owner}'s figures for {period}: {delivered} of {due} KPIs delivered."),
        owner=stamp.owner,
        period=format_period(period),
        delivered=delivered,
        due=len(deliveries),
    )


# the state of a round -----------------------------------------------------------------------


def rounds() -> list[tuple[int, str, str, date]]:
    """Every round, newest first: (id, name, period key, due date)."""
    return [
        (row.id, row.name, row.period, row.due_date)
        for row in ReportingRound.select().order_by(ReportingRound.id.desc())
    ]


def latest_round_id() -> int | None:
    row = ReportingRound.select(ReportingRound.id).order_by(ReportingRound.id.desc()).first()
    return int(row.id) if row else None


def round_state(round_id: int) -> RoundState:
    round_ = ReportingRound.get_by_id(round_id)
    period = Period.from_key(round_.period)
    by_owner: dict[str, list[ReportingDelivery]] = defaultdict(list)
    query = (
        ReportingDelivery.select(ReportingDelivery, Kpi)
        .join(Kpi)
        .where(ReportingDelivery.round == round_)
        .order_by(Kpi.sort_order, Kpi.code)
    )
    for delivery in query:
        by_owner[delivery.owner].append(delivery)
    owners = []
    for owner in sorted(by_owner, key=str.casefold):
        rows = by_owner[owner]
        done = [row for row in rows if row.delivered_at is not None]
        late = [row for row in done if row.delivered_at.date() > round_.due_date]
        owners.append(
            OwnerState(
                owner=owner,
                due=len(rows),
                delivered=len(done),
                delivered_late=len(late),
                missing_kpis=tuple(row.kpi.name for row in rows if row.delivered_at is None),
                file_name=rows[0].file_name,
                last_delivery=max((row.delivered_at for row in done), default=None),
            )
        )
    return RoundState(round_.id, round_.name, period, round_.due_date, tuple(owners))


def figures_missing() -> tuple[int, RoundState | None]:
    """How many KPIs the newest round still waits for (0 and None without a round)."""
    round_id = latest_round_id()
    if round_id is None:
        return 0, None
    state = round_state(round_id)
    return state.missing, state


# reminders ----------------------------------------------------------------------------------


def reminder(
    round_id: int, owner: str, *, folder: Path | None = None, language: str | None = None
) -> Reminder:
    """A reminder to ``owner``: a mail draft naming the template's file and the KPIs still
    missing, and a calendar event on the due date. The mail goes to the owner if the owner is
    written as an address, else the address is left for the sender to fill in."""
    language = language or _language()
    _ = gettext_for(language)
    state = round_state(round_id)
    mine = next((each for each in state.owners if each.owner == owner), None)
    if mine is None:
        raise RoundError(N_("{owner} has no KPIs in this round."), owner=owner)
    period = format_period(state.period, language)
    due = format_day(state.due_date, language)
    subject = _("Figures for {period}, due {due}").format(period=period, due=due)
    missing = "\n".join(f"- {name}" for name in mine.missing_kpis)
    body = _(
        "Hello {owner},\n\nplease fill in your figures for {period} in the attached template "
        "“{file}” and send it back by {due}.\n\nStill missing:\n{missing}\n\nThank you!"
    ).format(owner=owner, period=period, file=mine.file_name, due=due, missing=missing)
    address = owner if "@" in owner else ""
    round_ = ReportingRound.get_by_id(round_id)
    event = CalendarEvent(
        uid=f"{round_.uid}-{owner.encode('utf-8').hex()}@kpidesk",
        day=state.due_date,
        summary=_("{owner}: figures for {period} due").format(owner=owner, period=period),
        description=_("Send the filled-in template “{file}” back.").format(file=mine.file_name),
    )
    attachment = folder / mine.file_name if folder is not None else None
    return Reminder(
        owner=owner,
        subject=subject,
        body=body,
        mailto=mailto_url(address, subject, body),
        ics=ics_text([event]),
        attachment=attachment if attachment is not None and attachment.exists() else None,
    )


def xdg_email_command(reminder: Reminder) -> list[str] | None:
    """The ``xdg-email`` command that opens the draft with the template attached, or None
    where there is no ``xdg-email`` (then the ``mailto:`` draft is used, without it)."""
    import shutil

    program = shutil.which("xdg-email")
    if program is None:
        return None
    command = [program, "--utf8", "--subject", reminder.subject, "--body", reminder.body]
    if reminder.attachment is not None:
        command += ["--attach", str(reminder.attachment)]
    if "@" in reminder.owner:
        command.append(reminder.owner)
    return command
