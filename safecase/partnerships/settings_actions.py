"""The hub's settings: which member hosts it, its working hours and own closed days, its RAG
timescales and the agencies it asks. Only the hub manager (HUB_CONFIGURE, in the hosting
organisation) changes them; each change is a new version, kept, and audited."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.accounts.models import Organisation, Partnership
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError
from safecase.partnerships import selectors
from safecase.partnerships.choices import AgencyKind
from safecase.partnerships.models import HubAgency, HubSettings, HubSettingsVersion

MAX_HOURS = 24 * 14


def _values(hub: HubSettings) -> dict[str, Any]:
    return {
        "opens_at": hub.opens_at.strftime("%H:%M"),
        "closes_at": hub.closes_at.strftime("%H:%M"),
        "weekdays": hub.weekdays,
        "closed_days": list(hub.closed_days),
        "red_working_hours": hub.red_working_hours,
        "amber_working_hours": hub.amber_working_hours,
        "green_hours": hub.green_hours,
    }


def _clean(
    *,
    opens_at: time | None,
    closes_at: time | None,
    weekdays: str,
    closed_days: list[date] | None,
    red_working_hours: int | None,
    amber_working_hours: int | None,
    green_hours: int | None,
) -> dict[str, Any]:
    if not isinstance(opens_at, time) or not isinstance(closes_at, time):
        raise DomainError("Give the hub's opening and closing times.", field="opens_at")
    if closes_at <= opens_at:
        raise DomainError("The hub must close after it opens.", field="closes_at")
    digits = "".join(sorted(set(weekdays or "")))
    if not digits or any(d not in "0123456" for d in digits):
        raise DomainError("Choose at least one working day.", field="weekdays")
    days = sorted({d for d in closed_days or [] if isinstance(d, date)})
    if len(days) != len(set(closed_days or [])):
        raise DomainError("Give closed days as dates.", field="closed_days")
    hours = {
        "red_working_hours": red_working_hours,
        "amber_working_hours": amber_working_hours,
        "green_hours": green_hours,
    }
    for name, value in hours.items():
        if not isinstance(value, int) or not 1 <= value <= MAX_HOURS:
            raise DomainError(f"Give a whole number of hours from 1 to {MAX_HOURS}.", field=name)
    assert isinstance(red_working_hours, int) and isinstance(amber_working_hours, int)
    if red_working_hours > amber_working_hours:
        raise DomainError("Red must be answered no later than amber.", field="red_working_hours")
    return {
        "opens_at": opens_at,
        "closes_at": closes_at,
        "weekdays": digits,
        "closed_days": [d.isoformat() for d in days],
        **hours,
    }


@transaction.atomic(durable=True)
def hub_settings_save(
    *,
    actor: Actor,
    partnership: Partnership,
    hub_organisation: Organisation,
    version: int,
    reason: str = "",
    opens_at: time | None = time(9, 0),
    closes_at: time | None = time(17, 0),
    weekdays: str = "01234",
    closed_days: list[date] | None = None,
    red_working_hours: int | None = 4,
    amber_working_hours: int | None = 24,
    green_hours: int | None = 72,
) -> HubSettings:
    """Create the partnership's hub (version 0 = none yet) or change its settings."""
    require(actor, Permission.HUB_CONFIGURE)
    if not actor.is_system and actor.organisation_id != hub_organisation.pk:
        raise DomainError("Only the organisation hosting the hub configures it.")
    members = selectors._active_members().filter(partnership=partnership)
    if not members.filter(organisation=hub_organisation).exists():
        raise DomainError(f"{hub_organisation.name} is not a member of {partnership.name}.")
    fields = _clean(
        opens_at=opens_at,
        closes_at=closes_at,
        weekdays=weekdays,
        closed_days=closed_days,
        red_working_hours=red_working_hours,
        amber_working_hours=amber_working_hours,
        green_hours=green_hours,
    )
    reason = " ".join(reason.split())[:500]
    hub = HubSettings.objects.filter(partnership=partnership).first()
    if hub is None:
        if version != 0:
            raise Conflict("This hub's settings were removed or never saved; reload the page.")
        hub = HubSettings.objects.create(
            organisation=hub_organisation, partnership=partnership, **fields
        )
    else:
        if hub.organisation_id != hub_organisation.pk:
            raise DomainError("The hub of this partnership is hosted by another member.")
        updated = HubSettings.objects.filter(pk=hub.pk, version=version).update(
            version=F("version") + 1, updated_at=timezone.now(), **fields
        )
        if updated != 1:
            raise Conflict(
                "Someone else changed the hub's settings since you opened them; "
                "reload to see their version."
            )
        hub.refresh_from_db()
    values = _values(hub)
    HubSettingsVersion.objects.create(
        organisation=hub.organisation,
        hub=hub,
        version=hub.version,
        values=values,
        reason=reason,
        changed_by=actor.user,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.HUB_SETTINGS_CHANGED,
        subject=hub,
        reason=reason,
        organisation_id=hub.organisation_id,
        changes={"version": hub.version, **values},
    )
    return hub


@transaction.atomic(durable=True)
def hub_agency_save(
    *,
    actor: Actor,
    hub: HubSettings,
    agency_organisation: Organisation,
    kind: str,
    is_active: bool = True,
) -> HubAgency:
    """Add an agency the hub asks (a member organisation, with its kind), or change it."""
    require(actor, Permission.HUB_CONFIGURE)
    if not actor.is_system and actor.organisation_id != hub.organisation_id:
        raise DomainError("Only the organisation hosting the hub configures it.")
    if kind not in AgencyKind.values:
        raise DomainError("Choose the kind of agency.", field="kind")
    members = selectors._active_members().filter(partnership_id=hub.partnership_id)
    if not members.filter(organisation=agency_organisation).exists():
        raise DomainError(
            f"{agency_organisation.name} is not a member of the partnership.",
            field="agency_organisation",
        )
    agency, created = HubAgency.objects.update_or_create(
        hub=hub,
        agency_organisation=agency_organisation,
        defaults={"organisation_id": hub.organisation_id, "kind": kind, "is_active": is_active},
    )
    recorder.record(
        actor=actor,
        action=AuditAction.HUB_SETTINGS_CHANGED,
        subject=agency,
        organisation_id=hub.organisation_id,
        changes={
            "agency_organisation": agency_organisation.pk,
            "kind": kind,
            "is_active": is_active,
            "added": created,
        },
    )
    return agency
