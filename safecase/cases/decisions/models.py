"""Decisions, sanctions and appeals on a case (issue 4, seed 001: decision-making and
sanctions; the appeal process).

A decision is immutable once recorded: its outcome, sanctions, decision makers, rationale and
the frozen snapshot of what the decision makers could see (``snapshot`` and its SHA-256). It
is corrected only by a later decision that supersedes it (with the reason), or by an appeal
that varies it; both keep the first. The current decision of a case is the one nothing
supersedes (selectors.current_decision).

Every row is seen by whoever may see its case (restriction to named people, the low-level
log, shares); selectors start from ``cases_visible_to``. Written only by actions.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from safecase.cases.decisions.choices import AppealOutcome, AppliesTo, OptionKind
from safecase.core.models import BaseModel


class DecisionOption(models.Model):
    """An outcome or a sanction an organisation may give. Rows with no organisation are the
    shipped defaults, offered to every organisation unless it stops offering one
    (DecisionOptionHidden); an organisation adds its own. Seen by its organisation's team."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True
    )
    kind = models.CharField(max_length=10, choices=OptionKind.choices)
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    help_text = models.CharField(max_length=300, blank=True)
    applies_to = models.CharField(max_length=12, choices=AppliesTo.choices, default=AppliesTo.ANY)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("kind", "position", "label")
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "kind", "code"), name="uniq_decision_option_code"
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


class DecisionOptionHidden(models.Model):
    """A shipped outcome or sanction an organisation no longer offers. Past decisions that
    gave it keep it."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    option = models.ForeignKey(DecisionOption, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "option"), name="uniq_decision_option_hidden"
            ),
        )

    def __str__(self) -> str:
        return f"{self.option_id} hidden for {self.organisation_id}"


class Decision(BaseModel):
    """The organisation's decision on a case: outcome, sanctions, who decided, why, and what
    they could see at that moment. Never changed after it is written.

    ``supersedes``: the decision this one replaces (a correction with ``supersede_reason``,
    or the panel's new decision when an appeal varies the first: then ``appeal`` is set)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveSmallIntegerField(help_text="1 for the case's first decision.")
    outcome = models.ForeignKey(DecisionOption, on_delete=models.PROTECT, related_name="+")
    # The label as it was given: a later rename of the option never rewrites a decision.
    outcome_label = models.CharField(max_length=120)
    rationale = models.TextField()
    decided_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision_makers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    supersede_reason = models.TextField(blank=True)
    appeal = models.OneToOneField(
        "case_decisions.Appeal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="new_decision",
        help_text="The appeal whose panel recorded this decision (a varied decision).",
    )
    # What the decision makers could see: case_sections() and the case core, as JSON.
    snapshot = models.JSONField()
    snapshot_sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("case", "number"), name="uniq_decision_number"),
        )

    def __str__(self) -> str:
        return f"Decision {self.number} on {self.case_id}: {self.outcome_label}"


class DecisionSanction(BaseModel):
    """One sanction of a decision, with its detail (e.g. "written warning, 12 months") and the
    date it ends, if it does. Written with its decision, never changed."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="sanctions")
    option = models.ForeignKey(DecisionOption, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=120)
    detail = models.CharField(max_length=300, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("decision", "option"), name="uniq_decision_sanction"),
        )

    def __str__(self) -> str:
        return f"{self.label} ({self.decision_id})"


class Appeal(BaseModel):
    """An appeal against a decision (seed 001: "an opportunity for interested parties to
    challenge the decision and/or sanction imposed"): who appeals, on what grounds, by when,
    the panel (never any of the challenged decision's makers) and hearing, and the outcome.
    Changed only through actions.py, under ``version``; once decided it never changes."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="appeals")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    appellant_person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appellant_name = models.CharField(max_length=200)
    appellant_role = models.CharField(max_length=120, blank=True)
    grounds = models.TextField()
    lodged_at = models.DateTimeField()
    deadline = models.DateField(help_text="The last day the appeal could be lodged.")
    late_reason = models.TextField(blank=True)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    panel = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    hearing_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=AppealOutcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = (
            # One appeal under way at a time on a case.
            models.UniqueConstraint(
                fields=("case",), condition=Q(outcome=""), name="uniq_open_appeal"
            ),
            models.CheckConstraint(
                condition=Q(outcome="", decided_at__isnull=True)
                | (~Q(outcome="") & Q(decided_at__isnull=False)),
                name="appeal_outcome_has_date",
            ),
        )
        indexes = (models.Index(fields=("case", "lodged_at")),)

    def __str__(self) -> str:
        return f"Appeal on {self.decision_id} by {self.appellant_name}"

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome)

    @property
    def was_late(self) -> bool:
        return timezone.localdate(self.lodged_at) > self.deadline
