"""can() and require(): the one place that answers "may this actor do this (to this)?"."""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from safecase.access import scoping
from safecase.access.models import BreakGlassAccess, RecordRestriction, ShareGrant
from safecase.access.permissions import SHAREABLE_PERMISSIONS, USER_PERMISSIONS, Permission
from safecase.access.roles import permissions_for
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted


def owner_organisation_id(obj: models.Model) -> uuid.UUID | None:
    """The organisation a record belongs to (an Organisation belongs to itself)."""
    owner = obj.pk if obj._meta.label_lower == "accounts.organisation" else None
    owner = owner or getattr(obj, "organisation_id", None)
    return owner if isinstance(owner, uuid.UUID) else None


def object_key(obj: models.Model) -> str:
    """How share grants and restrictions name a record: its UUID as 32 hex digits."""
    pk = obj.pk
    return pk.hex if isinstance(pk, uuid.UUID) else str(pk)


def _restriction_allows(actor: Actor, obj: models.Model) -> bool:
    content_type = ContentType.objects.get_for_model(obj)
    key = object_key(obj)
    if actor.user is not None and actor.organisation is not None:
        # The actor's kept list of records closed to them (read once per request).
        restricted = scoping.visibility(actor).is_restricted(content_type.pk, key)
        if restricted is not None:
            return not restricted
    restriction = RecordRestriction.objects.filter(content_type=content_type, object_id=key).first()
    if restriction is None:
        return True
    if restriction.named_people.filter(pk=actor.user.pk if actor.user else None).exists():
        return True
    # A break-glass opening (S3) by this user, of their own organisation's record, still open.
    return (
        actor.user is not None
        and actor.organisation_id == restriction.organisation_id
        and BreakGlassAccess.objects.filter(
            organisation_id=restriction.organisation_id,
            user_id=actor.user.pk,
            content_type=content_type,
            object_id=key,
            expires_at__gt=timezone.now(),
        ).exists()
    )


def _shared_with_actor(actor: Actor, obj: models.Model) -> bool:
    content_type = ContentType.objects.get_for_model(obj)
    key = object_key(obj)
    shared = scoping.visibility(actor).is_shared(content_type.pk, key)
    if shared is not None:
        return shared
    return (
        ShareGrant.objects.active()
        .filter(to_organisation_id=actor.organisation_id, content_type=content_type, object_id=key)
        .exists()
    )


def can(actor: Actor, perm: Permission, obj: models.Model | None = None) -> bool:
    """True when the actor holds ``perm`` and, for an object, may exercise it on that object.

    System actors (management commands, background tasks run by the operator) may do anything.
    """
    if actor.is_system:
        return True
    if actor.user is None or not actor.user.is_active:
        return False
    if perm in USER_PERMISSIONS:
        return (
            obj is None or obj.pk == actor.user.pk or getattr(obj, "user_id", None) == actor.user.pk
        )
    if actor.organisation is None or perm not in permissions_for(actor.roles):
        return False
    if obj is None:
        return True
    owner = owner_organisation_id(obj)
    if owner is None:
        return False
    if owner == actor.organisation_id:
        return _restriction_allows(actor, obj)
    return (
        perm in SHAREABLE_PERMISSIONS
        and _shared_with_actor(actor, obj)
        and _restriction_allows(actor, obj)
    )


def require(actor: Actor, perm: Permission, obj: models.Model | None = None) -> None:
    """Raise NotPermitted unless can(); actions call this even when the view checked already."""
    if not can(actor, perm, obj):
        raise NotPermitted("You do not have permission to do that.")
