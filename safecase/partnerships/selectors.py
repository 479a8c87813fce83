"""Reads of the hub: which hub an organisation belongs to, the referrals an actor may see and
in which capacity (hub staff, referrer, agency), the sections each may read, and the lists.

One rule (models.py): hub staff see every referral of their hub and the released sections;
the referring organisation sees its referrals and the decision; an agency sees the referrals
it was asked about and its own section. Missing and forbidden are the same 404, and a
forbidden attempt on a referral that exists is audited (as access_object does).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.roles import permissions_for
from safecase.accounts.models import PartnershipMember
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.core.actors import Actor
from safecase.core.pagination import KeysetPage, keyset_page
from safecase.partnerships.choices import ReferralStatus, RequestStatus
from safecase.partnerships.models import (
    HubAgency,
    HubReferral,
    HubSettings,
    InformationRequest,
)

QUEUE_KEY = ("priority", "received_at", "id")
LIST_KEY = ("-received_at", "-id")


def held(actor: Actor, perm: Permission) -> bool:
    if actor.is_system:
        return True
    return actor.user is not None and perm in permissions_for(actor.roles)


def _active_members() -> models.QuerySet[PartnershipMember]:
    today = timezone.localdate()
    return PartnershipMember.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=today),
        partnership__starts_on__lte=today,
    ).filter(Q(partnership__ends_on__isnull=True) | Q(partnership__ends_on__gte=today))


def hub_hosted_by(organisation_id: uuid.UUID | None) -> HubSettings | None:
    """The hub the organisation hosts (its staff work there), or None."""
    if organisation_id is None:
        return None
    return HubSettings.objects.filter(organisation_id=organisation_id).first()


def hub_for_member(organisation_id: uuid.UUID | None) -> HubSettings | None:
    """The hub of a current partnership the organisation belongs to (to refer into)."""
    if organisation_id is None:
        return None
    partnerships = _active_members().filter(organisation_id=organisation_id)
    return (
        HubSettings.objects.filter(partnership_id__in=partnerships.values("partnership_id"))
        .select_related("organisation", "partnership")
        .order_by("created_at")
        .first()
    )


def hub_agencies(hub: HubSettings) -> list[HubAgency]:
    return list(
        HubAgency.objects.filter(hub=hub, is_active=True)
        .select_related("agency_organisation")
        .order_by("kind", "agency_organisation__name")
    )


def referrals_visible_to(actor: Actor) -> models.QuerySet[HubReferral]:
    """Every referral the actor may open, in any capacity."""
    if actor.is_system:
        return HubReferral.objects.all()
    if actor.user is None or actor.organisation_id is None:
        return HubReferral.objects.none()
    org = actor.organisation_id
    visible = Q(pk__in=[])
    if held(actor, Permission.HUB_VIEW):
        visible |= Q(organisation_id=org)
    if held(actor, Permission.HUB_REFER) or held(actor, Permission.HUB_VIEW):
        visible |= Q(referring_organisation_id=org)
    if held(actor, Permission.HUB_ANSWER):
        asked = InformationRequest.objects.filter(agency_organisation_id=org)
        visible |= Q(pk__in=asked.values("referral_id"))
    return HubReferral.objects.filter(visible)


@dataclass(frozen=True)
class Capacity:
    """How the actor stands to one referral."""

    is_hub: bool
    is_referrer: bool
    is_agency: bool

    @property
    def label(self) -> str:
        return "hub" if self.is_hub else "agency" if self.is_agency else "referrer"


def capacity(actor: Actor, referral: HubReferral) -> Capacity:
    org = actor.organisation_id
    is_hub = actor.is_system or (
        referral.organisation_id == org and held(actor, Permission.HUB_VIEW)
    )
    is_agency = held(actor, Permission.HUB_ANSWER) and (
        InformationRequest.objects.filter(referral=referral, agency_organisation_id=org).exists()
    )
    return Capacity(
        is_hub=is_hub,
        is_referrer=referral.referring_organisation_id == org,
        is_agency=is_agency,
    )


def _denied(actor: Actor, label: str, pk: uuid.UUID, perm: Permission) -> None:
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        subject_type=label,
        subject_id=str(pk),
        changes={"permission": str(perm)},
    )


def _uuid(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def access_referral(actor: Actor, referral_id: object, perm: Permission) -> HubReferral:
    """The referral, or 404 (missing, or the actor takes no part in it)."""
    pk = _uuid(referral_id)
    referral = None
    if pk is not None and held(actor, perm):
        referral = (
            referrals_visible_to(actor)
            .filter(pk=pk)
            .select_related("hub", "referring_organisation", "organisation", "decided_by")
            .first()
        )
    if referral is None:
        if pk is not None and HubReferral.objects.filter(pk=pk).exists():
            _denied(actor, HubReferral._meta.label_lower, pk, perm)
        raise Http404
    return referral


def access_request(actor: Actor, request_id: object, perm: Permission) -> InformationRequest:
    """An information request of the actor's own agency (to answer or release), or 404."""
    pk = _uuid(request_id)
    found = None
    if pk is not None and held(actor, perm) and actor.organisation_id is not None:
        found = (
            InformationRequest.objects.filter(pk=pk, agency_organisation_id=actor.organisation_id)
            .select_related("referral", "referral__hub", "agency", "agency_organisation")
            .first()
        )
    if found is None:
        if pk is not None and InformationRequest.objects.filter(pk=pk).exists():
            _denied(actor, InformationRequest._meta.label_lower, pk, perm)
        raise Http404
    return found


def sections_for(actor: Actor, referral: HubReferral, cap: Capacity) -> list[InformationRequest]:
    """The requests the actor sees on the referral page: all of them for the hub (the answer
    only once released, see ``section_readable``); for an agency its own and those the hub
    shared; for the referrer only those the hub shared."""
    rows = InformationRequest.objects.filter(referral=referral).select_related(
        "agency", "agency_organisation", "answered_by", "released_by"
    )
    rows = rows.order_by("agency__kind", "requested_at")
    if cap.is_hub:
        return list(rows)
    shared = Q(shared_at__isnull=False, status=RequestStatus.RELEASED)
    if cap.is_agency:
        return list(rows.filter(Q(agency_organisation_id=actor.organisation_id) | shared))
    return list(rows.filter(shared))


def section_readable(actor: Actor, cap: Capacity, request: InformationRequest) -> bool:
    """The answer itself: its own agency always; the hub once released; the other parties of
    the referral once the hub shared it."""
    if request.agency_organisation_id == actor.organisation_id:
        return True
    if not request.is_released:
        return False
    return cap.is_hub or (request.shared_at is not None and (cap.is_agency or cap.is_referrer))


def _count_of(requests: models.QuerySet[InformationRequest]) -> Any:
    counted = (
        requests.filter(referral_id=OuterRef("pk"))
        .order_by()
        .values("referral_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


def _with_clock_counts(rows: models.QuerySet[HubReferral]) -> models.QuerySet[HubReferral]:
    """Requests asked, waiting and late per referral, as correlated subqueries: evaluated for
    the page's rows only (a GROUP BY over the join would aggregate the whole hub first)."""
    now = timezone.now()
    requests = InformationRequest.objects.all()
    return rows.annotate(
        requests_total=_count_of(requests.exclude(status=RequestStatus.WITHDRAWN)),
        requests_waiting=_count_of(requests.filter(status=RequestStatus.OPEN)),
        requests_late=_count_of(
            requests.filter(due_at__lt=now, status__in=(RequestStatus.OPEN, RequestStatus.HELD))
        ),
    )


def hub_queue(actor: Actor, *, cursor: str | None, size: int = 50) -> KeysetPage[HubReferral]:
    """Open referrals of the actor's hub, red first, then unrated, amber, green, blue; oldest
    first within each; with the number of requests out, waiting and late. Constant queries."""
    org = actor.organisation_id
    assert org is not None
    rows = HubReferral.objects.filter(organisation_id=org, status=ReferralStatus.OPEN)
    return keyset_page(
        rows,
        key=QUEUE_KEY,
        cursor=cursor,
        size=size,
        # The counts and the referrer for the page's rows only, whatever the plan.
        late=lambda chosen: _with_clock_counts(chosen.select_related("referring_organisation")),
    )


def hub_decided(actor: Actor, *, cursor: str | None, size: int = 50) -> KeysetPage[HubReferral]:
    """Decided referrals of the actor's hub, the most recently received first: where hub staff
    find a referral again once it has left the queue (a call about it, the end-of-referral
    audit). Constant queries."""
    org = actor.organisation_id
    assert org is not None
    rows = HubReferral.objects.filter(
        organisation_id=org, status=ReferralStatus.DECIDED
    ).select_related("referring_organisation")
    return keyset_page(rows, key=LIST_KEY, cursor=cursor, size=size)


def referrals_from(actor: Actor, *, cursor: str | None, size: int = 50) -> KeysetPage[HubReferral]:
    """The referrals the actor's organisation made to the hub, newest first, with outcomes."""
    rows = HubReferral.objects.filter(referring_organisation_id=actor.organisation_id)
    return keyset_page(rows, key=LIST_KEY, cursor=cursor, size=size)


def agency_requests(
    actor: Actor, *, cursor: str | None = None, size: int = 50, open_only: bool = True
) -> KeysetPage[InformationRequest]:
    """The information requests to the actor's agency, soonest due first."""
    org = actor.organisation_id
    assert org is not None
    rows = InformationRequest.objects.filter(agency_organisation_id=org)
    rows = rows.exclude(status=RequestStatus.WITHDRAWN)
    if open_only:
        rows = rows.filter(status__in=(RequestStatus.OPEN, RequestStatus.HELD))
    rows = rows.select_related("referral", "agency").order_by("due_at")
    # Blue requests (no due time) last: keyset on (due_at, id) cannot order nulls, so those
    # follow on the last page of dated ones, in a second query bounded by the page size.
    dated = keyset_page(
        rows.filter(due_at__isnull=False), key=("due_at", "id"), cursor=cursor, size=size
    )
    if dated.next_cursor is None:
        undated = list(rows.filter(due_at__isnull=True).order_by("requested_at")[:size])
        return KeysetPage(items=[*dated.items, *undated], next_cursor=None)
    return dated


def home_panel(actor: Actor) -> dict[str, object]:
    if not held(actor, Permission.HUB_ANSWER) or actor.is_system:
        return {}
    page = agency_requests(actor, size=5)
    if not page.items:
        return {}
    return {"hub_requests": page.items, "now": timezone.now()}


def late_requests(now: datetime) -> models.QuerySet[InformationRequest]:
    """Requests past their due time, not yet released, not yet escalated (the sweep)."""
    return InformationRequest.objects.filter(
        due_at__lt=now,
        status__in=(RequestStatus.OPEN, RequestStatus.HELD),
        escalated_at__isnull=True,
    ).select_related("referral", "agency_organisation")


def log_viewed(actor: Actor, referral: HubReferral, sections: list[InformationRequest]) -> None:
    """One record.viewed event for the page: the referral and the sections whose answers it
    showed (read back by the end-of-referral audit view, M4)."""
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.RECORD_VIEWED,
        subject=referral,
        organisation_id=referral.organisation_id,
        changes={"sections": [str(s.pk) for s in sections]},
    )


def refuse(actor: Actor, obj: models.Model, perm: Permission) -> None:
    """404 for a record that exists but is not the actor's to reach, audited as a denial."""
    _denied(actor, obj._meta.label_lower, obj.pk, perm)
    raise Http404


def request_target(request_id: object) -> InformationRequest | None:
    """A request by id, only to route a notification's link (the page it leads to checks)."""
    pk = _uuid(request_id)
    if pk is None:
        return None
    return (
        InformationRequest.objects.filter(pk=pk)
        .only("pk", "referral_id", "agency_organisation_id", "organisation_id")
        .first()
    )


def no_hub(actor: Actor, perm: Permission, what: str) -> None:
    """404 for a hub page the actor's organisation has no part in (not in a partnership with a
    hub, or not hosting one), audited as a denial like every other refusal."""
    recorder.record_in_own_transaction(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        subject_type="hub",
        subject_id=what[:64],
        changes={"permission": str(perm)},
    )
    raise Http404


def access_hub_request(actor: Actor, request_id: object, perm: Permission) -> InformationRequest:
    """A request of the actor's own hub (for hub staff), or 404."""
    pk = _uuid(request_id)
    found = None
    if pk is not None and held(actor, perm) and actor.organisation_id is not None:
        found = (
            InformationRequest.objects.filter(pk=pk, organisation_id=actor.organisation_id)
            .select_related("referral", "referral__hub", "agency_organisation")
            .first()
        )
    if found is None:
        if pk is not None and InformationRequest.objects.filter(pk=pk).exists():
            _denied(actor, InformationRequest._meta.label_lower, pk, perm)
        raise Http404
    return found
