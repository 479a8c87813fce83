"""The rules the investigation's actions share: required and optional text, dates not in the
future, who may run or conduct an interview, and that a concluded investigation takes nothing
new. Not actions: they change nothing."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import Membership, User
from safecase.cases import guards, selectors
from safecase.cases.investigations.choices import InvestigationStatus
from safecase.cases.investigations.models import Investigation
from safecase.cases.models import Case
from safecase.core.actors import Actor
from safecase.core.errors import DomainError

TEXT_LIMIT = 20_000


def required(value: str, what: str, field: str) -> str:
    return guards.required_text(value, what, field=field, limit=TEXT_LIMIT)


def optional_text(value: str, field: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > TEXT_LIMIT:
        raise DomainError(f"Keep it under {TEXT_LIMIT} characters.", field=field)
    return cleaned


def not_in_future(value: date | datetime, what: str, field: str) -> None:
    """Refuse a date or time after now: what happened cannot have happened later."""
    if isinstance(value, datetime):
        if value > timezone.now():
            raise DomainError(f"The {what} cannot be in the future.", field=field)
    elif value > timezone.localdate():
        raise DomainError(f"The {what} cannot be in the future.", field=field)


def require_member_with_access(case: Case, user: User, *, field: str, what: str) -> None:
    """``user`` must be an active member of the case's organisation whose role lets them work
    on cases and who can see this one (a restricted case: a named person)."""
    membership = (
        Membership.objects.filter(user=user, organisation_id=case.organisation_id, is_active=True)
        .prefetch_related("roles")
        .first()
    )
    if membership is None:
        raise DomainError(f"Choose an active member of your organisation as {what}.", field=field)
    member = Actor(
        user=user, organisation=case.organisation, roles=frozenset(membership.role_names())
    )
    name = user.full_name or user.email
    if not can(member, Permission.CASE_MANAGE):
        raise DomainError(f"{name}'s role does not allow them to act as {what}.", field=field)
    if not selectors.cases_visible_to(member).filter(pk=case.pk).exists():
        raise DomainError(
            f"{name} cannot see this case (it is restricted to named people, or kept on the "
            f"lead's low-level log), so cannot be {what}.",
            field=field,
        )


def require_running(investigation: Investigation) -> None:
    if investigation.status == InvestigationStatus.CONCLUDED:
        raise DomainError(
            "The investigation is concluded. Reopen it (with the reason) before adding to it."
        )
