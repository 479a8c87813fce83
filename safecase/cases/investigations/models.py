"""An internal investigation of a case: its terms of reference and plan, the interviews and
statements, the evidence register with its chain of custody, and the findings.

Investigating well is "an open-minded collection and collation of reliable detail" (seed 000):
so what was said is kept apart from what the interviewer thought of it, the person's own words
are kept as given, evidence carries the SHA-256 of its file and who held it when, and findings
say whether each is an established fact, an allegation not established, or an opinion.

Every row carries ``organisation`` and is seen by exactly those who may see its case
(``cases_visible_to``: a restricted case's investigation by its named people alone). Changed
only through this app's actions. Interviews, evidence, custody entries and findings are never
edited: corrections are addenda with their reason; the investigation's terms of reference and
plan change under ``version``, each change kept as a revision (who, when, why).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safecase.cases.investigations.choices import FindingKind, IntervieweeRole, InvestigationStatus
from safecase.concerns.models import ScanState
from safecase.core.models import BaseModel


class Investigation(BaseModel):
    """The case's internal investigation (one per case): what it is to find out (terms of
    reference), how (plan), who runs it (investigator: a member who can see the case) and
    where it is (status). Changed under ``version``; every change leaves a revision."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="investigation"
    )
    terms_of_reference = models.TextField()
    plan = models.TextField()
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=InvestigationStatus.choices, default=InvestigationStatus.PLANNED
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    concluded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Investigation of {self.case_id}"


class InvestigationRevision(BaseModel):
    """What the investigation became at one change (the first is its opening): the terms of
    reference, plan, investigator and status as they then stood, who changed them, when and
    why. Append-only; earlier revisions stay readable. Seen by whoever may see the case."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    terms_of_reference = models.TextField()
    plan = models.TextField()
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=InvestigationStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("investigation", "number"), name="uniq_investigation_revision"
            ),
        )

    def __str__(self) -> str:
        return f"Revision {self.number} of {self.investigation_id}"


class Interview(BaseModel):
    """An interview or statement: who was interviewed (a name as given, and/or a person on the
    case), in what role, when and by whom; the summary of what was said (fact) kept apart from
    the interviewer's opinion; the person's own words where given; signed or not. Never edited
    once recorded: corrections and additions are addenda with their reason."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="interviews"
    )
    interviewee_name = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=16, choices=IntervieweeRole.choices)
    held_at = models.DateTimeField()
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField()
    interviewer_opinion = models.TextField(blank=True)
    own_words = models.TextField(blank=True)
    signed = models.BooleanField(default=False)
    signed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = (models.Index(fields=("investigation", "held_at")),)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(signed=True, signed_on__isnull=False)
                | models.Q(signed=False, signed_on__isnull=True),
                name="interview_signed_has_date",
            ),
        )

    def __str__(self) -> str:
        return f"Interview {self.pk} ({self.role})"

    @property
    def who(self) -> str:
        """The interviewee as the record names them."""
        if self.interviewee_name:
            return self.interviewee_name
        return self.person.display_name if self.person_id and self.person else "Not named"


class InterviewAddendum(BaseModel):
    """A correction or addition to a recorded interview, with its reason. The original stays."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    interview = models.ForeignKey(Interview, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    text = models.TextField()

    def __str__(self) -> str:
        return f"Addendum to {self.interview_id}"


class EvidenceItem(BaseModel):
    """An item in the evidence register: what it is, where it came from, when it was obtained,
    and optionally its file. The file is stored encrypted under a generated name exactly as a
    concern's attachment is (safecase.core.files: allow-list checked against the content, size
    limit, metadata removed), with the SHA-256 of the stored plaintext (what a download can be
    checked against) and of the file as received. The item never changes; a file is added once,
    and only downloaded through a permission-checked view once its virus scan found it clean."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="evidence"
    )
    item = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=300)
    obtained_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The file, if any: blank until one is added.
    storage_name = models.CharField(max_length=120, blank=True)
    display_name = models.CharField(max_length=160, blank=True)
    mime = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    received_sha256 = models.CharField(max_length=64, blank=True)
    file_added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_added_at = models.DateTimeField(null=True, blank=True)
    scan_state = models.CharField(max_length=12, choices=ScanState.choices, blank=True)
    scanned_by = models.CharField(max_length=20, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    scan_signature = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = (models.Index(fields=("investigation", "obtained_on")),)

    def __str__(self) -> str:
        return self.item

    @property
    def has_file(self) -> bool:
        return bool(self.storage_name)

    @property
    def is_downloadable(self) -> bool:
        return self.has_file and self.scan_state == ScanState.CLEAN

    @property
    def aad(self) -> bytes:
        """Binds the ciphertext to this row: moved to another row, it will not decrypt."""
        return f"case_investigations.evidence:{self.pk}".encode()


class CustodyEntry(BaseModel):
    """One handing-over of an evidence item: from whom, to whom, when and for what. Append-only:
    the chain of custody is read from these in order."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    evidence = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    from_whom = models.CharField(max_length=200)
    to_whom = models.CharField(max_length=200)
    transferred_at = models.DateTimeField()
    purpose = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = (models.Index(fields=("evidence", "transferred_at")),)

    def __str__(self) -> str:
        return f"{self.from_whom} to {self.to_whom}"


class Finding(BaseModel):
    """One finding of the investigation, of a kind (established fact, allegation not
    established, opinion), with its text and its basis: the interviews and evidence items it
    rests on (an established fact must have one). Never edited."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(max_length=28, choices=FindingKind.choices)
    text = models.TextField()
    basis_interviews = models.ManyToManyField(Interview, blank=True, related_name="+")
    basis_evidence = models.ManyToManyField(EvidenceItem, blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"
