"""Reading concerns, the triage queue, actions and the chronology; always from access scoping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.access.scoping import restrict
from safecase.concerns.choices import ActionStatus, ConcernKind, ConcernStatus
from safecase.concerns.models import (
    Addendum,
    Category,
    Concern,
    ConcernAction,
    ConcernPerson,
    PatternAlert,
    Triage,
)
from safecase.core.actors import Actor
from safecase.people.models import Person


def categories_for(actor: Actor) -> QuerySet[Category]:
    """The shipped defaults plus the organisation's own categories."""
    return Category.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=actor.organisation), is_active=True
    )


def concerns_visible_to(actor: Actor) -> QuerySet[Concern]:
    """Submitted concerns the actor may read: the team's view of the organisation (the
    low-level log only for those allowed), plus, for everyone who records, their own."""
    submitted = Concern.objects.filter(status=ConcernStatus.SUBMITTED)
    team = restrict(submitted, actor, Permission.CONCERN_VIEW)
    if not can(actor, Permission.CONCERN_VIEW_LOW_LEVEL):
        team = team.exclude(kind=ConcernKind.LOW_LEVEL_ADULT)
    if actor.user is None or not can(actor, Permission.CONCERN_VIEW_OWN):
        return team
    own = submitted.filter(recorded_by=actor.user, organisation=actor.organisation)
    return team | own


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
                queryset=visible.order_by("submitted_at"),
                to_attr="visible_concerns",
            )
        )
        .order_by("-created_at")[:50]
    )
    return [a for a in alerts if a.visible_concerns]


def overdue_before() -> datetime:
    """Concerns submitted before this and still untriaged are overdue."""
    return timezone.now() - timedelta(hours=settings.SAFECASE_TRIAGE_OVERDUE_HOURS)


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


@dataclass(frozen=True)
class ChronologyFilter:
    category: str = ""
    date_from: date | None = None
    date_to: date | None = None
    significant_only: bool = False


def person_chronology(
    actor: Actor,
    person: Person,
    *,
    limit: int = 500,
    only: ChronologyFilter | None = None,
) -> list[ChronologyEntry]:
    """Everything recorded about a person that the actor may see, in the order it happened,
    optionally narrowed by category, dates (of what happened) and significance.

    Four queries whatever the size: concerns, addenda, triages and actions for those concerns.
    """
    only = only or ChronologyFilter()
    chosen = concerns_visible_to(actor).filter(people__person=person)
    if only.category:
        chosen = chosen.filter(categories__code=only.category)
    if only.date_from:
        chosen = chosen.filter(happened_at__date__gte=only.date_from)
    if only.date_to:
        chosen = chosen.filter(happened_at__date__lte=only.date_to)
    if only.significant_only:
        chosen = chosen.filter(is_significant=True)
    concerns = list(
        chosen.distinct().prefetch_related("categories").order_by("-happened_at")[:limit]
    )
    ids = [c.pk for c in concerns]
    entries: list[ChronologyEntry] = []
    for c in concerns:
        categories = ", ".join(cat.label for cat in c.categories.all())
        entries.append(
            ChronologyEntry(
                when=c.happened_at or c.submitted_at or c.created_at,
                kind="Concern" if c.kind == ConcernKind.CHILD else "Low-level concern",
                title=categories or "Concern",
                summary=(c.fact or c.own_words)[:300],
                concern_id=c.pk,
                approximate=c.happened_at_approximate or c.happened_at is None,
                significant=c.is_significant,
            )
        )
    for a in Addendum.objects.filter(concern_id__in=ids):
        entries.append(
            ChronologyEntry(a.created_at, "Addendum", a.reason, a.text[:300], a.concern_id)
        )
    for t in Triage.objects.filter(concern_id__in=ids):
        entries.append(
            ChronologyEntry(
                t.created_at,
                "Triage decision",
                f"{t.get_decision_display()} – level {t.level_of_need}, {t.get_rag_display()}",
                t.rationale[:300],
                t.concern_id,
            )
        )
    for act in ConcernAction.objects.filter(concern_id__in=ids):
        entries.append(
            ChronologyEntry(
                act.created_at,
                "Action",
                act.description,
                f"Due {act.due_on:%d %b %Y}; {act.get_status_display().lower()}",
                act.concern_id,
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def default_review_date() -> date:
    return timezone.localdate() + timedelta(days=28)
