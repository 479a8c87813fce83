"""People who sign in, the organisations they belong to, and the partnerships between those."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django_otp.models import Device

from safecase.access.roles import Role
from safecase.core.models import BaseModel


class UserManager(BaseUserManager["User"]):
    def create_user(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:  # used by actions only
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):  # type: ignore[django-manager-missing] # otp devices are untyped
    """A person who signs in with their e-mail address.

    Seen by themselves, and by the administrators of organisations they belong to (name, e-mail,
    status; never their case work). There are no superusers: the platform is run with commands.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    # Demo personas may skip MFA, but only while SAFECASE_DEMO is on (never in production).
    is_demo = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email


class OrganisationType(models.TextChoices):
    SCHOOL = "school", "School or college"
    SPORT = "sport", "Sports club or governing body"
    CHARITY = "charity", "Charity"
    WORKPLACE = "workplace", "Workplace"
    CHILDRENS_SERVICES = "childrens_services", "Local authority children's services"
    ADULT_SERVICES = "adult_services", "Adult services"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    MASH = "mash", "Multi-agency safeguarding hub"
    OTHER = "other", "Other"


class Organisation(BaseModel):
    """An organisation that keeps safeguarding records (a tenant). Every record belongs to one.

    Its members see its name and type; its administrators change its settings.
    """

    name = models.CharField(max_length=200)
    org_type = models.CharField(max_length=32, choices=OrganisationType.choices)
    mfa_required_for_reporters = models.BooleanField(
        default=False, help_text="Require multi-factor authentication from reporters too."
    )
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    # Hints, set (never cleared) when the first share into the organisation or the first
    # restriction of one of its records is saved: most organisations have neither, and their
    # requests then skip reading shares and restrictions (access.scoping.visibility).
    receives_shares = models.BooleanField(default=False, editable=False)
    restricts_records = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Partnership(BaseModel):
    """Organisations working together under a recorded information-sharing agreement (ISA).

    Visible to the leads and administrators of member organisations.
    """

    name = models.CharField(max_length=200)
    purpose = models.TextField()
    lawful_basis = models.TextField(help_text="e.g. UK GDPR Art. 6(1)(e) and Art. 9(2)(g)")
    agreement_reference = models.CharField(max_length=200, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    organisations: models.ManyToManyField[Organisation, PartnershipMember] = models.ManyToManyField(
        Organisation, through="PartnershipMember", related_name="partnerships"
    )

    def __str__(self) -> str:
        return self.name


class PartnershipMember(BaseModel):
    """An organisation's signature to a partnership's agreement, with when it joined and left."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="members")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("partnership", "organisation"), name="uniq_partnership_member"
            ),
        )


class Membership(BaseModel):
    """A user's place in an organisation: active or not, and the roles they hold there.

    Visible to the user and to the organisation's administrators.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("user", "organisation"), name="uniq_membership"),
        )
        indexes = (models.Index(fields=("organisation", "is_active")),)

    def role_names(self) -> list[str]:
        return sorted(r.role for r in self.roles.all())


class MembershipRole(models.Model):
    """One role held through a membership (a user may hold several in one organisation)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("membership", "role"), name="uniq_membership_role"),
        )
        indexes = (models.Index(fields=("role", "membership")),)

    def __str__(self) -> str:
        return self.role


class UserSession(models.Model):
    """A signed-in session, so that a user or an administrator can list and end sessions.

    Visible to the user; ended in bulk when the user is deactivated or their MFA is reset.
    """

    session_key = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"


def hash_secret(secret: str) -> str:
    """SHA-256 for high-entropy machine-made secrets (recovery codes, API tokens).

    These are random 100+ bit values, so a slow password hash adds nothing but latency.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class RecoveryCodeDevice(Device):  # type: ignore[misc] # django-otp ships no type hints
    """A django-otp device holding one-time recovery codes, stored only as hashes."""

    def verify_token(self, token: Any) -> bool:
        normalised = str(token).strip().replace("-", "").replace(" ", "").lower()
        if not normalised:
            return False
        code = self.codes.filter(code_hash=hash_secret(normalised), used_at__isnull=True).first()
        if code is None:
            return False
        # A recovery code works once; the conditional update makes that true under concurrency.
        used = RecoveryCode.objects.filter(pk=code.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        return used == 1


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "used recovery code" if self.used_at else "unused recovery code"


class ApiToken(BaseModel):
    """A personal API token: scoped to one organisation, expiring, revocable, hashed at rest.

    Visible to its owner. The secret is shown once, at creation.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A token made without a second factor stops working once its owner must use one.
    created_with_mfa = models.BooleanField(default=False)

    class Meta:
        indexes = (models.Index(fields=("user", "organisation")),)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
