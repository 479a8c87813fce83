"""The learning review's changes: the organisation's theme vocabulary, a case's review (with
its themes), its recommendations as tracked actions and their status.

Every function is the only way its change happens: the case's guard first (policy,
visibility, ownership, open), bad input refused with a DomainError before any write, the
record taken from the version the form was made from (stale: Conflict), and the audit event
written in the same transaction. Narrative stays out of the event's changes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.accounts.models import Membership, User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import chronology, guards
from safecase.cases.learning import chronology as lines
from safecase.cases.learning import selectors
from safecase.cases.learning.choices import MAX_THEMES, RecommendationStatus
from safecase.cases.learning.models import (
    LearningReview,
    LearningSettings,
    Recommendation,
    ReviewTheme,
)
from safecase.cases.models import Case
from safecase.core.actors import Actor
from safecase.core.errors import DomainError
from safecase.people.models import ChronologyItem

TEXT_LIMIT = 10_000


def _bump(model: Any, record: Any, version: int, what: str, **fields: Any) -> None:
    updated = model.objects.filter(pk=record.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise guards.stale(what)
    for name, value in fields.items():
        setattr(record, name, value)
    record.version = version + 1


def _text(value: str, what: str, field: str) -> str:
    return guards.required_text(value, what, field=field, limit=TEXT_LIMIT)


@transaction.atomic(durable=True)
def learning_settings_update(*, actor: Actor, version: int, labels: list[str]) -> LearningSettings:
    """Set the themes offered for tagging reviews (one label each, in order). A theme left
    out is retired, not deleted: the reviews tagged with it keep it and it is still
    counted; naming it again brings it back."""
    require(actor, Permission.CONCERN_CONFIGURE)
    assert actor.organisation is not None
    cleaned = [" ".join(label.split()) for label in labels if label.strip()]
    if not cleaned:
        raise DomainError("Keep at least one theme.", field="labels")
    if len(cleaned) > MAX_THEMES:
        raise DomainError(f"Keep to {MAX_THEMES} themes.", field="labels")
    if any(len(label) > 80 for label in cleaned):
        raise DomainError("Keep each theme under 80 characters.", field="labels")
    row = LearningSettings.objects.select_for_update().filter(organisation=actor.organisation)
    current = row.first()
    if (current.version if current is not None else 0) != version:
        raise guards.stale("The themes")
    before = selectors.themes_for(actor.organisation.pk)
    by_label = {t["label"].casefold(): t for t in before}
    themes: list[dict[str, Any]] = []
    codes: set[str] = set()
    for label in cleaned:
        known = by_label.get(label.casefold())
        code = known["code"] if known else slugify(label).replace("-", "_")[:60]
        if not code:
            raise DomainError(f"'{label}' needs letters or numbers.", field="labels")
        if code in codes:
            raise DomainError(f"'{label}' is listed twice.", field="labels")
        codes.add(code)
        themes.append({"code": code, "label": label, "active": True})
    themes += [{**t, "active": False} for t in before if t["code"] not in codes]
    if current is None:
        current = LearningSettings.objects.create(organisation=actor.organisation, themes=themes)
    else:
        _bump(LearningSettings, current, version, "The themes", themes=themes)
    recorder.record(
        actor=actor,
        action=AuditAction.LEARNING_SETTINGS_CHANGED,
        subject=actor.organisation,
        changes={
            "active": [
                [t["code"] for t in before if t["active"]],
                [t["code"] for t in themes if t["active"]],
            ]
        },
    )
    return current


@transaction.atomic(durable=True)
def learning_review_save(
    *,
    actor: Actor,
    case: Case,
    version: int,
    went_well: str,
    do_better: str,
    why_it_happened: str,
    facilitator: str,
    held_on: date,
    themes: list[str],
) -> LearningReview:
    """Record the case's learning review, or revise it (``version`` 0: there is none yet):
    what went well, what could be done better, why it happened, who facilitated it and
    when, and its themes (codes of the vocabulary; one retired since may stay)."""
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    review = LearningReview.objects.select_for_update().filter(case=case).first()
    if (review.version if review is not None else 0) != version:
        raise guards.stale("The learning review")
    fields = {
        "went_well": _text(went_well, "what went well", "went_well"),
        "do_better": _text(do_better, "what could be done better", "do_better"),
        "why_it_happened": _text(why_it_happened, "why it happened", "why_it_happened"),
    }
    facilitator = " ".join(facilitator.split())
    if len(facilitator) < 2:
        raise DomainError("Say who facilitated the review.", field="facilitator")
    if len(facilitator) > 200:
        raise DomainError("Keep it under 200 characters.", field="facilitator")
    if held_on > timezone.localdate():
        raise DomainError("The review cannot be held in the future.", field="held_on")
    tagged = set(
        ReviewTheme.objects.filter(review=review).values_list("code", flat=True)
        if review is not None
        else ()
    )
    offered = {t["code"] for t in selectors.active_themes(case.organisation_id)} | tagged
    chosen = sorted(set(themes))
    unknown = [code for code in chosen if code not in offered]
    if unknown:
        raise DomainError("Choose themes from the list.", field="themes")
    new = review is None
    if review is None:
        review = LearningReview.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            facilitator=facilitator,
            held_on=held_on,
            recorded_by=actor.user,
            **fields,
        )
    else:
        _bump(
            LearningReview,
            review,
            version,
            "The learning review",
            facilitator=facilitator,
            held_on=held_on,
            **fields,
        )
    ReviewTheme.objects.filter(review=review).exclude(code__in=chosen).delete()
    ReviewTheme.objects.bulk_create(
        ReviewTheme(organisation_id=case.organisation_id, case=case, review=review, code=code)
        for code in chosen
        if code not in tagged
    )
    title = lines.review_held(held_on, facilitator)
    if new:
        chronology.event_added(
            case,
            chronology.Event(case.pk, review.pk, review.created_at, title, fields["do_better"]),
        )
    else:
        chronology.event_changed(review.pk, title=title, summary=fields["do_better"])
    recorder.record(
        actor=actor,
        action=AuditAction.LEARNING_REVIEW_RECORDED,
        subject=case,
        changes={
            "held_on": held_on.isoformat(),
            "themes": [sorted(tagged), chosen],
            "revised": not new,
        },
    )
    return review


def _member(case: Case, owner: User) -> None:
    if not Membership.objects.filter(
        user=owner, organisation_id=case.organisation_id, is_active=True
    ).exists():
        raise DomainError("Give it to an active member of your organisation.", field="owner")


@transaction.atomic(durable=True)
def recommendation_add(
    *, actor: Actor, case: Case, version: int, text: str, owner: User, due_on: date
) -> Recommendation:
    """Add a recommendation to the case's review, as an action with an owner and a due date
    (``version``: the review's, which the addition takes to the next)."""
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    review = LearningReview.objects.select_for_update().filter(case=case).first()
    if review is None:
        raise DomainError("Record the learning review before its recommendations.")
    if review.version != version:
        raise guards.stale("The learning review")
    what = _text(text, "the recommendation", "text")
    _member(case, owner)
    if due_on < timezone.localdate():
        raise DomainError("The due date cannot be in the past.", field="due_on")
    _bump(LearningReview, review, version, "The learning review")
    row = Recommendation.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        review=review,
        text=what,
        owner=owner,
        due_on=due_on,
        created_by=actor.user,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.LEARNING_RECOMMENDATION_ADDED,
        subject=case,
        changes={
            "recommendation": str(row.pk),
            "owner": str(owner.pk),
            "due_on": due_on.isoformat(),
        },
    )
    return row


@transaction.atomic(durable=True)
def recommendation_update(
    *,
    actor: Actor,
    recommendation: Recommendation,
    version: int,
    status: str,
    reason: str = "",
    owner: User | None = None,
    due_on: date | None = None,
) -> Recommendation:
    """Mark a recommendation done, drop it (the reason is mandatory) or reopen it (with the
    reason), or move it to another owner or due date."""
    case = recommendation.case
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    if (
        not Recommendation.objects.select_for_update()
        .filter(pk=recommendation.pk, version=version)
        .exists()
    ):
        raise guards.stale("The recommendation")
    if status not in RecommendationStatus.values:
        raise DomainError("Choose the status.", field="status")
    reason = reason.strip()
    if status == RecommendationStatus.DROPPED:
        reason = guards.required_text(reason, "the reason for dropping it", limit=TEXT_LIMIT)
    elif status == RecommendationStatus.OPEN and recommendation.status != status:
        reason = guards.required_text(reason, "the reason for reopening it", limit=TEXT_LIMIT)
    elif len(reason) > TEXT_LIMIT:
        raise DomainError(f"Keep it under {TEXT_LIMIT} characters.", field="reason")
    fields: dict[str, Any] = {"status": status, "status_reason": reason}
    if owner is not None and owner.pk != recommendation.owner_id:
        _member(case, owner)
        fields["owner"] = owner
    if due_on is not None and due_on != recommendation.due_on:
        if due_on < timezone.localdate():
            raise DomainError("The due date cannot be in the past.", field="due_on")
        fields["due_on"] = due_on
    was = recommendation.status
    closing = status != RecommendationStatus.OPEN
    if closing and was == RecommendationStatus.OPEN:
        fields.update(closed_at=timezone.now(), closed_by=actor.user)
    elif not closing:
        fields.update(closed_at=None, closed_by=None)
    if was == status and len(fields) == 2 and reason == recommendation.status_reason:
        raise DomainError("Nothing to change.", field="status")
    _bump(Recommendation, recommendation, version, "The recommendation", **fields)
    if was == RecommendationStatus.DONE and status != was:
        # No longer done: its line goes (the rebuild would not write it either).
        ChronologyItem.objects.filter(source_id=recommendation.pk, case_id=case.pk).delete()
    if status == RecommendationStatus.DONE and was != status:
        assert recommendation.closed_at is not None
        chronology.event_added(
            case,
            chronology.Event(
                case.pk,
                recommendation.pk,
                recommendation.closed_at,
                lines.recommendation_done(recommendation.text),
                reason,
            ),
        )
    recorder.record(
        actor=actor,
        action=AuditAction.LEARNING_RECOMMENDATION_UPDATED,
        subject=case,
        reason=reason,
        changes={
            "recommendation": str(recommendation.pk),
            "status": [was, status],
            "owner": str(fields["owner"].pk) if "owner" in fields else None,
            "due_on": fields["due_on"].isoformat() if "due_on" in fields else None,
        },
    )
    return recommendation
