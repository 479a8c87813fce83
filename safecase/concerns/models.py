"""Concerns (what someone noticed, heard or was told), their addenda, triage and actions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from safecase.concerns.choices import (
    ActionStatus,
    ConcernKind,
    ConcernStatus,
    LevelOfNeed,
    PersonRole,
    Rag,
    TriageDecision,
)
from safecase.core.models import BaseModel


class Category(models.Model):
    """A concern category. Rows with no organisation are the shipped UK defaults."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True
    )
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "label")
        constraints = (
            models.UniqueConstraint(fields=("organisation", "code"), name="uniq_category_code"),
        )

    def __str__(self) -> str:
        return self.label


class Concern(BaseModel):
    """One concern, recorded by any member of the organisation.

    A draft is seen only by the person recording it. Once submitted it never changes (R5):
    corrections are addenda. Seen by its recorder, and by the organisation's safeguarding team;
    a low-level concern about an adult (R8) only by the lead. Restriction and sharing apply.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    kind = models.CharField(max_length=20, choices=ConcernKind.choices, default=ConcernKind.CHILD)
    status = models.CharField(
        max_length=12, choices=ConcernStatus.choices, default=ConcernStatus.DRAFT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorder_role = models.CharField(
        max_length=120, blank=True, help_text="Your role, as you would sign a statement"
    )
    is_urgent = models.BooleanField(default=False)
    # When it happened is kept apart from when it was recorded (created_at / submitted_at).
    happened_at = models.DateTimeField(null=True, blank=True)
    happened_at_approximate = models.BooleanField(default=False)
    location = models.CharField(max_length=200, blank=True)
    categories = models.ManyToManyField(Category, blank=True)
    fact = models.TextField("What I saw or heard", blank=True)
    own_words = models.TextField("Their own words, exactly as said", blank=True)
    opinion = models.TextField("My opinion", blank=True)
    immediate_actions = models.TextField("What I did straight away", blank=True)
    others_informed = models.TextField("Who else I told", blank=True)
    body_map = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    # Marked by the lead as significant in the person's chronology (P3). Metadata about the
    # record, not part of what was recorded, so it may change after submission (audited).
    is_significant = models.BooleanField(default=False)
    # When an overdue, untriaged concern was escalated to the deputies (T1), so it happens once.
    escalated_at = models.DateTimeField(null=True, blank=True)
    # When a decision not to refer is due to be looked at again (T5); back in the queue then.
    review_due_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = (
            # The lead's queue: untriaged, urgent first, oldest first.
            models.Index(
                fields=("organisation", "status", "triaged_at", "is_urgent", "submitted_at")
            ),
            models.Index(fields=("organisation", "review_due_on")),
            models.Index(fields=("recorded_by", "status", "created_at")),
        )

    def __str__(self) -> str:
        return f"Concern {str(self.pk)[:8]}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ConcernStatus.SUBMITTED


class ConcernPerson(BaseModel):
    """A person named in a concern: as the recorder wrote them, and (once linked by the team)
    the person record they are."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="people")
    name_as_recorded = models.CharField(max_length=200)
    details_as_recorded = models.CharField(
        max_length=200, blank=True, help_text="e.g. class, team or date of birth"
    )
    role = models.CharField(max_length=12, choices=PersonRole.choices, default=PersonRole.SUBJECT)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="concerns"
    )

    class Meta:
        indexes = (models.Index(fields=("person", "concern")),)

    def __str__(self) -> str:
        return self.name_as_recorded


class Addendum(BaseModel):
    """A correction or addition to a submitted concern, with its reason. The original stays."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    text = models.TextField()

    def __str__(self) -> str:
        return f"Addendum to {self.concern_id}"


class Triage(BaseModel):
    """The lead's decision on a concern, with its mandatory rationale (T2). Never edited: a
    later triage supersedes an earlier one and both stay."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="triages")
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    level_of_need = models.PositiveSmallIntegerField(choices=LevelOfNeed.choices)
    rag = models.CharField(max_length=8, choices=Rag.choices)
    initial_risk = models.TextField()
    decision = models.CharField(max_length=16, choices=TriageDecision.choices)
    rationale = models.TextField()
    threshold_considered = models.TextField(blank=True)
    review_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=("concern", "created_at")),)

    def __str__(self) -> str:
        return f"Triage of {self.concern_id}: {self.decision}"

    # Replaces the method Django would generate from the choices (and django-stubs declares).
    def get_level_of_need_display(self) -> str:  # type: ignore[no-redef]
        """The level as the organisation labels it; the number stays comparable across agencies.
        Free when the triage was read with select_related("organisation__safeguarding_settings")."""
        organisation = self._state.fields_cache.get("organisation")
        labels: SafeguardingSettings
        if organisation is not None and "safeguarding_settings" in organisation._state.fields_cache:
            try:
                labels = organisation.safeguarding_settings
            except SafeguardingSettings.DoesNotExist:
                labels = SafeguardingSettings()
        else:
            labels = SafeguardingSettings.for_organisation(self.organisation_id)
        return labels.level_label(self.level_of_need)


class ConcernAction(BaseModel):
    """Something someone must do about a concern, by a date (T3)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = (
            models.Index(fields=("owner", "status", "due_on")),
            models.Index(fields=("organisation", "status", "due_on")),
        )

    def __str__(self) -> str:
        return self.description


class ScanState(models.TextChoices):
    """Where a file is in the virus scan (security bar F2). Only a clean file is downloadable."""

    PENDING = "pending", "Being checked for viruses"
    CLEAN = "clean", "Checked"
    QUARANTINED = "quarantined", "Quarantined: a virus was found"


class Attachment(BaseModel):
    """A file added to a concern (a photo of a note, a letter, a screenshot).

    Stored encrypted under a generated name (safecase.core.files), with its metadata removed
    (images always; PDFs where possible); the name shown is only for display. Seen by whoever may
    see the concern (or the draft's author), downloaded only through a permission-checked view
    and only once the virus scan found it clean. Its content never changes; only the scan's
    verdict is written, once, by the scanner; added to a submitted concern only with a reason.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    storage_name = models.CharField(max_length=120)
    display_name = models.CharField(max_length=160)
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    reason = models.CharField(max_length=300, blank=True)
    # Pending until a scanner's verdict: a file is never served before it is clean.
    scan_state = models.CharField(
        max_length=12, choices=ScanState.choices, default=ScanState.PENDING
    )
    # "clamd" or "clamscan"; "off" when scanning was switched off and the file was not scanned.
    scanned_by = models.CharField(max_length=20, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    # What the scanner found, for a quarantined file.
    scan_signature = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_downloadable(self) -> bool:
        return self.scan_state == ScanState.CLEAN

    @property
    def aad(self) -> bytes:
        """Binds the ciphertext to this row: moved to another row, it will not decrypt."""
        return f"concerns.attachment:{self.pk}".encode()


class PatternKind(models.TextChoices):
    REPEATED_ABOUT_PERSON = "repeated_person", "Several concerns about one person"
    RISING_SEVERITY = "rising_severity", "Rising level of need for one person"
    SAME_ADULT = "same_adult", "The same adult named in concerns about several children"
    RECURRING_LOCATION = "recurring_location", "The same place in several concerns"


class PatternRule(BaseModel):
    """A pattern to watch for (P4), configurable per organisation: ``threshold`` concerns within
    ``window_days``. Organisations without their own rules use the defaults (patterns.py)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    kind = models.CharField(max_length=24, choices=PatternKind.choices)
    threshold = models.PositiveSmallIntegerField()
    window_days = models.PositiveSmallIntegerField()
    is_active = models.BooleanField(default=True)
    # Optimistic lock for the lead's edit screen; a kind with no row yet is version 0.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("organisation", "kind"), name="uniq_rule_kind"),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.threshold} in {self.window_days} days"


class PatternAlert(BaseModel):
    """A pattern found: which rule, about what (a person, an adult's name, a place), and the
    concerns that make it up, so the lead can see why. Lands in the lead's queue until reviewed."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    kind = models.CharField(max_length=24, choices=PatternKind.choices)
    # What the pattern is about, normalised: a person id, an adult's name, a place.
    key = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    concerns = models.ManyToManyField(Concern, related_name="pattern_alerts")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(blank=True)

    class Meta:
        indexes = (models.Index(fields=("organisation", "reviewed_at", "created_at")),)

    def __str__(self) -> str:
        return self.summary


class CategoryOverride(BaseModel):
    """How one organisation shows a shipped default category: retired (hidden for this
    organisation only) and its place in the organisation's order. The shared default row never
    changes. Seen and changed by the organisation's lead (concern.configure)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="overrides")
    is_hidden = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "category"), name="uniq_category_override"
            ),
        )

    def __str__(self) -> str:
        return f"{self.category_id} at {self.organisation_id}"


def _default_level_label(level: int) -> str:
    """The shipped wording of a level without its number: "Early help" for level 2."""
    return LevelOfNeed(level).label.split(" – ", 1)[-1]


class SafeguardingSettings(BaseModel):
    """One organisation's safeguarding settings (issue 3): when an untriaged concern counts as
    overdue and when it is escalated to the deputies, and its own words for the four levels of
    need. Empty means the shipped default, so a change to the operator's default reaches every
    organisation that has not chosen its own. No row at all means every default.

    ``version`` guards the timings and labels screens, ``categories_version`` every change to
    the organisation's category list (optimistic locking). Seen and changed by the lead."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="safeguarding_settings"
    )
    overdue_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    escalate_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    level_1_label = models.CharField(max_length=80, blank=True)
    level_2_label = models.CharField(max_length=80, blank=True)
    level_3_label = models.CharField(max_length=80, blank=True)
    level_4_label = models.CharField(max_length=80, blank=True)
    version = models.PositiveIntegerField(default=0)
    categories_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "safeguarding settings"
        constraints = (
            models.CheckConstraint(
                condition=Q(overdue_hours__isnull=True) | Q(overdue_hours__gte=1),
                name="overdue_hours_positive",
            ),
            models.CheckConstraint(
                condition=Q(escalate_hours__isnull=True) | Q(escalate_hours__gte=1),
                name="escalate_hours_positive",
            ),
        )

    def __str__(self) -> str:
        return f"Safeguarding settings of {self.organisation_id}"

    @classmethod
    def for_organisation(cls, organisation_id: Any) -> SafeguardingSettings:
        """The organisation's settings, or (unsaved, version 0) the defaults."""
        found = cls.objects.filter(organisation_id=organisation_id).first()
        return found or cls(organisation_id=organisation_id)

    @staticmethod
    def default_overdue_hours() -> int:
        return int(settings.SAFECASE_TRIAGE_OVERDUE_HOURS)

    @staticmethod
    def default_escalate_hours() -> int:
        # Until now escalation happened as soon as a concern was overdue; that stays the default.
        hours = getattr(settings, "SAFECASE_TRIAGE_ESCALATE_HOURS", None)
        return int(hours or settings.SAFECASE_TRIAGE_OVERDUE_HOURS)

    @property
    def effective_overdue_hours(self) -> int:
        return self.overdue_hours or self.default_overdue_hours()

    @property
    def effective_escalate_hours(self) -> int:
        chosen = self.escalate_hours or self.default_escalate_hours()
        return max(chosen, self.effective_overdue_hours)

    def level_description(self, level: int) -> str:
        """The organisation's words for a level (without its number)."""
        own = getattr(self, f"level_{level}_label", "") if level in LevelOfNeed.values else ""
        return own or _default_level_label(level)

    def level_label(self, level: int) -> str:
        if level not in LevelOfNeed.values:
            return str(level)
        return f"{level} – {self.level_description(level)}"

    def level_choices(self) -> list[tuple[int, str]]:
        return [(level, self.level_label(level)) for level in LevelOfNeed.values]
