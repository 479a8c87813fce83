"""Reading shares, chronology extracts and break-glass openings (issue 5).

- "Shares we have given": every grant the actor's organisation made (SHARE_GRANT).
- "Shared with us": the active grants into the actor's organisation whose item the actor may
  see (SHARED_VIEW): never an item its owner has since restricted away from them, never one
  revoked or expired, read afresh on every request.
- A disclosure's record (who shared what, with whom, why, under which basis, the consent
  decision): the leads (SHARE_GRANT) of both organisations.

Missing and forbidden are the same 404 everywhere.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from safecase.access import scoping
from safecase.access.models import RecordRestriction, ShareGrant
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import Membership, Organisation, Partnership, PartnershipMember
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted
from safecase.core.pagination import KeysetPage, keyset_page
from safecase.sharing.kinds import KINDS, Kind, kind_of_content_type
from safecase.sharing.models import ChronologyExtract

PAGE = 50

NEWEST_FIRST = ("-created_at", "-id")


def _parse(raw: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


# --- Partners ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Partner:
    organisation: Organisation
    partnership: Partnership


def partners_of(actor: Actor) -> list[Partner]:
    """The organisations in a current partnership with the actor's, each with the partnership
    (its agreement's lawful basis is the share form's default)."""
    if actor.organisation_id is None:
        return []
    today = timezone.localdate()
    current = PartnershipMember.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=today),
        partnership__starts_on__lte=today,
    ).filter(Q(partnership__ends_on__isnull=True) | Q(partnership__ends_on__gte=today))
    mine = current.filter(organisation_id=actor.organisation_id).values("partnership_id")
    rows = (
        current.filter(partnership_id__in=mine, organisation__is_active=True)
        .exclude(organisation_id=actor.organisation_id)
        .select_related("organisation", "partnership")
        .order_by("organisation__name", "partnership__name")
    )
    seen: dict[uuid.UUID, Partner] = {}
    for row in rows:
        seen.setdefault(row.organisation_id, Partner(row.organisation, row.partnership))
    return list(seen.values())


def decision_makers(actor: Actor) -> list[tuple[str, str]]:
    """Who may be named as having decided to share without consent: the organisation's active
    members who may share (leads and deputies)."""
    if actor.organisation_id is None:
        return []
    members = (
        Membership.objects.filter(organisation_id=actor.organisation_id, is_active=True)
        .select_related("user")
        .prefetch_related("roles")
        .order_by("user__full_name")[:500]
    )
    out = []
    for m in members:
        member = Actor(
            user=m.user, organisation=actor.organisation, roles=frozenset(m.role_names())
        )
        if can(member, Permission.SHARE_GRANT):
            out.append((str(m.user_id), m.user.full_name or m.user.email))
    return out


# --- Items -----------------------------------------------------------------------------------


def owned_item(actor: Actor, kind_code: str, object_id: object) -> tuple[Kind, Any]:
    """An item of the actor's own organisation they may share, or 404."""
    kind = KINDS.get(kind_code)
    pk = _parse(object_id)
    if kind is None or pk is None or not can(actor, Permission.SHARE_GRANT):
        raise Http404
    item = kind.owned(actor).filter(pk=pk).first()
    if item is None or not can(actor, Permission.SHARE_GRANT, item):
        raise Http404
    return kind, item


@dataclass
class GrantRow:
    """A grant with its item (None when the item is gone or hidden) and what kind it is."""

    grant: ShareGrant
    kind: Kind | None
    item: Any

    @property
    def title(self) -> str:
        if self.kind is None or self.item is None:
            return "An item no longer available"
        return self.kind.title(self.item)

    @property
    def is_active(self) -> bool:
        g = self.grant
        return g.revoked_at is None and (g.expires_at is None or g.expires_at > timezone.now())


def _items_for(grants: list[ShareGrant]) -> dict[tuple[int, str], Any]:
    """The grants' items, one query per kind present (at most seven whatever the number)."""
    keys: dict[int, list[str]] = defaultdict(list)
    for grant in grants:
        keys[grant.content_type_id].append(grant.object_id)
    found: dict[tuple[int, str], Any] = {}
    for content_type_id, object_ids in keys.items():
        kind = kind_of_content_type(content_type_id)
        if kind is None:
            continue
        pks = [pk for pk in (_parse(k) for k in object_ids) if pk is not None]
        queryset = kind.model._default_manager.filter(pk__in=pks)
        if kind.code == "case_note":
            queryset = queryset.select_related("author")
        for item in queryset:
            found[(content_type_id, item.pk.hex)] = item
    return found


def rows_for(grants: list[ShareGrant]) -> list[GrantRow]:
    items = _items_for(grants)
    return [
        GrantRow(
            grant=g,
            kind=kind_of_content_type(g.content_type_id),
            item=items.get((g.content_type_id, g.object_id)),
        )
        for g in grants
    ]


def shares_given(actor: Actor) -> QuerySet[ShareGrant]:
    if not can(actor, Permission.SHARE_GRANT):
        return ShareGrant.objects.none()
    return ShareGrant.objects.filter(owner_organisation_id=actor.organisation_id)


def shares_given_page(actor: Actor, *, cursor: str | None) -> KeysetPage[GrantRow]:
    """Every grant the organisation made, newest first, with its item: a fixed number of
    queries (the page, then one per kind of item on it)."""
    page = keyset_page(
        shares_given(actor).select_related("to_organisation", "granted_by"),
        key=NEWEST_FIRST,
        cursor=cursor,
        size=PAGE,
    )
    return KeysetPage(items=rows_for(page.items), next_cursor=page.next_cursor)


def shares_received(actor: Actor) -> QuerySet[ShareGrant]:
    """The active grants into the actor's organisation whose item the actor may see."""
    if not can(actor, Permission.SHARED_VIEW):
        return ShareGrant.objects.none()
    grants = ShareGrant.objects.active().filter(to_organisation_id=actor.organisation_id)
    return _not_restricted_away(actor, grants)


def _not_restricted_away(actor: Actor, grants: QuerySet[ShareGrant]) -> QuerySet[ShareGrant]:
    """Without the grants whose item its owner restricted to named people the actor is not
    among (a shared record stays under its owner's restriction)."""
    seen = scoping.visibility(actor)
    if seen.restricted is not None:
        if not seen.restricted:
            return grants
        hidden = Q()
        for content_type_id, key in seen.restricted:
            hidden |= Q(content_type_id=content_type_id, object_id=key)
        return grants.exclude(hidden)
    closed = RecordRestriction.objects.exclude(named_people=actor.user).values("object_id")
    return grants.exclude(object_id__in=closed)


def shared_with_us_page(actor: Actor, *, cursor: str | None) -> KeysetPage[GrantRow]:
    """The items shared into the organisation, newest first: the page, then one query per kind
    of item on it, and one for their parents' restrictions, whatever the number of grants."""
    page = keyset_page(
        shares_received(actor).select_related("owner_organisation"),
        key=NEWEST_FIRST,
        cursor=cursor,
        size=PAGE,
    )
    return KeysetPage(items=received_rows(actor, page.items), next_cursor=page.next_cursor)


def received_rows(actor: Actor, grants: list[ShareGrant]) -> list[GrantRow]:
    """The rows of received grants, without those whose item is gone or whose parent record
    (a shared note's case, a shared file's concern, a shared extract's person) its owner has
    since restricted to named people the actor is not among: a shared item stays under the
    restriction of the record it belongs to."""
    rows = [row for row in rows_for(grants) if row.item is not None and row.kind is not None]
    parents: dict[tuple[str, str], list[GrantRow]] = defaultdict(list)
    for row in rows:
        assert row.kind is not None
        if row.kind.parent is not None:
            label, attribute = row.kind.parent
            key = getattr(row.item, attribute)
            parents[(label, key.hex)].append(row)
    if not parents or actor.user is None:
        return rows
    from django.apps import apps

    labels = {label for label, _key in parents}
    content_types = {
        ContentType.objects.get_for_model(apps.get_model(label)).pk: label for label in labels
    }
    closed = RecordRestriction.objects.filter(
        content_type_id__in=list(content_types), object_id__in=[key for _l, key in parents]
    ).exclude(named_people=actor.user)
    hidden = {
        id(row)
        for content_type_id, key in closed.values_list("content_type_id", "object_id")
        for row in parents.get((content_types[content_type_id], key), [])
    }
    return [row for row in rows if id(row) not in hidden]


def received_item(actor: Actor, grant_id: object) -> GrantRow:
    """An active grant into the actor's organisation and its item, or 404."""
    pk = _parse(grant_id)
    grant = (
        shares_received(actor).select_related("owner_organisation").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if grant is None:
        raise Http404
    found = received_rows(actor, [grant])
    if not found or not can(actor, Permission.SHARED_VIEW, found[0].item):
        raise Http404
    return found[0]


def disclosure(actor: Actor, grant_id: object) -> GrantRow:
    """A grant's disclosure record, for the leads of the organisation that shared it and of the
    one it was shared with (revoked and expired ones too), or 404."""
    pk = _parse(grant_id)
    if pk is None or not can(actor, Permission.SHARE_GRANT):
        raise Http404
    grant = (
        ShareGrant.objects.filter(pk=pk)
        .filter(
            Q(owner_organisation_id=actor.organisation_id)
            | Q(to_organisation_id=actor.organisation_id)
        )
        .select_related(
            "owner_organisation",
            "to_organisation",
            "partnership",
            "granted_by",
            "consent_overridden_by",
            "revoked_by",
        )
        .first()
    )
    if grant is None:
        raise Http404
    row = rows_for([grant])[0]
    if grant.owner_organisation_id != actor.organisation_id:
        # The receiving lead reads the record of the disclosure; the item only while active
        # and not restricted away (through "Shared with us").
        still = shares_received(actor).filter(pk=grant.pk).first()
        row.item = row.item if still is not None and received_rows(actor, [still]) else None
    return row


def grants_of_item(actor: Actor, kind: Kind, item: Any) -> list[ShareGrant]:
    """The organisation's grants of one item (the share page lists them)."""
    return list(
        shares_given(actor)
        .filter(content_type_id=kind.content_type_id(), object_id=item.pk.hex)
        .select_related("to_organisation")
        .order_by("-created_at")[:100]
    )


def extract_lines(extract: ChronologyExtract) -> list[Any]:
    return list(extract.lines.order_by("position"))


def changed_since(grants: QuerySet[ShareGrant], since: datetime) -> QuerySet[ShareGrant]:
    """Grants made or changed (revoked, say) since ``since``, or whose item changed since (the
    API's ``updated_since``): the grants' keys, then one query per kind of item among them."""
    keys: dict[int, list[uuid.UUID]] = defaultdict(list)
    for content_type_id, object_id in grants.values_list("content_type_id", "object_id")[:5000]:
        pk = _parse(object_id)
        if pk is not None:
            keys[content_type_id].append(pk)
    changed = Q(updated_at__gte=since)
    for content_type_id, pks in keys.items():
        kind = kind_of_content_type(content_type_id)
        if kind is None or not any(f.name == "updated_at" for f in kind.model._meta.fields):
            continue
        fresh = kind.model._default_manager.filter(pk__in=pks, updated_at__gte=since)
        hexes = [pk.hex for pk in fresh.values_list("pk", flat=True)]
        if hexes:
            changed |= Q(content_type_id=content_type_id, object_id__in=hexes)
    return grants.filter(changed)


HOME_PANEL_LIMIT = 5


def home_panel(actor: Actor) -> dict[str, Any]:
    """The newest items shared with the reader's organisation, for the home page (Integration,
    model 1: an agency practitioner's home shows what was shared with them). No query at all
    when nothing was ever shared into the organisation; otherwise the grants (at most six),
    their items and their parents' restrictions."""
    if actor.organisation is None or actor.user is None:
        return {"rows": [], "more": False}
    seen = scoping.visibility(actor)
    if seen.shared is not None and not seen.shared:
        return {"rows": [], "more": False}
    grants = list(
        shares_received(actor)
        .select_related("owner_organisation")
        .order_by(*NEWEST_FIRST)[: HOME_PANEL_LIMIT + 1]
    )
    rows = received_rows(actor, grants[:HOME_PANEL_LIMIT])
    return {"rows": rows, "more": len(grants) > HOME_PANEL_LIMIT}


def own_organisation_id(actor: Actor) -> uuid.UUID:
    """The organisation the actor acts in: every sharing and break-glass page needs one (the
    view's permission check has made sure of it)."""
    if actor.organisation_id is None:
        raise NotPermitted("Choose an organisation to act in first.")
    return actor.organisation_id
