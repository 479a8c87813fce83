"""Recording decisions and appeals, and the organisation's outcomes and sanctions.

Every function here is the only way its change happens: it starts with the case guard
(policy, visibility, ownership, open case), refuses bad input with a DomainError before
anything is written, guards with a version (the case's for a new decision or appeal, the
appeal's for its panel and outcome: a stale form gets Conflict), and writes its audit event
last, in the same transaction. Rationales, grounds and reasons stay out of the audit event's
changes (narrative); the event names the rows and the snapshot's hash.

The rules: only a holder of case.decide records a decision, and must be one of its decision
makers; the rationale is mandatory; the snapshot of what the decision makers could see is
taken in the same transaction and never changes. A decision is never edited: a later one
supersedes it, with the reason, or an appeal panel varies it. The panel never includes any of
the challenged decision's makers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.accounts.models import User
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.cases import chronology, guards
from safecase.cases.choices import Stage
from safecase.cases.decisions import selectors
from safecase.cases.decisions.choices import AppealOutcome, AppliesTo, OptionKind
from safecase.cases.decisions.models import (
    Appeal,
    Decision,
    DecisionOption,
    DecisionOptionHidden,
    DecisionSanction,
)
from safecase.cases.decisions.selectors import SanctionInput
from safecase.cases.models import Case, CaseSubject
from safecase.core.actors import Actor
from safecase.core.errors import DomainError
from safecase.people.models import Person

# A clock a little ahead of the server's is not "the future".
CLOCK_SKEW = timedelta(minutes=5)
DETAIL_LIMIT = 300


def _lock_case(case: Case, version: int) -> None:
    """Hold the case's row for this transaction, or Conflict: a decision is made on the case
    as the decision maker saw it, never on one changed since."""
    if not Case.objects.select_for_update().filter(pk=case.pk, version=version).exists():
        raise guards.stale("This case")


def _bump_case(case: Case, version: int) -> None:
    """Take the held case to its next version (once every check has passed)."""
    now = timezone.now()
    updated = Case.objects.filter(pk=case.pk, version=version).update(
        version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        raise guards.stale("This case")
    case.version, case.updated_at = version + 1, now


def _lock_appeal(appeal: Appeal, version: int) -> None:
    if not Appeal.objects.select_for_update().filter(pk=appeal.pk, version=version).exists():
        raise guards.stale("This appeal")


def _when(value: datetime, *, after: datetime, what: str, field: str) -> datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + CLOCK_SKEW:
        raise DomainError(f"The {what} cannot be in the future.", field=field)
    # Forms give minutes: the minute of ``after`` itself is not "before" it.
    if value < after.replace(second=0, microsecond=0):
        raise DomainError(
            f"The {what} cannot be before {timezone.localtime(after):%d %b %Y %H:%M}.",
            field=field,
        )
    return value


def _name(user: User) -> str:
    return user.full_name or user.email


def _checked_makers(case: Case, actor: Actor, makers: list[User], *, field: str) -> list[User]:
    if not makers:
        raise DomainError("Name the decision makers.", field=field)
    if actor.user is None or actor.user.pk not in {u.pk for u in makers}:
        raise DomainError(
            "You are recording this decision, so you must be one of its decision makers.",
            field=field,
        )
    for user in makers:
        if not selectors.may_decide_on(case, user):
            raise DomainError(
                f"{_name(user)} may not decide on this case (their role does not allow it, or "
                "the case is restricted to others).",
                field=field,
            )
    return makers


def _checked_sanctions(
    case: Case, sanctions: list[SanctionInput], decided_at: datetime
) -> list[SanctionInput]:
    offered = {o.pk for o in selectors.sanctions_for_case(case)}
    seen: set[int] = set()
    for item in sanctions:
        if item.option.pk not in offered:
            raise DomainError("Choose sanctions from the list.", field="sanctions")
        if item.option.pk in seen:
            raise DomainError(f"{item.option.label} is given twice.", field="sanctions")
        seen.add(item.option.pk)
        if len(item.detail) > DETAIL_LIMIT:
            raise DomainError(
                f"Keep the detail of {item.option.label} under {DETAIL_LIMIT} characters.",
                field="sanctions",
            )
        if item.ends_on is not None and item.ends_on < timezone.localdate(decided_at):
            raise DomainError(
                f"{item.option.label} cannot end before the decision was made.",
                field="sanctions",
            )
    return sanctions


def _check_choice(
    case: Case, outcome: DecisionOption, sanctions: list[SanctionInput], decided_at: datetime
) -> None:
    if outcome.pk not in {o.pk for o in selectors.outcomes_for_case(case)}:
        raise DomainError("Choose an outcome from the list.", field="outcome")
    _checked_sanctions(case, sanctions, decided_at)


def _new_decision(
    *,
    actor: Actor,
    case: Case,
    outcome: DecisionOption,
    sanctions: list[SanctionInput],
    makers: list[User],
    rationale: str,
    decided_at: datetime,
    supersedes: Decision | None,
    supersede_reason: str = "",
    appeal: Appeal | None = None,
) -> Decision:
    """Validate and write a decision with its sanctions and snapshot (no audit event: the
    calling action writes its own)."""
    assert actor.user is not None
    _check_choice(case, outcome, sanctions, decided_at)
    # Taken before the decision exists: its section lists only the decisions made before.
    snapshot = selectors.build_snapshot(actor, case)
    number = Decision.objects.filter(case_id=case.pk).count() + 1
    decision = Decision.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        number=number,
        outcome=outcome,
        outcome_label=outcome.label,
        rationale=rationale,
        decided_at=decided_at,
        recorded_by=actor.user,
        supersedes=supersedes,
        supersede_reason=supersede_reason,
        appeal=appeal,
        snapshot=snapshot,
        snapshot_sha256=selectors.snapshot_hash(snapshot),
    )
    decision.decision_makers.set(makers)
    DecisionSanction.objects.bulk_create(
        DecisionSanction(
            organisation_id=case.organisation_id,
            decision=decision,
            option=item.option,
            label=item.option.label,
            detail=" ".join(item.detail.split()),
            ends_on=item.ends_on,
        )
        for item in sanctions
    )
    chronology.event_added(
        case,
        selectors.decision_event(
            chronology.facts_of(case), decision, sorted(i.option.label for i in sanctions)
        ),
    )
    return decision


def _decision_changes(decision: Decision, sanctions: list[SanctionInput]) -> dict[str, Any]:
    return {
        "decision": decision.pk,
        "number": decision.number,
        "outcome": decision.outcome.code,
        "sanctions": sorted(i.option.code for i in sanctions),
        "decision_makers": sorted(str(u.pk) for u in decision.decision_makers.all()),
        "snapshot_sha256": decision.snapshot_sha256,
        "supersedes": decision.supersedes_id,
    }


@transaction.atomic(durable=True)
def decision_record(
    *,
    actor: Actor,
    case: Case,
    version: int,
    outcome: DecisionOption,
    sanctions: list[SanctionInput],
    decision_makers: list[User],
    rationale: str,
    decided_at: datetime,
    supersede_reason: str = "",
) -> Decision:
    """Record the decision on a case at the decision stage, or (with ``supersede_reason``) a
    later decision that supersedes the current one. The snapshot of what the decision makers
    could see is frozen with it."""
    guards.require_case_change(actor, case, Permission.CASE_DECIDE)
    _lock_case(case, version)
    why = guards.required_text(rationale, "the rationale for this decision", field="rationale")
    current = selectors.current_decision(case)
    reason = ""
    if current is None:
        if case.stage != Stage.DECISION:
            raise DomainError(
                "Move the case to the decision stage before recording its decision.",
                field="outcome",
            )
    else:
        if selectors.open_appeal(case) is not None:
            raise DomainError(
                "An appeal against the current decision is under way: its panel decides "
                "whether the decision changes.",
                field="supersede_reason",
            )
        reason = guards.required_text(
            supersede_reason,
            f"the reason this decision supersedes decision {current.number}",
            field="supersede_reason",
        )
    when = _when(decided_at, after=case.opened_at, what="decision date", field="decided_at")
    makers = _checked_makers(case, actor, decision_makers, field="decision_makers")
    _check_choice(case, outcome, sanctions, when)
    _bump_case(case, version)
    decision = _new_decision(
        actor=actor,
        case=case,
        outcome=outcome,
        sanctions=sanctions,
        makers=makers,
        rationale=why,
        decided_at=when,
        supersedes=current,
        supersede_reason=reason,
    )
    recorder.record(
        actor=actor,
        action=AuditAction.DECISION_RECORDED,
        subject=case,
        reason=reason,
        changes=_decision_changes(decision, sanctions),
    )
    return decision


@transaction.atomic(durable=True)
def appeal_lodge(
    *,
    actor: Actor,
    case: Case,
    version: int,
    decision: Decision,
    grounds: str,
    lodged_at: datetime,
    appellant_name: str = "",
    appellant_role: str = "",
    appellant_person: Person | None = None,
    deadline: date | None = None,
    late_reason: str = "",
) -> Appeal:
    """Record an appeal against the case's current decision: who appeals (a name and role, or
    a person on the case), the grounds (mandatory), when it was lodged and the deadline it was
    due by (by default APPEAL_DEADLINE_DAYS after the decision); one lodged late needs the
    reason it is accepted."""
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    assert actor.user is not None
    _lock_case(case, version)
    current = selectors.current_decision(case)
    if current is None or decision.pk != current.pk:
        raise DomainError("An appeal challenges the case's current decision.", field="decision")
    if selectors.open_appeal(case) is not None:
        raise DomainError(
            "An appeal is already under way on this case: record its outcome first.",
            field="decision",
        )
    name, role = " ".join(appellant_name.split()), " ".join(appellant_role.split())
    if appellant_person is not None:
        subject = CaseSubject.objects.filter(case_id=case.pk, person=appellant_person).first()
        if subject is None:
            raise DomainError("Choose a person on this case as the appellant.", field="appellant")
        name = name or appellant_person.display_name
        role = role or subject.get_role_display()
    if not name:
        raise DomainError("Say who is appealing.", field="appellant_name")
    if len(name) > 200 or len(role) > 120:
        raise DomainError("Keep the appellant's name and role short.", field="appellant_name")
    why = guards.required_text(grounds, "the grounds of the appeal", field="grounds")
    when = _when(lodged_at, after=decision.decided_at, what="date lodged", field="lodged_at")
    due = deadline or selectors.default_deadline(decision.decided_at)
    if due < timezone.localdate(decision.decided_at):
        raise DomainError("The deadline cannot be before the decision.", field="deadline")
    late = ""
    if timezone.localdate(when) > due:
        late = guards.required_text(
            late_reason,
            f"the reason an appeal lodged after the deadline ({due:%d %b %Y}) is accepted",
            field="late_reason",
        )
    _bump_case(case, version)
    appeal = Appeal.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        decision=decision,
        appellant_person=appellant_person,
        appellant_name=name,
        appellant_role=role,
        grounds=why,
        lodged_at=when,
        deadline=due,
        late_reason=late,
        lodged_by=actor.user,
    )
    chronology.event_added(case, selectors.appeal_lodged_event(chronology.facts_of(case), appeal))
    recorder.record(
        actor=actor,
        action=AuditAction.APPEAL_LODGED,
        subject=case,
        reason=late,
        changes={
            "appeal": appeal.pk,
            "decision": decision.pk,
            "appellant_person": appellant_person.pk if appellant_person else None,
            "deadline": due.isoformat(),
            "late": bool(late),
        },
    )
    return appeal


@transaction.atomic(durable=True)
def appeal_set_panel(
    *,
    actor: Actor,
    appeal: Appeal,
    version: int,
    panel: list[User],
    hearing_at: datetime | None = None,
) -> Appeal:
    """Name the appeal panel and (when known) the hearing. The panel must be independent: none
    of the challenged decision's makers may sit on it; each member may decide on the case."""
    case = Case.objects.select_related("case_type").get(pk=appeal.case_id)
    guards.require_case_change(actor, case, Permission.CASE_MANAGE)
    _lock_appeal(appeal, version)
    if appeal.is_decided:
        raise DomainError("This appeal is decided: its panel and hearing stay as they were.")
    if not panel:
        raise DomainError("Name the members of the appeal panel.", field="panel")
    original = {u.pk: u for u in appeal.decision.decision_makers.all()}
    conflicted = [u for u in panel if u.pk in original]
    if conflicted:
        names = ", ".join(sorted(_name(u) for u in conflicted))
        raise DomainError(
            f"{names} made the decision under appeal, so cannot sit on its panel: the panel "
            "must be independent of the original decision makers.",
            field="panel",
        )
    for user in panel:
        if not selectors.may_decide_on(case, user):
            raise DomainError(
                f"{_name(user)} may not decide on this case (their role does not allow it, or "
                "the case is restricted to others), so cannot sit on the panel.",
                field="panel",
            )
    if hearing_at is not None:
        hearing_at = (
            timezone.make_aware(hearing_at) if timezone.is_naive(hearing_at) else hearing_at
        )
        if hearing_at < appeal.lodged_at.replace(second=0, microsecond=0):
            raise DomainError(
                "The hearing cannot be before the appeal was lodged.", field="hearing_at"
            )
    Appeal.objects.filter(pk=appeal.pk).update(
        version=F("version") + 1, hearing_at=hearing_at, updated_at=timezone.now()
    )
    appeal.hearing_at, appeal.version = hearing_at, version + 1
    appeal.panel.set(panel)
    recorder.record(
        actor=actor,
        action=AuditAction.APPEAL_PANEL_SET,
        subject=case,
        changes={
            "appeal": appeal.pk,
            "panel": sorted(str(u.pk) for u in panel),
            "hearing_at": hearing_at.isoformat() if hearing_at else None,
        },
    )
    return appeal


@transaction.atomic(durable=True)
def appeal_record_outcome(
    *,
    actor: Actor,
    appeal: Appeal,
    version: int,
    outcome: str,
    reason: str,
    decided_at: datetime,
    new_outcome: DecisionOption | None = None,
    sanctions: list[SanctionInput] | None = None,
    decision_makers: list[User] | None = None,
    rationale: str = "",
) -> Appeal:
    """Record what the panel decided, by a member of the panel: upheld (the decision stands),
    dismissed (the appeal is rejected) or varied (the panel's own decision, with its outcome,
    sanctions, rationale and snapshot, becomes the current one; the first stays)."""
    case = Case.objects.select_related("case_type").get(pk=appeal.case_id)
    guards.require_case_change(actor, case, Permission.CASE_DECIDE)
    assert actor.user is not None
    _lock_appeal(appeal, version)
    if appeal.is_decided:
        raise DomainError("This appeal is decided already.", field="outcome")
    panel = list(appeal.panel.all())
    if not panel:
        raise DomainError("Name the appeal panel before recording its outcome.", field="outcome")
    if actor.user.pk not in {u.pk for u in panel}:
        raise DomainError("Only a member of the appeal panel records its outcome.", field="outcome")
    if outcome not in AppealOutcome.values:
        raise DomainError("Choose the outcome of the appeal.", field="outcome")
    why = guards.required_text(reason, "the panel's reasons", field="outcome_reason")
    when = _when(decided_at, after=appeal.lodged_at, what="date of the outcome", field="decided_at")
    new_decision = None
    given = list(sanctions or [])
    if outcome == AppealOutcome.VARIED:
        if new_outcome is None:
            raise DomainError("Give the varied decision's outcome.", field="new_outcome")
        makers = decision_makers if decision_makers is not None else panel
        outside = [u for u in makers if u.pk not in {p.pk for p in panel}]
        if outside:
            raise DomainError(
                "The varied decision is the panel's: its decision makers are panel members.",
                field="decision_makers",
            )
        new_decision = _new_decision(
            actor=actor,
            case=case,
            outcome=new_outcome,
            sanctions=given,
            makers=_checked_makers(case, actor, makers, field="decision_makers"),
            rationale=guards.required_text(
                rationale, "the rationale for the varied decision", field="rationale"
            ),
            decided_at=when,
            supersedes=appeal.decision,
            supersede_reason=why,
            appeal=appeal,
        )
    elif new_outcome is not None or given:
        raise DomainError(
            "Only a varied appeal records a new outcome or sanctions: the decision stands.",
            field="new_outcome",
        )
    Appeal.objects.filter(pk=appeal.pk).update(
        version=F("version") + 1,
        outcome=outcome,
        outcome_reason=why,
        decided_at=when,
        decided_by=actor.user,
        updated_at=timezone.now(),
    )
    appeal.outcome, appeal.outcome_reason, appeal.decided_at = outcome, why, when
    appeal.decided_by, appeal.version = actor.user, version + 1
    chronology.event_added(case, selectors.appeal_outcome_event(chronology.facts_of(case), appeal))
    changes: dict[str, Any] = {"appeal": appeal.pk, "outcome": outcome, "new_decision": None}
    if new_decision is not None:
        changes["new_decision"] = _decision_changes(new_decision, given)
    recorder.record(actor=actor, action=AuditAction.APPEAL_DECIDED, subject=case, changes=changes)
    return appeal


# --- The organisation's outcomes and sanctions -----------------------------------------------


@transaction.atomic(durable=True)
def decision_option_add(
    *, actor: Actor, kind: str, label: str, applies_to: str = AppliesTo.ANY, help_text: str = ""
) -> DecisionOption:
    """Add an outcome or a sanction of the organisation's own."""
    require(actor, Permission.CONCERN_CONFIGURE)
    assert actor.organisation is not None
    if kind not in OptionKind.values:
        raise DomainError("Choose outcome or sanction.", field="kind")
    if applies_to not in AppliesTo.values:
        raise DomainError("Choose which cases it applies to.", field="applies_to")
    name = " ".join(label.split())
    if len(name) < 2 or len(name) > 120:
        raise DomainError("Give a name of 2 to 120 characters.", field="label")
    code = slugify(name)[:40] or "option"
    existing = selectors.options_for(actor.organisation.pk, kind, include_hidden=True)
    if existing.filter(label__iexact=name).exists() or existing.filter(code=code).exists():
        raise DomainError(f"There is already a {kind} called {name}.", field="label")
    option = DecisionOption.objects.create(
        organisation=actor.organisation,
        kind=kind,
        code=code,
        label=name,
        applies_to=AppliesTo.ANY if kind == OptionKind.SANCTION else applies_to,
        help_text=" ".join(help_text.split())[:300],
        position=100 + existing.count(),
    )
    recorder.record(
        actor=actor,
        action=AuditAction.DECISION_OPTION_ADDED,
        subject=option,
        changes={"kind": kind, "code": code, "label": name, "applies_to": option.applies_to},
    )
    return option


@transaction.atomic(durable=True)
def decision_option_set_in_use(
    *, actor: Actor, option: DecisionOption, in_use: bool
) -> DecisionOption:
    """Offer an outcome or sanction again, or stop offering it (a shipped one is hidden for
    the organisation, its own is retired). Decisions that gave it keep it. Saying what is
    already so changes nothing and is not an error, so a repeated form is harmless."""
    require(actor, Permission.CONCERN_CONFIGURE)
    assert actor.organisation is not None
    if option.organisation_id not in (None, actor.organisation.pk):
        raise DomainError("Choose an outcome or sanction from your organisation's list.")
    if option.organisation_id is None:
        hidden = DecisionOptionHidden.objects.filter(organisation=actor.organisation, option=option)
        if in_use:
            hidden.delete()
        elif not hidden.exists():
            DecisionOptionHidden.objects.create(organisation=actor.organisation, option=option)
    else:
        DecisionOption.objects.filter(pk=option.pk).update(is_active=in_use)
        option.is_active = in_use
    recorder.record(
        actor=actor,
        action=AuditAction.DECISION_OPTION_CHANGED,
        subject=option,
        changes={"kind": option.kind, "code": option.code, "in_use": in_use},
    )
    return option
