"""Reading decisions and appeals: always through a case the reader may see (the page or API
found it through ``cases_visible_to`` first), and the options offered to an organisation.

``current_decision(case)``: the decision nothing supersedes. A case's decisions form a chain
(each later one supersedes the one before), so it is the latest by number; the earlier ones
stay readable in the history.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import Membership, User
from safecase.cases import parts
from safecase.cases.choices import CaseKind, Stage
from safecase.cases.chronology import CaseFacts, Event
from safecase.cases.decisions.choices import (
    APPEAL_DEADLINE_DAYS,
    AppealOutcome,
    AppliesTo,
    OptionKind,
)
from safecase.cases.decisions.models import (
    Appeal,
    Decision,
    DecisionOption,
    DecisionOptionHidden,
    DecisionSanction,
)
from safecase.cases.models import Case, CaseConcern, CaseSubject, StageChange
from safecase.cases.selectors import cases_visible_to
from safecase.concerns.selectors import concerns_visible_to
from safecase.core.actors import Actor
from safecase.core.calendar import add_working_days
from safecase.core.errors import DomainError

SNAPSHOT_FORMAT = 1
# At most this many rows of each list on the page and in a snapshot section.
LIMIT = 200

# --- Options ----------------------------------------------------------------------------------


def options_for(
    organisation_id: Any, kind: str, *, include_hidden: bool = False
) -> QuerySet[DecisionOption]:
    """The shipped options and the organisation's own, in order, annotated ``hidden_here``;
    without the hidden and retired ones unless asked."""
    hidden = DecisionOptionHidden.objects.filter(
        organisation_id=organisation_id, option=OuterRef("pk")
    )
    options = DecisionOption.objects.filter(
        Q(organisation__isnull=True) | Q(organisation_id=organisation_id), kind=kind
    ).annotate(hidden_here=Exists(hidden))
    if not include_hidden:
        options = options.filter(is_active=True, hidden_here=False)
    return options.order_by("position", "label")


def outcomes_for_case(case: Case) -> list[DecisionOption]:
    """The outcomes offered on this case: an allegation's findings on an allegation case, the
    others' on any other case, and those that apply to any."""
    applies = (
        AppliesTo.ALLEGATION if case.case_type.kind == CaseKind.ALLEGATION else AppliesTo.OTHER
    )
    return list(
        options_for(case.organisation_id, OptionKind.OUTCOME).filter(
            applies_to__in=(applies, AppliesTo.ANY)
        )
    )


def sanctions_for_case(case: Case) -> list[DecisionOption]:
    return list(options_for(case.organisation_id, OptionKind.SANCTION))


# --- Decisions and appeals --------------------------------------------------------------------


def _decisions(case: Case) -> QuerySet[Decision]:
    return Decision.objects.filter(case_id=case.pk)


def current_decision(case: Case) -> Decision | None:
    """The decision in force: the latest, which supersedes every earlier one."""
    return (
        _decisions(case)
        .select_related("recorded_by", "appeal")
        .prefetch_related("decision_makers", "sanctions")
        .order_by("-number")
        .first()
    )


def decision_history(case: Case) -> list[Decision]:
    """Every decision on the case, newest first, with what the page shows of each, in a fixed
    number of queries."""
    return list(
        _decisions(case)
        .select_related("recorded_by", "appeal", "supersedes", "outcome")
        .prefetch_related(
            "decision_makers",
            Prefetch(
                "sanctions", DecisionSanction.objects.select_related("option").order_by("label")
            ),
        )
        .order_by("-number")[:LIMIT]
    )


def appeals_of(case: Case) -> list[Appeal]:
    return list(
        Appeal.objects.filter(case_id=case.pk)
        .select_related("decision", "appellant_person", "lodged_by", "decided_by")
        .prefetch_related("panel")
        .order_by("-lodged_at")[:LIMIT]
    )


def open_appeal(case: Case) -> Appeal | None:
    return Appeal.objects.filter(case_id=case.pk, outcome="").first()


def decision_on(actor: Actor, case_id: Any, decision_id: Any) -> Decision | None:
    """A decision on a case the actor may see, or None (for a 404)."""
    return (
        Decision.objects.filter(
            pk=decision_id, case_id=case_id, case__in=cases_visible_to(actor).values("pk")
        )
        .select_related("recorded_by", "case", "outcome", "supersedes")
        .prefetch_related("decision_makers", "sanctions__option")
        .first()
    )


def appeal_on(case: Case, appeal_id: Any) -> Appeal | None:
    return (
        Appeal.objects.filter(pk=appeal_id, case_id=case.pk)
        .select_related("decision")
        .prefetch_related("panel", "decision__decision_makers")
        .first()
    )


def default_deadline(decided_at: datetime) -> date:
    """The default last day to lodge an appeal: APPEAL_DEADLINE_DAYS working days after the
    decision (weekends and bank holidays skipped, core.calendar)."""
    return add_working_days(timezone.localdate(decided_at), APPEAL_DEADLINE_DAYS)


# --- Who may decide -------------------------------------------------------------------------


def member_actor(case: Case, user: User) -> Actor | None:
    """The actor an active member of the case's organisation would be, or None."""
    membership = (
        Membership.objects.filter(user=user, organisation_id=case.organisation_id, is_active=True)
        .select_related("organisation")
        .prefetch_related("roles")
        .first()
    )
    if membership is None:
        return None
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def may_decide_on(case: Case, user: User) -> bool:
    """An active member holding case.decide who can see the case (restricted cases: only the
    named people)."""
    member = member_actor(case, user)
    if member is None or not can(member, Permission.CASE_DECIDE):
        return False
    return cases_visible_to(member).filter(pk=case.pk).exists()


def decision_maker_choices(case: Case) -> list[tuple[str, str]]:
    """Members who may decide on the case, as (user id, name) choices."""
    members = (
        Membership.objects.filter(organisation_id=case.organisation_id, is_active=True)
        .select_related("user")
        .prefetch_related("roles")
        .order_by("user__full_name")[:500]
    )
    choices = []
    for membership in members:
        actor = Actor(
            user=membership.user,
            organisation=case.organisation,
            roles=frozenset(membership.role_names()),
        )
        if can(actor, Permission.CASE_DECIDE) and cases_visible_to(actor).filter(pk=case.pk):
            choices.append((str(membership.user_id), membership.user.full_name or "(no name)"))
    return choices


def users_of(case: Case, user_ids: list[Any]) -> list[User]:
    """Active members of the case's organisation among ``user_ids``; DomainError if any is
    not one."""
    wanted = {str(pk) for pk in user_ids}
    users = list(
        User.objects.filter(
            pk__in=wanted,
            memberships__organisation_id=case.organisation_id,
            memberships__is_active=True,
        ).distinct()
    )
    if len(users) != len(wanted):
        raise DomainError("Choose active members of your organisation.", field="decision_makers")
    return users


# --- The frozen snapshot ------------------------------------------------------------------


def _iso(value: datetime | date | None) -> str:
    return value.isoformat() if value is not None else ""


def canonical_json(data: Any) -> str:
    """The one spelling of a snapshot its hash is taken of: sorted keys, no spaces."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def snapshot_hash(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def build_snapshot(actor: Actor, case: Case) -> dict[str, Any]:
    """What the decision makers could see at this moment, as plain JSON: the case core (its
    people, the concerns the recorder may see with what was recorded and their addenda, the
    stage history) and every part's sections (parts.case_sections). The decisions' own
    section lists only decisions already made, so a snapshot never holds itself."""
    subjects = [
        {"name": s.person.display_name, "role": s.get_role_display()}
        for s in CaseSubject.objects.filter(case_id=case.pk)
        .select_related("person")
        .order_by("created_at")[:LIMIT]
    ]
    linked = CaseConcern.objects.filter(case_id=case.pk).values("concern_id")
    concerns = []
    for concern in (
        concerns_visible_to(actor)
        .filter(pk__in=linked)
        .prefetch_related("addenda", "categories")
        .order_by("submitted_at")[:LIMIT]
    ):
        concerns.append(
            {
                "id": str(concern.pk),
                "submitted_at": _iso(concern.submitted_at),
                "happened_at": _iso(concern.happened_at),
                "location": concern.location,
                "categories": sorted(c.label for c in concern.categories.all()),
                "fact": concern.fact,
                "own_words": concern.own_words,
                "opinion": concern.opinion,
                "addenda": [
                    {"when": _iso(a.created_at), "reason": a.reason, "text": a.text}
                    for a in sorted(concern.addenda.all(), key=lambda a: a.created_at)
                ],
            }
        )
    history = [
        {
            "when": _iso(change.created_at),
            "from": change.from_stage,
            "to": change.to_stage,
            "by": change.changed_by.full_name,
            "reason": change.reason,
        }
        for change in StageChange.objects.filter(case_id=case.pk)
        .select_related("changed_by")
        .order_by("created_at")[:LIMIT]
    ]
    return {
        "format": SNAPSHOT_FORMAT,
        "taken_at": _iso(timezone.now()),
        "case": {
            "reference": case.reference,
            "title": case.title,
            "case_type": case.case_type.label,
            "stage": case.stage,
            "opened_at": _iso(case.opened_at),
        },
        "subjects": subjects,
        "concerns": concerns,
        "stage_history": history,
        "sections": parts.case_sections(case),
    }


# --- The part's section, chronology and stage check ------------------------------------------


def _makers(decision: Decision) -> str:
    return ", ".join(sorted(u.full_name for u in decision.decision_makers.all()))


def _sanctions_text(sanctions: list[DecisionSanction]) -> str:
    parts_ = []
    for s in sanctions:
        text = s.label + (f" ({s.detail})" if s.detail else "")
        if s.ends_on:
            text += f", until {s.ends_on:%d %b %Y}"
        parts_.append(text)
    return "; ".join(parts_) or "none"


def section_entries(case: Any) -> list[parts.Entry]:
    """The decisions and appeals on the case, oldest first, for snapshots and the bundle."""
    if not isinstance(case, Case):
        return []
    entries: list[tuple[str, parts.Entry]] = []
    for d in reversed(decision_history(case)):
        entries.append(
            (
                _iso(d.decided_at),
                {
                    "heading": f"Decision {d.number}: {d.outcome_label}",
                    "when": _iso(d.decided_at),
                    "body": (
                        f"Decision makers: {_makers(d)}\n"
                        f"Sanctions: {_sanctions_text(list(d.sanctions.all()))}\n"
                        + (
                            f"Supersedes decision {d.supersedes.number}: {d.supersede_reason}\n"
                            if d.supersedes and not d.appeal_id
                            else ""
                        )
                        + ("Made by the appeal panel on appeal.\n" if d.appeal_id else "")
                        + f"Rationale: {d.rationale}\n"
                        f"Snapshot SHA-256: {d.snapshot_sha256}"
                    ),
                },
            )
        )
    for a in appeals_of(case):
        panel = ", ".join(sorted(u.full_name for u in a.panel.all())) or "not yet set"
        outcome = AppealOutcome(a.outcome).label if a.outcome else "not yet decided"
        entries.append(
            (
                _iso(a.lodged_at),
                {
                    "heading": f"Appeal against decision {a.decision.number} by {a.appellant_name}",
                    "when": _iso(a.lodged_at),
                    "body": (
                        f"Appellant: {a.appellant_name}"
                        + (f" ({a.appellant_role})" if a.appellant_role else "")
                        + f"\nGrounds: {a.grounds}\nDeadline: {a.deadline:%d %b %Y}"
                        + (f"\nAccepted late: {a.late_reason}" if a.late_reason else "")
                        + f"\nPanel: {panel}\nHearing: "
                        + (
                            f"{timezone.localtime(a.hearing_at):%d %b %Y %H:%M}"
                            if a.hearing_at
                            else "not set"
                        )
                        + f"\nOutcome: {outcome}"
                        + (f"\nReasons: {a.outcome_reason}" if a.outcome_reason else "")
                    ),
                },
            )
        )
    return [entry for _, entry in sorted(entries, key=lambda pair: pair[0])]


def outcome_source_id(appeal_id: uuid.UUID) -> uuid.UUID:
    """The appeal's outcome has a line of its own beside its lodging: its own source key."""
    return uuid.uuid5(appeal_id, "appeal-outcome")


def decision_event(case: CaseFacts, decision: Decision, sanctions: list[str]) -> Event:
    how = " (on appeal)" if decision.appeal_id else ""
    return Event(
        case.pk,
        decision.pk,
        decision.decided_at,
        f"Case {case.reference}: decision{how}: {decision.outcome_label.lower()}",
        "Sanctions: " + ("; ".join(sanctions) if sanctions else "none"),
    )


def appeal_lodged_event(case: CaseFacts, appeal: Appeal) -> Event:
    return Event(
        case.pk,
        appeal.pk,
        appeal.lodged_at,
        f"Case {case.reference}: appeal lodged by {appeal.appellant_name}",
        appeal.grounds,
    )


def appeal_outcome_event(case: CaseFacts, appeal: Appeal) -> Event:
    assert appeal.decided_at is not None
    return Event(
        case.pk,
        outcome_source_id(appeal.pk),
        appeal.decided_at,
        f"Case {case.reference}: appeal {AppealOutcome(appeal.outcome).label.lower()}",
        appeal.outcome_reason,
    )


def chronology_events(cases: dict[Any, CaseFacts]) -> Iterator[Event]:
    """The decisions, appeals lodged and appeal outcomes of these cases, in three queries."""
    ids = list(cases)
    sanctions: dict[Any, list[str]] = {}
    for decision_id, label in (
        DecisionSanction.objects.filter(decision__case_id__in=ids)
        .order_by("label")
        .values_list("decision_id", "label")
    ):
        sanctions.setdefault(decision_id, []).append(label)
    for decision in Decision.objects.filter(case_id__in=ids).only(
        "pk", "case_id", "decided_at", "outcome_label", "appeal_id"
    ):
        yield decision_event(cases[decision.case_id], decision, sanctions.get(decision.pk, []))
    for appeal in Appeal.objects.filter(case_id__in=ids).only(
        "pk",
        "case_id",
        "lodged_at",
        "appellant_name",
        "grounds",
        "outcome",
        "decided_at",
        "outcome_reason",
    ):
        yield appeal_lodged_event(cases[appeal.case_id], appeal)
        if appeal.outcome:
            yield appeal_outcome_event(cases[appeal.case_id], appeal)


def check_stage_move(actor: Actor, case: Any, from_stage: str, to_stage: str) -> None:
    """Leaving the decision stage needs a decision; leaving the appeal stage needs the appeal
    lodged and decided (registered as a stage check in apps.py)."""
    if from_stage == to_stage:
        return
    if from_stage == Stage.DECISION and not _decisions(case).exists():
        raise DomainError(
            "Record the decision (its outcome, sanctions and rationale) on the Decision and "
            "appeal tab before the case leaves the decision stage.",
            field="to_stage",
        )
    if from_stage == Stage.APPEAL:
        appeals = Appeal.objects.filter(case_id=case.pk)
        if not appeals.exists():
            raise DomainError(
                "Lodge the appeal and record its outcome before the case leaves the appeal stage.",
                field="to_stage",
            )
        if appeals.filter(outcome="").exists():
            raise DomainError(
                "Record the appeal panel's outcome before the case leaves the appeal stage.",
                field="to_stage",
            )


@dataclass
class DecisionPage:
    current: Decision | None
    history: list[Decision]
    appeals: list[Appeal]
    open_appeal: Appeal | None


def decision_page(case: Case) -> DecisionPage:
    """Everything the Decision and appeal tab shows, in a fixed number of queries."""
    history = decision_history(case)
    appeals = appeals_of(case)
    return DecisionPage(
        current=history[0] if history else None,
        history=history,
        appeals=appeals,
        open_appeal=next((a for a in appeals if not a.outcome), None),
    )


@dataclass(frozen=True)
class SanctionInput:
    """One sanction a decision gives: the option, its detail, the date it ends (if any)."""

    option: DecisionOption
    detail: str = ""
    ends_on: date | None = None


# At most this many appeals listed on the home panel.
PANEL_LIMIT = 20


def home_panel(actor: Actor) -> dict[str, Any]:
    """Appeals under way on the cases the reader may see (a restricted case only for its
    named people), oldest lodged first, and the organisation's settings link for the lead.
    Two queries."""
    appeals = list(
        Appeal.objects.filter(outcome="", case__in=cases_visible_to(actor).values("pk"))
        .select_related("case")
        .prefetch_related("panel")
        .order_by("lodged_at")[:PANEL_LIMIT]
    )
    return {
        "appeals": appeals,
        "may_configure": can(actor, Permission.CONCERN_CONFIGURE),
        "mine": {
            a.pk
            for a in appeals
            if actor.user is not None and actor.user.pk in {u.pk for u in a.panel.all()}
        },
    }
