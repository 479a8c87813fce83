"""Changes to organisations, partnerships and memberships. Each writes its audit event."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.access.roles import Role
from safecase.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    Partnership,
    PartnershipMember,
    RecoveryCodeDevice,
    User,
)
from safecase.accounts.sessions import end_sessions
from safecase.accounts.tasks import send_invitation
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted

VALID_ROLES = frozenset(Role.values)


def _require_operator(actor: Actor) -> None:
    """Only the operator of the installation: a system actor acting for no one organisation
    (``Actor.system(label)`` in manage.py commands and the demo loader).

    Creating organisations and partnerships reaches beyond any one organisation, so no role
    grants it, not even an organisation's administrator (who holds ``org.manage_settings`` for
    their own organisation only); nor does a system actor acting for one organisation (a task).
    """
    if not (actor.is_system and actor.organisation is None):
        raise NotPermitted("Only the Safecase operator can do that.")


def _clean_roles(roles: list[str] | set[str] | frozenset[str]) -> list[str]:
    chosen = sorted(set(roles))
    if not chosen:
        raise DomainError("Choose at least one role.", field="roles")
    unknown = [r for r in chosen if r not in VALID_ROLES]
    if unknown:
        raise DomainError(f"Unknown role: {', '.join(unknown)}.", field="roles")
    return chosen


@transaction.atomic(durable=True)
def organisation_create(*, actor: Actor, name: str, org_type: str) -> Organisation:
    """Create an organisation (operators only: management commands and the demo)."""
    _require_operator(actor)
    organisation = Organisation.objects.create(name=name.strip(), org_type=org_type)
    recorder.record(
        actor=actor,
        action=AuditAction.ORG_CREATED,
        subject=organisation,
        organisation_id=organisation.pk,
        changes={"name": organisation.name, "org_type": org_type},
    )
    return organisation


@transaction.atomic(durable=True)
def organisation_update_settings(
    *,
    actor: Actor,
    organisation: Organisation,
    version: int,
    name: str,
    mfa_required_for_reporters: bool,
) -> Organisation:
    """Change the organisation's name and MFA rule; refuses a stale form (optimistic lock)."""
    require(actor, Permission.ORG_MANAGE_SETTINGS, organisation)
    before = Organisation.objects.get(pk=organisation.pk)
    updated = Organisation.objects.filter(pk=organisation.pk, version=version).update(
        name=name.strip(),
        mfa_required_for_reporters=mfa_required_for_reporters,
        version=F("version") + 1,
    )
    if updated != 1:
        raise Conflict(
            "Someone else changed these settings while you were editing. "
            "Review the current values and try again."
        )
    changes: dict[str, Any] = {}
    if before.name != name.strip():
        changes["name"] = [before.name, name.strip()]
    if before.mfa_required_for_reporters != mfa_required_for_reporters:
        changes["mfa_required_for_reporters"] = [
            before.mfa_required_for_reporters,
            mfa_required_for_reporters,
        ]
    recorder.record(
        actor=actor, action=AuditAction.ORG_SETTINGS_CHANGED, subject=organisation, changes=changes
    )
    organisation.refresh_from_db()
    return organisation


@transaction.atomic(durable=True)
def partnership_create(
    *,
    actor: Actor,
    name: str,
    purpose: str,
    lawful_basis: str,
    starts_on: date,
    ends_on: date | None = None,
    agreement_reference: str = "",
) -> Partnership:
    """Record a partnership and its information-sharing agreement (operators only for now)."""
    _require_operator(actor)
    if not purpose.strip() or not lawful_basis.strip():
        raise DomainError("A partnership needs a purpose and a lawful basis.")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("The agreement cannot end before it starts.", field="ends_on")
    partnership = Partnership.objects.create(
        name=name.strip(),
        purpose=purpose.strip(),
        lawful_basis=lawful_basis.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        agreement_reference=agreement_reference.strip(),
    )
    recorder.record(
        actor=actor,
        action=AuditAction.PARTNERSHIP_CREATED,
        subject=partnership,
        changes={"name": partnership.name, "starts_on": starts_on, "ends_on": ends_on},
    )
    return partnership


@transaction.atomic(durable=True)
def partnership_add_member(
    *, actor: Actor, partnership: Partnership, organisation: Organisation
) -> PartnershipMember:
    """Add an organisation to a partnership; recorded in the organisation's own audit chain.

    Operators only: joining a partnership opens the organisation to its sharing agreement."""
    _require_operator(actor)
    member, _ = PartnershipMember.objects.get_or_create(
        partnership=partnership, organisation=organisation
    )
    recorder.record(
        actor=actor,
        action=AuditAction.PARTNERSHIP_MEMBER_ADDED,
        subject=partnership,
        organisation_id=organisation.pk,
        changes={"partnership": partnership.name, "organisation": organisation.name},
    )
    return member


@transaction.atomic(durable=True)
def member_invite(
    *,
    actor: Actor,
    email: str,
    full_name: str,
    roles: list[str],
    base_url: str,
) -> Membership:
    """Add a person to the actor's organisation with roles, creating their account if new.

    A new account has no password until the person follows the e-mailed link.
    """
    require(actor, Permission.ORG_MANAGE_MEMBERS)
    assert actor.organisation is not None  # guaranteed by require()
    chosen = _clean_roles(roles)
    address = email.strip().lower()
    user = User.objects.filter(email=address).first()
    if user is None:
        user = User.objects.create_user(email=address, full_name=full_name.strip())
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=actor.organisation
    )
    if not created and membership.is_active:
        raise DomainError(f"{address} is already a member of this organisation.", field="email")
    if not created:
        membership.is_active = True
        membership.version += 1
        membership.save(update_fields=["is_active", "version", "updated_at"])
        membership.roles.all().delete()
    MembershipRole.objects.bulk_create(
        MembershipRole(membership=membership, role=r) for r in chosen
    )
    recorder.record(
        actor=actor,
        action=AuditAction.MEMBER_INVITED,
        subject=membership,
        # Whether the address already had an account elsewhere is not this organisation's
        # business, so it is not recorded in its chain.
        changes={"user_id": user.pk, "roles": chosen},
    )
    organisation_name = actor.organisation.name
    transaction.on_commit(
        lambda: send_invitation.enqueue(
            user_id=str(user.pk),
            organisation_name=organisation_name,
            invited_by=actor.label,
            base_url=base_url,
        )
    )
    return membership


def _lock_organisation(organisation_id: object) -> None:
    """Serialise membership changes in one organisation, so two administrators acting at once
    cannot both remove "the other" administrator (PostgreSQL; SQLite serialises writers)."""
    list(Organisation.objects.select_for_update().filter(pk=organisation_id).values("pk"))


def _managed_only_here(membership: Membership) -> bool:
    """True when the person belongs to no other organisation: only then may this
    organisation's administrator act on their whole account (MFA, every session)."""
    return not (
        Membership.objects.filter(user_id=membership.user_id, is_active=True)
        .exclude(organisation_id=membership.organisation_id)
        .exists()
    )


def _require_sole_manager(membership: Membership) -> None:
    if not _managed_only_here(membership):
        raise DomainError(
            "This person also belongs to another organisation, so their account is not yours "
            "alone to change. Ask the Safecase operator (manage.py user_reset_mfa)."
        )


def _admin_count(organisation_id: object) -> int:
    return MembershipRole.objects.filter(
        membership__organisation_id=organisation_id,
        membership__is_active=True,
        membership__user__is_active=True,
        role=Role.ORG_ADMIN,
    ).count()


@transaction.atomic(durable=True)
def member_set_roles(
    *, actor: Actor, membership: Membership, roles: list[str], version: int
) -> Membership:
    """Replace a member's roles; takes effect on their next request."""
    require(actor, Permission.ORG_MANAGE_MEMBERS, membership)
    if actor.user is not None and membership.user_id == actor.user.pk:
        # Otherwise an administrator could grant themselves case roles (and case content).
        raise DomainError("You cannot change your own roles. Ask another administrator.")
    chosen = _clean_roles(roles)
    _lock_organisation(membership.organisation_id)
    before = sorted(membership.roles.values_list("role", flat=True))
    if (
        Membership.objects.filter(pk=membership.pk, version=version).update(
            version=F("version") + 1
        )
        != 1
    ):
        raise Conflict("Someone else changed this member while you were editing. Try again.")
    membership.roles.all().delete()
    MembershipRole.objects.bulk_create(
        MembershipRole(membership=membership, role=r) for r in chosen
    )
    if Role.ORG_ADMIN in before and _admin_count(membership.organisation_id) == 0:
        raise DomainError("The organisation must keep at least one administrator.", field="roles")
    recorder.record(
        actor=actor,
        action=AuditAction.MEMBER_ROLES_CHANGED,
        subject=membership,
        changes={"roles": [before, chosen]},
    )
    membership.refresh_from_db()
    return membership


@transaction.atomic(durable=True)
def member_deactivate(*, actor: Actor, membership: Membership, reason: str) -> Membership:
    """Remove a member's access to this organisation at once, ending all their sessions."""
    require(actor, Permission.ORG_MANAGE_MEMBERS, membership)
    if not reason.strip():
        raise DomainError("Give a reason for deactivating this member.", field="reason")
    if actor.user is not None and membership.user_id == actor.user.pk:
        raise DomainError("You cannot deactivate yourself. Ask another administrator.")
    _lock_organisation(membership.organisation_id)
    Membership.objects.filter(pk=membership.pk).update(is_active=False, version=F("version") + 1)
    if _admin_count(membership.organisation_id) == 0:
        raise DomainError("The organisation must keep at least one administrator.")
    # Their access to this organisation ends at their next request whatever happens (roles are
    # read per request). Sessions end too, unless the account also serves another organisation.
    ended = end_sessions(membership.user) if _managed_only_here(membership) else 0
    recorder.record(
        actor=actor,
        action=AuditAction.MEMBER_DEACTIVATED,
        subject=membership,
        reason=reason.strip(),
        changes={"sessions_ended": ended},
    )
    membership.refresh_from_db()
    return membership


@transaction.atomic(durable=True)
def member_reactivate(*, actor: Actor, membership: Membership, reason: str) -> Membership:
    """Give a deactivated member their access back, with the roles they held."""
    require(actor, Permission.ORG_MANAGE_MEMBERS, membership)
    if not reason.strip():
        raise DomainError("Give a reason for reactivating this member.", field="reason")
    Membership.objects.filter(pk=membership.pk).update(is_active=True, version=F("version") + 1)
    recorder.record(
        actor=actor,
        action=AuditAction.MEMBER_REACTIVATED,
        subject=membership,
        reason=reason.strip(),
    )
    membership.refresh_from_db()
    return membership


@transaction.atomic(durable=True)
def member_reset_mfa(*, actor: Actor, membership: Membership, reason: str) -> Membership:
    """Remove a member's authenticator and recovery codes (e.g. a lost phone).

    They enrol again at their next sign-in; their sessions end now so nobody keeps a verified one.
    """
    require(actor, Permission.ORG_MANAGE_MEMBERS, membership)
    if not reason.strip():
        raise DomainError(
            "Give a reason for resetting multi-factor authentication.", field="reason"
        )
    _require_sole_manager(membership)
    user = membership.user
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += RecoveryCodeDevice.objects.filter(user=user).delete()[0]
    ended = end_sessions(user)
    recorder.record(
        actor=actor,
        action=AuditAction.MFA_RESET,
        subject=membership,
        reason=reason.strip(),
        changes={"devices_removed": removed, "sessions_ended": ended},
    )
    return membership


@transaction.atomic(durable=True)
def member_end_sessions(*, actor: Actor, membership: Membership, reason: str) -> int:
    """Sign a member out everywhere (e.g. a shared computer left signed in)."""
    require(actor, Permission.ORG_MANAGE_MEMBERS, membership)
    if not reason.strip():
        raise DomainError("Give a reason for signing this member out.", field="reason")
    _require_sole_manager(membership)
    ended = end_sessions(membership.user)
    recorder.record(
        actor=actor,
        action=AuditAction.AUTH_SESSIONS_ENDED,
        subject=membership,
        reason=reason.strip(),
        changes={"sessions_ended": ended},
    )
    return ended
