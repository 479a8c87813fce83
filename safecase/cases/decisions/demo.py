"""The demo's decision and appeal (all invented): on the demo allegation against the
after-school football coach, Riverside's lead and head teacher find the allegation
substantiated, with training and a written warning; the coach appeals; an independent panel
of two governors (neither took the decision) varies it: the finding stands, the warning is
shortened, and the training stays. Made through the real actions, so the snapshots, audit
events and chronology lines are the real ones.

``build_demo_decisions(world)`` is idempotent: it does nothing once the case has a decision,
or if the case is not there (the demo cases were not built) or has gone past the appeal.
It runs after the demo cases (and the investigation's builder, if any) and before the
learning review's. It leaves the case at the appeal stage, the appeal decided, for the
newcomer to move on to learning.

The head teacher and the governors are demo members of Riverside with the decision maker
role, made here (the personas hold only one decision maker, the lead, and a panel must be
independent of her); they sign in with the lead's demo password.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from safecase.access.roles import Role
from safecase.accounts.models import Membership, MembershipRole, User
from safecase.cases import actions as case_actions
from safecase.cases.choices import Stage, SubjectRole
from safecase.cases.decisions import actions
from safecase.cases.decisions.choices import AppealOutcome, OptionKind
from safecase.cases.decisions.models import Decision, DecisionOption
from safecase.cases.decisions.selectors import SanctionInput
from safecase.cases.models import Case
from safecase.core.actors import Actor

# The demo allegation's title (safecase/demo/cases.py: ALLEGATION_TITLE).
ALLEGATION_TITLE = "Allegation against the after-school football coach (synthetic)"
DEMO_DOMAIN = "demo.safecase.invalid"  # as the personas': .invalid never receives mail
# (key, full name): invented people.
HEAD = ("head.teacher", "Helen Head-Example")
PANEL = (("governor.chair", "Gwen Governor-Example"), ("governor", "Tariq Trustee-Example"))
BEFORE_DECISION = (Stage.REPORTING, Stage.EXTERNAL_REFERRAL, Stage.INTERNAL_INVESTIGATION)


def _member(world: Any, key: str, full_name: str) -> Actor:
    """A demo member of Riverside with the decision maker role (set-up, as the personas are
    made: the demo's users are not recorded by actions)."""
    school = world.organisations["secondary"]
    lead = world.users["lead"]
    email = f"{key}@{DEMO_DOMAIN}"
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, full_name=full_name, is_demo=lead.is_demo)
            user.password = lead.password  # the demo's one password, as its hash
            user.save(update_fields=["password"])
        membership, _ = Membership.objects.get_or_create(user=user, organisation=school)
        MembershipRole.objects.get_or_create(membership=membership, role=Role.DECISION_MAKER)
    return Actor(user=user, organisation=school, roles=frozenset({Role.DECISION_MAKER}))


def _lead(world: Any) -> Actor:
    user = world.users["lead"]
    membership = Membership.objects.get(user=user, organisation=world.organisations["secondary"])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def _option(kind: str, code: str) -> DecisionOption:
    return DecisionOption.objects.get(organisation__isnull=True, kind=kind, code=code)


def _sanction(code: str, detail: str, days: int | None = None) -> SanctionInput:
    ends = timezone.localdate() + timedelta(days=days) if days else None
    return SanctionInput(option=_option(OptionKind.SANCTION, code), detail=detail, ends_on=ends)


def build_demo_decisions(world: Any) -> None:
    case = (
        Case.objects.filter(organisation=world.organisations["secondary"], title=ALLEGATION_TITLE)
        .select_related("case_type", "organisation")
        .first()
    )
    if case is None or Decision.objects.filter(case=case).exists():
        return
    if case.stage not in (*BEFORE_DECISION, Stage.DECISION):
        return
    lead = _lead(world)
    head = _member(world, *HEAD)
    chair, governor = (_member(world, key, name) for key, name in PANEL)
    if case.stage != Stage.DECISION:
        case_actions.case_advance_stage(
            actor=lead,
            case=case,
            version=case.version,
            to_stage=Stage.DECISION,
            reason="The LADO's advice is in and the school's own enquiry is complete: the "
            "decision is for the lead and the head teacher.",
        )
    decision = actions.decision_record(
        actor=lead,
        case=case,
        version=case.version,
        outcome=_option(OptionKind.OUTCOME, "substantiated"),
        sanctions=[
            _sanction("training", "Safeguarding and positive behaviour management course", 42),
            _sanction("warning", "Final written warning, on file for 12 months", 365),
        ],
        decision_makers=[u for u in (lead.user, head.user) if u is not None],
        rationale="Alex's account was given the same day and is consistent with the PE "
        "teacher's observation of Alex holding their upper arm. A second pupil saw the coach "
        "take Alex by the arm. The coach accepts taking hold of Alex 'to get his attention'. "
        "On the balance of probabilities the coach grabbed and pushed Alex: substantiated. "
        "Given no earlier concerns, a final written warning and training are proportionate.",
        decided_at=timezone.now(),
    )
    case_actions.case_advance_stage(
        actor=lead,
        case=case,
        version=case.version,
        to_stage=Stage.APPEAL,
        reason="The coach has said he will appeal the sanction.",
    )
    coach = case.subjects.filter(role=SubjectRole.ADULT_CONCERNED).select_related("person").first()
    appeal = actions.appeal_lodge(
        actor=lead,
        case=case,
        version=case.version,
        decision=decision,
        appellant_person=coach.person if coach else None,
        appellant_name="" if coach else "Mark Example-Coach",
        appellant_role="The coach",
        grounds="The coach accepts the finding but says a final written warning is "
        "disproportionate for a first incident in eleven years, and that he was not told he "
        "could be accompanied at the meeting.",
        lodged_at=timezone.now(),
    )
    appeal = actions.appeal_set_panel(
        actor=lead,
        appeal=appeal,
        version=appeal.version,
        panel=[u for u in (chair.user, governor.user) if u is not None],
        hearing_at=timezone.now(),
    )
    actions.appeal_record_outcome(
        actor=chair,
        appeal=appeal,
        version=appeal.version,
        outcome=AppealOutcome.VARIED,
        reason="The finding is sound and stands. The panel accepts that the coach was not told "
        "he could be accompanied, and that there is no earlier concern: a first written "
        "warning for six months replaces the final written warning.",
        decided_at=timezone.now(),
        new_outcome=_option(OptionKind.OUTCOME, "substantiated"),
        sanctions=[
            _sanction("training", "Safeguarding and positive behaviour management course", 42),
            _sanction("warning", "First written warning, on file for 6 months", 183),
        ],
        rationale="Substantiated, on the same evidence as the first decision. Training as "
        "before; a first written warning for six months is proportionate for a first incident "
        "with the coach's acceptance of what happened.",
    )
