"""Reading concerns, the triage queue, actions and the chronology; always from access scoping."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.access.scoping import restrict, restrict_lines, visibility
from safecase.cases.models import Case
from safecase.concerns import chronology
from safecase.concerns.choices import ActionStatus, ConcernKind, ConcernStatus
from safecase.concerns.models import (
    Category,
    CategoryOverride,
    Concern,
    ConcernAction,
    ConcernPerson,
    PatternAlert,
    SafeguardingSettings,
)
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page
from safecase.people.models import ChronologyItem, Person


def categories_for(actor: Actor, *, include_retired: bool = False) -> QuerySet[Category]:
    """The shipped defaults plus the organisation's own categories, in the organisation's order;
    without those it has retired (a default it hid, or its own it deactivated) unless asked."""
    here = CategoryOverride.objects.filter(organisation=actor.organisation, category=OuterRef("pk"))
    categories = Category.objects.filter(
        Q(organisation__isnull=True, is_active=True) | Q(organisation=actor.organisation)
    ).annotate(
        hidden_here=Coalesce(
            Subquery(here.values("is_hidden")[:1]), Value(False), output_field=BooleanField()
        ),
        place=Coalesce(Subquery(here.values("position")[:1]), F("position")),
    )
    if not include_retired:
        categories = categories.filter(is_active=True, hidden_here=False)
    return categories.order_by("place", "label")


def in_use(category: Category) -> bool:
    """Whether a category from ``categories_for(..., include_retired=True)`` is still offered:
    the same test that query applies without ``include_retired``."""
    return category.is_active and not getattr(category, "hidden_here", False)


def concerns_visible_to(actor: Actor) -> QuerySet[Concern]:
    """Submitted concerns the actor may read: the team's view of the organisation (the
    low-level log only for those allowed), plus, for everyone who records, their own."""
    submitted = Concern.objects.filter(status=ConcernStatus.SUBMITTED)
    team = restrict(submitted, actor, Permission.CONCERN_VIEW)
    if not can(actor, Permission.CONCERN_VIEW_LOW_LEVEL):
        team = team.exclude(kind=ConcernKind.LOW_LEVEL_ADULT)
    if actor.user is None or not can(actor, Permission.CONCERN_VIEW_OWN):
        return team
    if _own_already_in_team(actor):
        return team
    own = submitted.filter(recorded_by=actor.user, organisation=actor.organisation)
    return team | own


def _own_already_in_team(actor: Actor) -> bool:
    """Whether the team's view already holds every concern the actor recorded: they see the
    whole organisation's, low-level log included, and nothing of it is restricted away from
    them. Then the "or their own" branch is left out, and every concern query is simpler."""
    if not (can(actor, Permission.CONCERN_VIEW) and can(actor, Permission.CONCERN_VIEW_LOW_LEVEL)):
        return False
    restricted = visibility(actor).restricted_ids(ContentType.objects.get_for_model(Concern).pk)
    return isinstance(restricted, list) and not restricted


def drafts_of(actor: Actor) -> QuerySet[Concern]:
    """A user's own drafts: nobody else sees a draft."""
    if actor.user is None or not can(actor, Permission.CONCERN_RECORD):
        return Concern.objects.none()
    return Concern.objects.filter(
        status=ConcernStatus.DRAFT, recorded_by=actor.user, organisation=actor.organisation
    )


def with_details(concerns: QuerySet[Concern]) -> QuerySet[Concern]:
    return concerns.select_related("recorded_by").prefetch_related(
        "categories", Prefetch("people", queryset=ConcernPerson.objects.order_by("created_at"))
    )


def my_concerns(actor: Actor) -> QuerySet[Concern]:
    if actor.user is None:
        return Concern.objects.none()
    return with_details(
        (drafts_of(actor) | concerns_visible_to(actor)).filter(recorded_by=actor.user)
    )


def triage_queue(actor: Actor) -> QuerySet[Concern]:
    """Untriaged concerns, and decisions not to refer whose review date has come (T1, T5)."""
    if not can(actor, Permission.CONCERN_TRIAGE):
        return Concern.objects.none()
    today = timezone.localdate()
    waiting = concerns_visible_to(actor).filter(
        Q(triaged_at__isnull=True) | Q(review_due_on__lte=today),
        organisation=actor.organisation,
    )
    return with_details(waiting)


@dataclass(frozen=True)
class QueueRow:
    """One line of the lead's queue as the page shows it: plain values, nothing left to look
    up (model instances and related managers for 50 rows cost more than the queries did)."""

    pk: uuid.UUID
    about: str
    categories: str
    submitted_at: datetime | None
    recorded_by: str
    is_urgent: bool
    status: str  # "review", "overdue" or "new"


class _Joined(Func):
    """``value`` of the rows of ``source`` that belong to the concern, joined with ", " in
    ``order`` (or NULL when there are none): a correlated subquery of the page's own query, in
    place of a query of its own with a 50-key IN list (whose Python cost was the larger part).
    PostgreSQL orders string_agg; SQLite's group_concat has no ORDER BY before 3.44, so it
    concatenates over a window frame, which it walks in the window's order."""

    output_field = TextField()

    def __init__(self, concern: F, *, source: str, value: str, order: str) -> None:
        super().__init__(concern)
        # S608: the SQL pieces are this module's constants below, never input.
        self.template = (
            f"(SELECT string_agg({value}, ', ' ORDER BY {order}) "  # noqa: S608
            f"FROM {source} = %(expressions)s)"
        )
        self.sqlite_template = (
            f"(SELECT group_concat({value}, ', ') OVER (ORDER BY {order} ROWS "  # noqa: S608
            f"BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM {source} = "
            "%(expressions)s LIMIT 1)"
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template=self.sqlite_template, **extra)


# The names as written, in the order they were added; the categories by position, then label
# (the orders of the two queries these replace).
_QUEUE_NAMES = _Joined(
    F("pk"),
    source=f"{ConcernPerson._meta.db_table} queue_person WHERE queue_person.concern_id",
    value="queue_person.name_as_recorded",
    order="queue_person.created_at, queue_person.id",
)
_QUEUE_LABELS = _Joined(
    F("pk"),
    source=(
        f"{Concern.categories.through._meta.db_table} queue_chosen INNER JOIN "
        f"{Category._meta.db_table} queue_category "
        "ON queue_category.id = queue_chosen.category_id WHERE queue_chosen.concern_id"
    ),
    value="queue_category.label",
    order="queue_category.position, queue_category.label",
)


def triage_queue_page(actor: Actor, *, cursor: str | None) -> KeysetPage[QueueRow]:
    """A page of the triage queue, urgent first then oldest first, in one query: the page's
    concerns with their people's names, their categories' labels and the organisation's
    triage target."""
    # The target is an uncorrelated subquery (evaluated once), not a query of its own
    # (overdue_before()).
    own_settings = SafeguardingSettings.objects.filter(organisation=actor.organisation)
    # The rows are late='s values(): dictionaries, not the queryset's concerns.
    page = cast(
        "KeysetPage[dict[str, Any]]",
        keyset_page(
            triage_queue(actor),
            key=("-is_urgent", "submitted_at", "id"),
            cursor=cursor,
            # The names and labels for the page's rows only, not for every concern waiting.
            late=lambda chosen: chosen.annotate(
                overdue_hours=Subquery(own_settings.values("overdue_hours")[:1]),
                about=_QUEUE_NAMES,
                labels=_QUEUE_LABELS,
            ).values(
                "id",
                "is_urgent",
                "submitted_at",
                "triaged_at",
                "recorded_by__full_name",
                "overdue_hours",
                "about",
                "labels",
            ),
        ),
    )
    # As overdue_before(): the organisation's own target, else the operator's default.
    hours = page.items[0]["overdue_hours"] if page.items else None
    late = timezone.now() - timedelta(
        hours=SafeguardingSettings(overdue_hours=hours).effective_overdue_hours
    )
    rows = []
    for row in page.items:
        submitted_at = row["submitted_at"]
        if row["triaged_at"] is not None:
            status = "review"
        elif submitted_at is not None and submitted_at < late:
            status = "overdue"
        else:
            status = "new"
        rows.append(
            QueueRow(
                pk=row["id"],
                about=row["about"] or "",
                categories=row["labels"] or "",
                submitted_at=submitted_at,
                recorded_by=row["recorded_by__full_name"],
                is_urgent=row["is_urgent"],
                status=status,
            )
        )
    return KeysetPage(items=rows, next_cursor=page.next_cursor)


def open_alerts(actor: Actor) -> list[PatternAlert]:
    """Pattern alerts waiting for review, each with only the concerns the actor may see;
    an alert made only of concerns the actor may not see is not shown at all."""
    if not can(actor, Permission.CONCERN_TRIAGE):
        return []
    visible = concerns_visible_to(actor)
    alerts = list(
        PatternAlert.objects.filter(organisation=actor.organisation, reviewed_at__isnull=True)
        .prefetch_related(
            Prefetch(
                "concerns",
                queryset=visible.only("id", "happened_at", "submitted_at", "location").order_by(
                    "submitted_at"
                ),
                to_attr="visible_concerns",
            )
        )
        .order_by("-created_at")[:50]
    )
    return [a for a in alerts if a.visible_concerns]


def safeguarding_settings_for(organisation_id: object) -> SafeguardingSettings:
    """The organisation's triage timings and level-of-need labels (defaults where unset)."""
    return SafeguardingSettings.for_organisation(organisation_id)


def overdue_before(organisation_id: object = None) -> datetime:
    """Concerns submitted before this and still untriaged are overdue: by the organisation's
    own triage target, or the operator's default (SAFECASE_TRIAGE_OVERDUE_HOURS)."""
    hours = (
        safeguarding_settings_for(organisation_id).effective_overdue_hours
        if organisation_id is not None
        else settings.SAFECASE_TRIAGE_OVERDUE_HOURS
    )
    return timezone.now() - timedelta(hours=hours)


def escalation_due() -> Q:
    """Concerns submitted longer ago than their organisation's escalation time (T1). One
    condition per distinct setting, not per organisation, so it stays small at any scale."""
    now = timezone.now()
    default = SafeguardingSettings().effective_escalate_hours
    by_hours: dict[int, list[Any]] = {}
    chosen = SafeguardingSettings.objects.filter(
        Q(overdue_hours__isnull=False) | Q(escalate_hours__isnull=False)
    ).only("organisation_id", "overdue_hours", "escalate_hours")
    for row in chosen:
        if row.effective_escalate_hours != default:
            by_hours.setdefault(row.effective_escalate_hours, []).append(row.organisation_id)
    due = Q(submitted_at__lt=now - timedelta(hours=default))
    if by_hours:
        due &= ~Q(organisation_id__in=[o for orgs in by_hours.values() for o in orgs])
    for hours, orgs in by_hours.items():
        due |= Q(organisation_id__in=orgs, submitted_at__lt=now - timedelta(hours=hours))
    return due


def actions_of(actor: Actor) -> QuerySet[ConcernAction]:
    """Open actions owned by the actor, soonest first."""
    if actor.user is None:
        return ConcernAction.objects.none()
    return ConcernAction.objects.filter(
        owner=actor.user, organisation=actor.organisation, status=ActionStatus.OPEN
    ).select_related("concern")


def actions_completable_by(actor: Actor) -> QuerySet[ConcernAction]:
    """Actions the actor may mark done: their own, or (for the lead) any on a concern they see."""
    if actor.user is None or actor.organisation is None:
        return ConcernAction.objects.none()
    mine = Q(owner=actor.user)
    if can(actor, Permission.CONCERN_TRIAGE):
        mine |= Q(concern__in=concerns_visible_to(actor).values("pk"))
    return ConcernAction.objects.filter(mine, organisation_id=actor.organisation.pk)


@dataclass(frozen=True)
class ChronologyEntry:
    when: datetime
    kind: str
    title: str
    summary: str
    concern_id: Any
    approximate: bool = False
    significant: bool = False
    # Where the entry sits among entries with the same time (chronology.RANK_*), and its own key:
    # together with ``when`` they order the chronology totally, for keyset pages.
    rank: int = 0
    entry_id: Any = None
    # A case's line (issue 4) has the case's key instead of a concern's.
    case_id: Any = None

    @property
    def is_concern(self) -> bool:
        return self.rank == chronology.RANK_CONCERN

    @property
    def record_id(self) -> Any:
        """The key of the record the entry belongs to: its case, or its concern."""
        return self.case_id or self.concern_id

    @property
    def preview(self) -> str:
        """The summary cut to 200 characters for a list (what ``truncatechars:200`` gives)."""
        return self.summary if len(self.summary) <= 200 else f"{self.summary[:199]}…"


@dataclass(frozen=True)
class ChronologyFilter:
    category: str = ""
    date_from: date | None = None
    date_to: date | None = None
    significant_only: bool = False


# A line is a concern's or a case's: each seen exactly by those who may see its record.
_LINE_RULES = (
    (Permission.CONCERN_VIEW, Concern, "concern_id"),
    (Permission.CASE_VIEW, Case, "case_id"),
)


def _lines_visible_to(actor: Actor, person: Person) -> QuerySet[ChronologyItem]:
    """The person's chronology lines whose concern or case the actor may see: exactly the rule
    of ``concerns_visible_to`` (the team's view, the low-level log only for those allowed, and
    everyone's own concerns) and of ``cases_visible_to`` (restricted cases only for the named,
    low-level cases only for those allowed), applied to the copy of the keys each line carries."""
    lines = ChronologyItem.objects.filter(person_id=person.pk)
    team = restrict_lines(lines, actor, _LINE_RULES)
    if not can(actor, Permission.CONCERN_VIEW_LOW_LEVEL):
        team = team.exclude(low_level=True)
    if actor.user is None or actor.organisation is None:
        return team
    if not can(actor, Permission.CONCERN_VIEW_OWN) or _own_already_in_team(actor):
        return team
    own = lines.filter(recorded_by_id=actor.user.pk, organisation_id=actor.organisation.pk)
    return team | own


def _chosen_lines(actor: Actor, person: Person, only: ChronologyFilter) -> QuerySet[ChronologyItem]:
    """The lines the actor may see, narrowed by the filter: a line goes with its concern (the
    triage of a concern in the chosen category, or dates, is shown with it)."""
    chosen = _lines_visible_to(actor, person)
    if only.category:
        in_category = Concern.categories.through.objects.filter(
            concern_id=OuterRef("concern_id"), category__code=only.category
        )
        chosen = chosen.filter(Exists(in_category))
    if only.date_from:
        chosen = chosen.filter(happened_at__date__gte=only.date_from)
    if only.date_to:
        chosen = chosen.filter(happened_at__date__lte=only.date_to)
    if only.significant_only:
        chosen = chosen.filter(significant=True)
    return chosen


# Only the columns an entry shows, in the order _entries() reads them.
_LINE_FIELDS = (
    "when",
    "rank",
    "source_id",
    "concern_id",
    "low_level",
    "significant",
    "approximate",
    "title",
    "summary",
    "categories",
    "case_id",
)


def category_labels(actor: Actor) -> dict[int, str]:
    """Every category's label as the actor's organisation shows it, retired ones included (a
    concern keeps the categories it was recorded with)."""
    return {c.pk: c.label for c in categories_for(actor, include_retired=True)}


def _entries(rows: list[tuple[Any, ...]], labels: dict[int, str]) -> list[ChronologyEntry]:
    """Entries from line rows, each concern titled by its categories' labels. A shared
    concern's own categories (another organisation's) are looked up once, if there are any."""
    keys = {int(k) for row in rows for k in row[9].split(",") if k}
    if keys - labels.keys():
        found = Category.objects.filter(pk__in=keys - labels.keys()).values_list("pk", "label")
        labels = {**labels, **dict(found)}
    entries = []
    for row in rows:
        when, rank, source_id, concern_id, low_level, significant, approximate, title, summary = (
            row[:9]
        )
        if rank == chronology.RANK_CONCERN:
            named = [labels.get(int(k), "") for k in row[9].split(",") if k]
            title = ", ".join(label for label in named if label) or "Concern"
        entries.append(
            ChronologyEntry(
                when=when,
                kind=chronology.kind_label(rank, low_level),
                title=title,
                summary=summary,
                concern_id=concern_id,
                case_id=row[10],
                approximate=approximate,
                significant=significant and rank == chronology.RANK_CONCERN,
                rank=rank,
                entry_id=source_id,
            )
        )
    return entries


_NEWEST_FIRST = ("-when", "-rank", "-source_id")


def person_chronology(
    actor: Actor,
    person: Person,
    *,
    limit: int = 10_000,
    only: ChronologyFilter | None = None,
) -> list[ChronologyEntry]:
    """Everything recorded about a person that the actor may see, in the order it happened,
    newest first (at most ``limit`` entries), optionally narrowed by category, dates (of what
    happened) and significance. For exports; the person page and the API read it a page at a
    time (``person_chronology_page``). Two queries whatever the size: the categories' labels
    and the lines."""
    chosen = _chosen_lines(actor, person, only or ChronologyFilter())
    rows = list(chosen.order_by(*_NEWEST_FIRST).values_list(*_LINE_FIELDS)[:limit])
    return _entries(rows, category_labels(actor))


@dataclass(frozen=True)
class ChronologyPage:
    """One page of a chronology, newest first. Cursors are opaque; ``None`` at either end."""

    entries: list[ChronologyEntry]
    total: int
    newer_cursor: str | None
    older_cursor: str | None


CHRONOLOGY_PAGE_SIZE = 50


def _encode_cursor(entry: ChronologyEntry) -> str:
    raw = f"{entry.when.isoformat()}|{entry.rank}|{entry.entry_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int, uuid.UUID] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, rank, pk = raw.split("|")
        moment = datetime.fromisoformat(when)
        if timezone.is_naive(moment):
            return None
        moment.astimezone(UTC)  # year 1 in a zone east of UTC cannot be stored
        return moment, int(rank), uuid.UUID(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError):
        return None


def _beyond(cursor: tuple[datetime, int, uuid.UUID], *, older: bool) -> Q:
    """Lines strictly beyond ``cursor`` in the order (when, rank, source): older (before it,
    newest first) or newer (after it)."""
    when, rank, key = cursor
    lt = "lt" if older else "gt"
    return (
        Q(**{f"when__{lt}": when})
        | Q(when=when, **{f"rank__{lt}": rank})
        | Q(when=when, rank=rank, **{f"source_id__{lt}": key})
    )


def person_chronology_page(
    actor: Actor,
    person: Person,
    *,
    only: ChronologyFilter | None = None,
    cursor: str | None = None,
    newer: bool = False,
    size: int = CHRONOLOGY_PAGE_SIZE,
    labels: dict[int, str] | None = None,
) -> ChronologyPage:
    """One page of the chronology: the ``size`` entries older than ``cursor`` (or, with
    ``newer``, the ones just newer than it), newest first; the first page without a cursor.

    One range of the person's chronology index beyond the cursor (people.ChronologyItem,
    ADR 0010) and its count, with the categories' ``labels`` (``category_labels()``, read here
    if not given): two or three queries, the same for a child with five entries as for one with
    five thousand, on the first page or the hundredth. A malformed cursor starts again from the
    newest.
    """
    chosen = _chosen_lines(actor, person, only or ChronologyFilter())
    position = _decode_cursor(cursor) if cursor else None
    older = not (newer and position is not None)
    beyond = chosen if position is None else chosen.filter(_beyond(position, older=older))
    order = _NEWEST_FIRST if older else tuple(name[1:] for name in _NEWEST_FIRST)
    rows = list(beyond.order_by(*order).values_list(*_LINE_FIELDS)[: size + 1])
    more_beyond = len(rows) > size
    rows = rows[:size]
    if not older:
        rows.reverse()
    total = chosen.count()
    if not rows:
        return ChronologyPage([], total, None, None)
    entries = _entries(rows, category_labels(actor) if labels is None else labels)
    has_older = more_beyond if older else position is not None
    has_newer = (position is not None) if older else more_beyond
    return ChronologyPage(
        entries=entries,
        total=total,
        newer_cursor=_encode_cursor(entries[0]) if has_newer else None,
        older_cursor=_encode_cursor(entries[-1]) if has_older else None,
    )


def default_review_date() -> date:
    return timezone.localdate() + timedelta(days=28)
