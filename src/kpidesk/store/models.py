"""The workspace's tables, one peewee model per concept of the product brief.

``database`` is a proxy resolved at every use: to the workspace bound in the current context
(``with workspace.bound():``, and inside ``workspace.atomic()``), else to the process's
default workspace (the one opened last, as the app and the command line use it). So two
workspaces can be open at once, each read inside its own binding; a context variable, not a
global, holds the binding, so threads and tasks do not see each other's. Enumerated fields
store the domain enums' values (``"higher"``, ``"month"``, …); periods are stored as their
keys (``2026-03``, ``2026-Q1``, ``2026-W12``, ``2026``), which sort in time within one kind.

Every row of every table carries ``uid`` (a random 128-bit identity, 32 lowercase hex
digits, that never changes and travels with the row into copies and onto a server) and
``row_version`` (1 when written, one more at each update: every update made through a model
adds it, and the store's own statements do too).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import peewee
from peewee import (
    BooleanField,
    Check,
    DatabaseProxy,
    DateField,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    Model,
)

from kpidesk.domain.text import clean_text

_bound: ContextVar[peewee.Database | None] = ContextVar("kpidesk_database", default=None)


class WorkspaceDatabase(DatabaseProxy):
    """The models' database: the one bound in this context, else the process default."""

    __slots__ = ("_default",)

    def __init__(self) -> None:
        object.__setattr__(self, "_callbacks", [])
        object.__setattr__(self, "_default", None)

    @property
    def obj(self) -> peewee.Database | None:  # type: ignore[override]
        bound = _bound.get()
        return bound if bound is not None else self._default

    @property
    def default(self) -> peewee.Database | None:
        return self._default

    def initialize(self, obj: peewee.Database | None) -> None:
        """Make ``obj`` the process default (None: no default)."""
        object.__setattr__(self, "_default", obj)
        for callback in self._callbacks:
            callback(obj)

    @contextlib.contextmanager
    def bound_to(self, obj: peewee.Database) -> Iterator[None]:
        """Resolve to ``obj`` in this context until the block ends."""
        token = _bound.set(obj)
        try:
            yield
        finally:
            _bound.reset(token)


database = WorkspaceDatabase()


def new_uid() -> str:
    return uuid.uuid4().hex


class UidField(peewee.Field):
    """A row's identity: 32 lowercase hex digits in Python, its 16 bytes in a file (a BLOB:
    half the size of the digits, and a million-row import spends 0.35 s less making them),
    ``uuid`` on a server (which reads the digits as they are)."""

    field_type = "UID"

    def db_value(self, value: object) -> object:
        if value is None:
            return None
        text = uid_text(value)
        backend = getattr(database.obj, "backend", None)
        return bytes.fromhex(text) if getattr(backend, "kind", "") == "sqlite" else text

    def python_value(self, value: object) -> object:
        return None if value is None else uid_text(value)


def uid_text(value: object) -> str:
    """A ``uid`` as Python holds it (32 lowercase hex digits), from any form a backend gives."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value).replace("-", "").lower()


class DateTimeField(peewee.DateTimeField):
    """A UTC time without a time zone in Python, as it is stored in a file; a server stores
    ``timestamptz`` (its sessions run in UTC) and gives back an aware time, made naive here."""

    def python_value(self, value: object) -> object:
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value


class CharField(peewee.CharField):
    """A one-line text: stored without control characters, unpaired surrogates or bidi
    overrides, whichever way it came (see :mod:`kpidesk.domain.text`)."""

    def db_value(self, value: object) -> object:
        if isinstance(value, str):
            value = clean_text(value)
        return super().db_value(value)


class TextField(peewee.TextField):
    """A multi-line text (comments, descriptions): tabs and line breaks stay."""

    def db_value(self, value: object) -> object:
        if isinstance(value, str):
            value = clean_text(value, multiline=True)
        return super().db_value(value)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class _Table(Model):
    class Meta:
        database = database
        legacy_table_names = False


class BaseModel(_Table):
    uid = UidField(default=new_uid)
    row_version = IntegerField(default=1)

    @classmethod
    def update(cls, __data: Any = None, **update: Any) -> peewee.ModelUpdate:
        """An update that adds one to ``row_version`` of every row it changes."""
        data = cls._normalize_data(__data, update)
        if isinstance(data, dict):
            data[cls.row_version] = cls.row_version + 1
        return peewee.ModelUpdate(cls, data)

    def save(self, force_insert: bool = False, only: Any = None) -> int | bool:
        updating = self._pk is not None and not force_insert
        rows = super().save(force_insert=force_insert, only=only)
        if updating and rows:
            self.__data__["row_version"] = int(self.__data__.get("row_version") or 0) + 1
        return rows


class WorkspaceSettings(BaseModel):
    """One row: the organisation this workspace belongs to."""

    name = CharField()
    currency = CharField(default="SEK")
    fiscal_year_start_month = IntegerField(
        default=1, constraints=[Check("fiscal_year_start_month BETWEEN 1 AND 12")]
    )
    language = CharField(default="sv")
    created_at = DateTimeField(default=utcnow)
    # schema 7: the strategy's words and the rhythm of follow-up
    vision = TextField(default="")
    mission = TextField(default="")
    review_rhythm = CharField(default="quarterly")
    """``monthly``, ``quarterly`` or ``dates`` (the dates in ``review_dates``)."""
    review_dates = TextField(default="")
    """ISO dates separated by spaces, for the rhythm ``dates``."""
    next_review_on = DateField(null=True)


class Unit(BaseModel):
    """An organisational unit (company, region, store, team) in a tree."""

    name = CharField()
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    code = CharField(null=True)
    sort_order = IntegerField(default=0)

    class Meta:
        indexes = ((("parent", "name"), True),)


class Goal(BaseModel):
    """A goal in the tree vision → strategic goal → sub-goal."""

    parent = ForeignKeyField("self", null=True, backref="children", on_delete="SET NULL")
    title = CharField()
    description = TextField(default="")
    perspective = CharField(default="financial")
    owner = CharField(default="")
    start_date = DateField(null=True)
    due_date = DateField(null=True)
    status = CharField(default="active")
    sort_order = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    # The SMART checklist (schema 2): specific, measurable, accepted, realistic, time-bound.
    smart_specific = BooleanField(default=False)
    smart_measurable = BooleanField(default=False)
    smart_accepted = BooleanField(default=False)
    smart_realistic = BooleanField(default=False)
    smart_time_bound = BooleanField(default=False)


class Kpi(BaseModel):
    code = CharField(unique=True)
    name = CharField()
    description = TextField(default="")
    definition = TextField(default="")
    data_source = TextField(default="")
    owner = CharField(default="")
    measure_unit = CharField(default="count")
    unit_label = CharField(default="")
    decimals = IntegerField(default=0, constraints=[Check("decimals BETWEEN 0 AND 6")])
    direction = CharField(default="higher")
    frequency = CharField(default="month")
    time_aggregation = CharField(default="sum")
    unit_aggregation = CharField(default="sum")
    indicator_type = CharField(default="lagging")
    threshold_mode = CharField(default="percent")
    amber_margin = DoubleField(default=10.0)
    benchmark_value = DoubleField(null=True)
    benchmark_source = TextField(default="")
    formula = TextField(default="")
    sort_order = IntegerField(default=0)
    archived_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class KpiGoal(BaseModel):
    kpi = ForeignKeyField(Kpi, backref="goal_links", on_delete="CASCADE")
    goal = ForeignKeyField(Goal, backref="kpi_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("kpi", "goal"), True),)


class Target(BaseModel):
    """A target value for one period; for a band KPI ``value``..``value_high``.

    ``unit`` is null for a target that holds for every unit.
    """

    kpi = ForeignKeyField(Kpi, backref="targets", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, null=True, backref="targets", on_delete="CASCADE")
    period = CharField()
    value = DoubleField()
    value_high = DoubleField(null=True)

    class Meta:
        indexes = ((("kpi", "unit", "period"), True),)


class TargetPath(BaseModel):
    """A straight path from a baseline to a goal value at a date."""

    kpi = ForeignKeyField(Kpi, backref="target_paths", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, null=True, backref="target_paths", on_delete="CASCADE")
    baseline_period = CharField()
    baseline_value = DoubleField()
    goal_period = CharField()
    goal_value = DoubleField()


class ImportProfile(BaseModel):
    """A saved mapping from a spreadsheet layout to KPIs, units and periods."""

    name = CharField(unique=True)
    signature = CharField(index=True)
    mapping = TextField()
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)


class ImportBatch(BaseModel):
    file_name = CharField()
    sheet = CharField(default="")
    profile = ForeignKeyField(ImportProfile, null=True, on_delete="SET NULL")
    row_count = IntegerField(default=0)
    imported_at = DateTimeField(default=utcnow)
    undone_at = DateTimeField(null=True)
    # schema 4
    imported_into = CharField(default="actuals")
    skipped_count = IntegerField(default=0)
    replaced_count = IntegerField(default=0)


class ImportChange(BaseModel):
    """One thing an import changed, kept so that it can be undone (schema 4).

    ``kind`` is ``measurement`` (a value it replaced: ``value``, ``comment``, ``source``,
    ``old_batch_id``, ``entered_at`` as they were), ``target`` (a target it wrote:
    ``value``/``value_high`` before, null if none, and ``new_value``), ``kpi`` or ``unit``
    (one it created), ``kpi_alias`` or ``unit_alias`` (an alias it added; ``value`` the id the
    alias named before, if any). KPI and unit ids are plain integers, not foreign keys: undo
    skips what has been deleted since.
    """

    batch = ForeignKeyField(ImportBatch, backref="changes", on_delete="CASCADE")
    kind = CharField()
    kpi_id = IntegerField(null=True)
    unit_id = IntegerField(null=True)
    period = CharField(null=True)
    value = DoubleField(null=True)
    value_high = DoubleField(null=True)
    new_value = DoubleField(null=True)
    comment = TextField(null=True)
    source = CharField(null=True)
    old_batch_id = IntegerField(null=True)
    entered_at = DateTimeField(null=True)
    alias = CharField(null=True)


class Measurement(BaseModel):
    """One value of one KPI for one unit and one period."""

    kpi = ForeignKeyField(Kpi, backref="measurements", on_delete="CASCADE", index=False)
    unit = ForeignKeyField(Unit, backref="measurements", on_delete="RESTRICT", index=False)
    period = CharField()
    value = DoubleField()
    comment = TextField(default="")
    source = CharField(default="typed")
    batch = ForeignKeyField(
        ImportBatch, null=True, backref="measurements", on_delete="SET NULL", index=False
    )
    entered_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("kpi", "unit", "period"), True),)


class KpiAlias(BaseModel):
    """Another name a spreadsheet uses for a KPI, remembered from an import."""

    alias = CharField(unique=True)
    kpi = ForeignKeyField(Kpi, backref="aliases", on_delete="CASCADE")


class UnitAlias(BaseModel):
    alias = CharField(unique=True)
    unit = ForeignKeyField(Unit, backref="aliases", on_delete="CASCADE")


class Initiative(BaseModel):
    """A project that carries a goal forward, with milestones (schema 7)."""

    goal = ForeignKeyField(Goal, backref="initiatives", on_delete="CASCADE")
    title = CharField()
    owner = CharField(default="")
    start_date = DateField(null=True)
    end_date = DateField(null=True)
    status = CharField(default="planned")
    """``planned``, ``active``, ``done`` or ``stopped``."""
    created_at = DateTimeField(default=utcnow)


class Milestone(BaseModel):
    initiative = ForeignKeyField(Initiative, backref="milestones", on_delete="CASCADE")
    title = CharField()
    due_date = DateField(null=True)
    done = BooleanField(default=False)
    sort_order = IntegerField(default=0)


class Review(BaseModel):
    """A follow-up meeting for a period. A closed review keeps ``snapshot`` as presented."""

    title = CharField()
    period = CharField()
    held_on = DateField(null=True)
    participants = TextField(default="")
    status = CharField(default="open", constraints=[Check("status IN ('open', 'closed')")])
    snapshot = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    closed_at = DateTimeField(null=True)


class ReviewUnit(BaseModel):
    review = ForeignKeyField(Review, backref="unit_links", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, backref="review_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("review", "unit"), True),)


class ReviewEvent(BaseModel):
    """The trace a review leaves: opened, closed, reopened (with who and why)."""

    review = ForeignKeyField(Review, backref="events", on_delete="CASCADE")
    event = CharField()
    note = TextField(default="")
    at = DateTimeField(default=utcnow)


class ReviewComment(BaseModel):
    review = ForeignKeyField(Review, backref="comments", on_delete="CASCADE")
    kpi = ForeignKeyField(Kpi, null=True, backref="review_comments", on_delete="SET NULL")
    text = TextField()
    author = CharField(default="")
    created_at = DateTimeField(default=utcnow)


class Decision(BaseModel):
    review = ForeignKeyField(Review, backref="decisions", on_delete="CASCADE")
    kpi = ForeignKeyField(Kpi, null=True, backref="decisions", on_delete="SET NULL")
    goal = ForeignKeyField(Goal, null=True, backref="decisions", on_delete="SET NULL")
    text = TextField()
    decided_on = DateField(null=True)
    decided_by = CharField(default="")


class Action(BaseModel):
    title = CharField()
    description = TextField(default="")
    owner = CharField(default="")
    due_date = DateField(null=True)
    status = CharField(
        default="open",
        constraints=[Check("status IN ('open', 'in_progress', 'done', 'cancelled')")],
    )
    kpi = ForeignKeyField(Kpi, null=True, backref="actions", on_delete="SET NULL")
    goal = ForeignKeyField(Goal, null=True, backref="actions", on_delete="SET NULL")
    review = ForeignKeyField(Review, null=True, backref="actions", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    completed_at = DateTimeField(null=True)
    initiative = ForeignKeyField(
        Initiative, null=True, backref="actions", on_delete="SET NULL", index=False
    )  # schema 7


class ChartNote(BaseModel):
    """A note pinned to one point of a KPI's chart."""

    kpi = ForeignKeyField(Kpi, backref="chart_notes", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, null=True, on_delete="CASCADE")
    period = CharField()
    text = TextField()
    created_at = DateTimeField(default=utcnow)


class ReportingRound(BaseModel):
    """A round of collecting figures for a period: one template per KPI owner (schema 7)."""

    name = CharField()
    period = CharField()
    due_date = DateField()
    created_at = DateTimeField(default=utcnow)


class ReportingDelivery(BaseModel):
    """One owner's KPI in a round; ``delivered_at`` set when the returned template is read."""

    round = ForeignKeyField(ReportingRound, backref="deliveries", on_delete="CASCADE")
    owner = CharField()
    kpi = ForeignKeyField(Kpi, backref="deliveries", on_delete="CASCADE")
    file_name = CharField(default="")
    delivered_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("round", "owner", "kpi"), True),)


class Tip(BaseModel):
    """A "what works" note for a KPI (and a unit): who wrote it, when, and if tried, how it
    went (schema 7)."""

    kpi = ForeignKeyField(Kpi, backref="tips", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, null=True, backref="tips", on_delete="CASCADE")
    review = ForeignKeyField(Review, null=True, backref="tips", on_delete="SET NULL")
    text = TextField()
    author = CharField(default="")
    created_at = DateTimeField(default=utcnow)
    tried_on = DateField(null=True)
    result = TextField(default="")


class ChangeLog(_Table):
    """One change to one row (schema 6): the audit trail, and what merging two copies of a
    workspace reads to find where they parted.

    ``op`` is ``insert``, ``update`` or ``delete``, with the row's columns before
    (``old_values``) and after (``new_values``) as JSON text; or ``import`` or
    ``undo-import``: one entry for an import batch (``row_uid`` is the batch's ``uid``),
    whose measurements carry its ``batch_id`` and whose replaced values are its
    ``import_change`` rows, instead of one entry per value. Written by the database itself
    (triggers), whoever changes a row; ``actor`` is the server login, or on a file the
    person KPI Desk was told of. See :mod:`kpidesk.store.changelog`.
    """

    uid = UidField(default=new_uid)
    at = DateTimeField(default=utcnow)
    actor = peewee.TextField(null=True)
    table_name = peewee.TextField()
    row_uid = UidField(null=True)
    op = peewee.TextField()
    old_values = peewee.TextField(null=True)
    new_values = peewee.TextField(null=True)


ALL_MODELS: list[type[BaseModel]] = [
    WorkspaceSettings,
    Unit,
    Goal,
    Kpi,
    KpiGoal,
    Target,
    TargetPath,
    ImportProfile,
    ImportBatch,
    ImportChange,
    Measurement,
    KpiAlias,
    UnitAlias,
    Initiative,
    Milestone,
    Review,
    ReviewUnit,
    ReviewEvent,
    ReviewComment,
    Decision,
    Action,
    ChartNote,
    Tip,
    ReportingRound,
    ReportingDelivery,
]

TRANSFERRED: list[type[_Table]] = [*ALL_MODELS, ChangeLog]
"""Every table a copy carries, parents before children."""

LOGGED_TABLES: list[str] = [model._meta.table_name for model in ALL_MODELS]  # type: ignore[attr-defined]
"""The tables whose changes go into ``change_log``."""
