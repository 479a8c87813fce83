"""What the hub's actions share: tidy text, the version guard, the moment an action counts
as done, and the check that the actor is the hub's own staff."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Model
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.accounts.models import User
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.partnerships.models import HubReferral

CLOCK_SLACK = timedelta(minutes=5)
OLDEST_DAYS = 31


def text(value: str, limit: int, what: str, field: str, *, required: bool = False) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise DomainError(f"Give {what}.", field=field)
    if len(cleaned) > limit:
        raise DomainError(f"Keep {what} under {limit} characters.", field=field)
    return cleaned


def bump(model: type[Model], row: Model, version: int, what: str, **fields: object) -> None:
    now = timezone.now()
    updated = model._default_manager.filter(pk=row.pk, version=version).update(
        version=F("version") + 1, updated_at=now, **fields
    )
    if updated != 1:
        raise Conflict(
            f"Someone else changed this {what} since you opened it; reload to see their version."
        )
    for name, value in fields.items():
        setattr(row, name, value)
    row.version, row.updated_at = version + 1, now  # type: ignore[attr-defined]


def moment(at: datetime | None, *, not_before: datetime | None = None) -> datetime:
    """When the action counts as done: now, or ``at`` for work recorded after the fact (a
    rating given on the phone, an answer sent by secure e-mail before it was typed in): never
    in the future, never more than a month back, never before what it follows."""
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SLACK:
        raise DomainError("That cannot have happened in the future.", field="at")
    if at < now - timedelta(days=OLDEST_DAYS):
        raise DomainError("Give a time within the last month.", field="at")
    if not_before is not None and at < not_before:
        raise DomainError("That cannot have happened before what it follows.", field="at")
    return at


def require_hub_staff(actor: Actor, referral: HubReferral) -> User:
    """The hub's own staff (a person: ratings and requests name who made them)."""
    require(actor, Permission.HUB_MANAGE)
    if actor.user is None or actor.organisation_id != referral.organisation_id:
        raise NotPermitted("Only the hub's staff do that.")
    return actor.user
