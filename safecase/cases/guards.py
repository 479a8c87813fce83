"""The checks every action on a case or on a part of it starts with, in one place, so the
parts of a case (risk, referrals, investigation, decisions...) refuse alike.

A part's action calls ``require_case_change`` first: the policy for the case, the case's
visibility (restriction to named people, the low-level log) and ownership (a share lets a
partner read a case, never change it); then, for anything but a reopening, that the case is
open. Reasons and rationales are cleaned and refused below ``MIN_REASON`` characters by
``required_text``.
"""

from __future__ import annotations

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.cases.models import Case
from safecase.cases.selectors import cases_visible_to
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted

MIN_REASON = 5


def require_case_access(actor: Actor, case: Case, perm: Permission) -> None:
    """The policy for the case, its visibility, and ownership; NotPermitted ("Not found.",
    as for a missing case) otherwise."""
    require(actor, perm, case)
    if not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise NotPermitted("Not found.")
    if not actor.is_system and case.organisation_id != actor.organisation_id:
        raise NotPermitted("Not found.")


def require_case_change(actor: Actor, case: Case, perm: Permission) -> None:
    """As require_case_access, and the case must be open: a closed case is reopened (with
    its reason) before anything is added to it."""
    require_case_access(actor, case, perm)
    if case.is_closed:
        raise DomainError("Reopen the case before adding to it.")


def required_text(text: str, what: str, *, field: str = "reason", limit: int = 0) -> str:
    """``text`` with its whitespace tidied, or DomainError asking for ``what`` (e.g. "the
    rationale for this decision") when it is shorter than MIN_REASON characters."""
    cleaned = " ".join(text.split()) if "\n" not in text else text.strip()
    if len(" ".join(cleaned.split())) < MIN_REASON:
        raise DomainError(f"Give {what}: the record must say why.", field=field)
    if limit and len(cleaned) > limit:
        raise DomainError(f"Keep it under {limit} characters.", field=field)
    return cleaned


def stale(what: str = "This record") -> Conflict:
    return Conflict(
        f"{what} changed since you opened it (perhaps someone else changed it). Reload it to "
        "see the current version, then try again."
    )
