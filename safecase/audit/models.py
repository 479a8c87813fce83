"""The tamper-evident audit trail."""

from __future__ import annotations

from django.db import models

from safecase.audit.events import Outcome

GLOBAL_CHAIN = "global"


class AuditEvent(models.Model):
    """One thing that happened: who, in which organisation and role, did what to what, and why.

    Append-only (database triggers refuse UPDATE and DELETE) and hash-chained per chain: each
    organisation has its own chain, and events outside any organisation (e.g. a failed sign-in
    for an unknown address) go to the global chain. ``hash`` covers ``prev_hash`` and every other
    field in canonical JSON, so changing, inserting or removing a row breaks the chain.
    Visible to the organisation's auditors; never holds sensitive values, only that they changed.
    """

    chain = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField()
    # The actor's id and a label kept as text so the row outlives the user account.
    actor_id = models.CharField(max_length=40, blank=True)
    actor_label = models.CharField(max_length=300)
    organisation_id = models.CharField(max_length=40, blank=True)
    roles = models.CharField(max_length=300, blank=True)
    # Values from AuditAction / Outcome. Not declared as choices, so that adding an event to the
    # catalogue needs no migration of this (append-only, possibly huge) table.
    action = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16, default=Outcome.SUCCESS)
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    channel = models.CharField(max_length=16, blank=True)
    changes = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("chain", "seq"), name="uniq_audit_seq"),)
        indexes = (
            models.Index(fields=("chain", "action", "seq")),
            models.Index(fields=("organisation_id", "occurred_at")),
            # A record's events, and one kind of them newest first (a case's bundle exports,
            # read on every view of the case: without the action, the case's own "viewed"
            # events, one per view, were read through too).
            models.Index(fields=("subject_type", "subject_id", "action", "occurred_at")),
            models.Index(fields=("actor_id", "occurred_at")),
        )

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"


class ChainHead(models.Model):
    """The last sequence number and hash of each chain; appends lock this row to serialise."""

    chain = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain} head #{self.seq}"
