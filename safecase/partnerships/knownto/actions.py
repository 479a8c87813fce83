"""Asking "is this person known to our partners?" and setting whom partners should contact.

``known_to_check`` validates everything before it writes anything: bad input raises
DomainError and records nothing. Past the hourly limit it records one refusal on the asker's
chain and raises RateLimited. Otherwise, in one transaction: the check (purpose and digest
kinds, never the values), the answer (organisations and contacts as shown), one
``known_to.checked`` event on the asker's organisation's chain and one ``known_to.matched``
event on each matched organisation's own chain, saying who asked, from where and when, but
not which of its records matched (ADR 0016).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.accounts.models import User
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.partnerships.knownto import digests, selectors
from safecase.partnerships.knownto.models import (
    DigestKind,
    KnownToCheck,
    KnownToContact,
    KnownToMatch,
)
from safecase.people.identifiers import IdentifierScheme, InvalidIdentifier

PURPOSE_LIMIT = 1000


class RateLimited(DomainError):  # noqa: N818 - reads as a sentence: "raise RateLimited"
    """The asker reached their hourly limit of checks (the page answers 429)."""


class _OverLimit(Exception):  # noqa: N818 - internal signal, turned into RateLimited
    pass


def _wanted(
    identifiers: Iterable[tuple[str, str]],
    given_names: str,
    family_name: str,
    date_of_birth: date | None,
) -> list[tuple[str, str]]:
    """(digest kind, digest) pairs to look for; DomainError naming the field on bad input."""
    wanted: list[tuple[str, str]] = []
    for scheme, value in identifiers:
        if not (value or "").strip():
            continue
        if scheme not in IdentifierScheme.values:
            raise DomainError("Choose a kind of identifier.", field="identifier")
        try:
            normalised = digests.normalise_asked_identifier(scheme, value)
        except InvalidIdentifier as exc:
            raise DomainError(str(exc), field=scheme) from exc
        wanted.append((digests.SCHEME_KINDS[scheme], digests.identifier_digest(scheme, normalised)))
    given, family = (given_names or "").strip(), (family_name or "").strip()
    if given or family or date_of_birth is not None:
        if not given or not family or date_of_birth is None:
            raise DomainError(
                "To check by name, give the given names, the family name and the date of birth "
                "together.",
                field="family_name"
                if not family
                else "given_names"
                if not given
                else "date_of_birth",
            )
        if not isinstance(date_of_birth, date):
            raise DomainError("Give the date of birth as a date.", field="date_of_birth")
        if date_of_birth > timezone.localdate():
            raise DomainError("The date of birth cannot be in the future.", field="date_of_birth")
        forms = digests.name_dob_digests(given, family, date_of_birth)
        if not forms:
            raise DomainError("Give the names in letters.", field="family_name")
        wanted.extend((DigestKind.NAME_DOB, digest) for digest in sorted(forms))
    if not wanted:
        raise DomainError(
            "Give at least one identifier, or the person's names and date of birth together."
        )
    return wanted


@transaction.atomic(durable=True)
def _check_in_transaction(
    *, actor: Actor, purpose: str, wanted: list[tuple[str, str]], kinds: list[str]
) -> KnownToCheck:
    assert actor.user is not None and actor.organisation is not None
    # One user's checks one at a time, so two at once cannot both slip under the limit.
    list(User.objects.select_for_update().filter(pk=actor.user.pk).values_list("pk"))
    if selectors.checks_in_last_hour(actor) >= selectors.checks_per_hour():
        raise _OverLimit
    found = selectors.matching_organisations(actor, wanted)
    check = KnownToCheck.objects.create(
        organisation=actor.organisation,
        asked_by=actor.user,
        purpose=purpose,
        digest_kinds=kinds,
        matched=len(found),
    )
    KnownToMatch.objects.bulk_create(
        KnownToMatch(
            check_made=check,
            organisation_id=f.organisation_id,
            organisation_name=f.organisation_name[:200],
            contact_role=f.contact_role,
            contact_mailbox=f.contact_mailbox,
        )
        for f in found
    )
    recorder.record(
        actor=actor,
        action=AuditAction.KNOWN_TO_CHECKED,
        subject=check,
        reason=purpose,
        changes={
            "digest_kinds": kinds,
            "matched": len(found),
            "organisations": [str(f.organisation_id) for f in found],
        },
    )
    for f in found:
        recorder.record(
            actor=actor,
            action=AuditAction.KNOWN_TO_MATCHED,
            organisation_id=f.organisation_id,
            subject_type="known_to.check",
            subject_id=str(check.pk),
            changes={
                "asked_by_organisation": str(actor.organisation.pk),
                "asked_by_organisation_name": actor.organisation.name,
                "digest_kinds": kinds,
            },
        )
    return check


def known_to_check(
    *,
    actor: Actor,
    purpose: str,
    identifiers: Iterable[tuple[str, str]] = (),
    given_names: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
) -> KnownToCheck:
    """Ask whether a person is known to the other members of the actor's partnerships, by
    identifiers (scheme, value) and/or names and date of birth; the answer is the check's
    matches. Validates first (DomainError, nothing written); past the hourly limit, records
    the refusal and raises RateLimited."""
    require(actor, Permission.KNOWN_TO_CHECK)
    if actor.user is None or actor.organisation is None:
        raise NotPermitted("You do not have permission to do that.")
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError(
            "Say why you are asking (for example: the referral you are screening).",
            field="purpose",
        )
    if len(purpose) > PURPOSE_LIMIT:
        raise DomainError(f"Keep the reason under {PURPOSE_LIMIT} characters.", field="purpose")
    wanted = _wanted(list(identifiers), given_names, family_name, date_of_birth)
    kinds = sorted({kind for kind, _ in wanted})
    limit = selectors.checks_per_hour()
    try:
        return _check_in_transaction(actor=actor, purpose=purpose, wanted=wanted, kinds=kinds)
    except _OverLimit:
        recorder.record_in_own_transaction(
            actor=actor,
            action=AuditAction.KNOWN_TO_RATE_LIMITED,
            outcome=Outcome.DENIED,
            subject_type="known_to.check",
            changes={"digest_kinds": kinds, "limit_per_hour": limit},
        )
        raise RateLimited(
            f"You have made {limit} known-to checks in the last hour, the most allowed. "
            "Try again later, or ask the MASH if this is urgent."
        ) from None


@transaction.atomic(durable=True)
def known_to_contact_save(*, actor: Actor, role: str, mailbox: str, version: int) -> KnownToContact:
    """Set whom partners should contact when a check finds a person known to the actor's
    organisation. ``version`` is 0 when there is none yet; a stale one raises Conflict."""
    if not selectors.may_set_contact(actor):
        raise NotPermitted("You do not have permission to do that.")
    if actor.organisation is None:
        raise NotPermitted("You do not have permission to do that.")
    role = " ".join((role or "").split())
    mailbox = (mailbox or "").strip()
    if not role:
        raise DomainError(
            "Give the role or team partners should contact, e.g. 'MASH police desk'.",
            field="role",
        )
    if len(role) > 200:
        raise DomainError("Keep the role under 200 characters.", field="role")
    try:
        validate_email(mailbox)
    except ValidationError as exc:
        raise DomainError(
            "Give the mailbox as an e-mail address, e.g. mash@example.org.", field="mailbox"
        ) from exc
    current = (
        KnownToContact.objects.select_for_update().filter(organisation=actor.organisation).first()
    )
    if (current.version if current else 0) != version:
        raise Conflict(
            "Someone else changed the known-to contact while you were editing. "
            "Review the current contact and try again."
        )
    if current is None:
        contact = KnownToContact.objects.create(
            organisation=actor.organisation, role=role, mailbox=mailbox, updated_by=actor.user
        )
        changes = {"role": ["", role], "mailbox": ["", mailbox]}
    else:
        changes = {}
        if current.role != role:
            changes["role"] = [current.role, role]
        if current.mailbox != mailbox:
            changes["mailbox"] = [current.mailbox, mailbox]
        KnownToContact.objects.filter(pk=current.pk).update(
            role=role,
            mailbox=mailbox,
            updated_by=actor.user,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        contact = KnownToContact.objects.get(pk=current.pk)
    recorder.record(
        actor=actor, action=AuditAction.KNOWN_TO_CONTACT_CHANGED, subject=contact, changes=changes
    )
    return contact
