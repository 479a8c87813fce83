"""The demo's investigation (all invented), made through the real actions: on the allegation
against the after-school football coach (safecase/demo/cases.py), terms of reference and a
plan, three interviews (the child, a teammate who saw it, the coach), a session register as a
small text file in the evidence register with its custody, and findings of each kind, so a
newcomer sees fact, allegation and opinion kept apart, and can conclude the investigation.

The lead wires ``build_demo_investigations(world)`` in after ``build_demo_cases``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from django.utils import timezone

from safecase.accounts.models import Membership
from safecase.cases.investigations import actions, evidence_actions
from safecase.cases.investigations.choices import (
    FindingKind,
    IntervieweeRole,
    InvestigationStatus,
)
from safecase.cases.investigations.models import Investigation
from safecase.cases.models import Case, CaseSubject
from safecase.core.actors import Actor

REGISTER = (
    b"Riverside Academy after-school football: session register (synthetic)\n"
    b"Tuesday 16:00-17:15, sports hall and changing rooms\n"
    b"Coach: Mark Example-Coach. Present: Alex Example-Pupil, Sam Example-Teammate and 9 others.\n"
    b"Signed out 17:20 by the PE teacher.\n"
)


class World(Protocol):
    """What the builder needs of the demo world (safecase.demo.personas.DemoWorld)."""

    organisations: dict[str, Any]
    users: dict[str, Any]


def _actor(world: World, persona: str) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user, organisation=world.organisations["secondary"])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def build_demo_investigations(world: World) -> Investigation | None:
    """Idempotent: does nothing once the coach's case has an investigation, or without it."""
    case = (
        Case.objects.select_related("case_type", "organisation")
        .filter(
            organisation=world.organisations["secondary"],
            case_type__code="allegation",
            title__icontains="football coach",
        )
        .first()
    )
    if case is None or Investigation.objects.filter(case=case).exists():
        return None
    lead, worker = _actor(world, "lead"), world.users["case_worker"]
    child = CaseSubject.objects.filter(case=case, role="subject").first()
    coach = CaseSubject.objects.filter(case=case, role="adult_concerned").first()
    now = timezone.now()
    investigation = actions.investigation_open(
        actor=lead,
        case=case,
        terms_of_reference="Establish what happened between the coach and Alex in the changing "
        "rooms after Tuesday's practice, whether the coach held or pushed Alex, and whether "
        "anyone else saw it. Outside these terms: the coach's wider conduct, which the LADO "
        "may ask about separately.",
        plan="Interview Alex with a trusted adult present; interview the teammate who was "
        "there; obtain the session register; interview the coach once the LADO agrees; record "
        "findings by kind.",
        investigator=worker,
        reason="The LADO advised an internal investigation alongside their own enquiries.",
    )
    investigation = actions.investigation_update(
        actor=lead,
        investigation=investigation,
        version=investigation.version,
        terms_of_reference=investigation.terms_of_reference,
        plan=investigation.plan,
        investigator=worker,
        status=InvestigationStatus.IN_PROGRESS,
        reason="The LADO agreed the plan; interviews start today.",
    )
    interviews = [
        actions.interview_record(
            actor=lead,
            investigation=investigation,
            person=child.person if child else None,
            interviewee_name="" if child else "Alex Example-Pupil",
            role=IntervieweeRole.CHILD,
            held_at=now - timedelta(hours=20),
            interviewer=worker,
            summary="Alex said that after practice the coach took hold of their upper arm and "
            "pushed them against the lockers because they had missed a pass. Alex said it hurt "
            "and that Sam was in the changing room at the time.",
            own_words="He grabbed my arm really hard and shoved me because I missed the pass.",
            interviewer_opinion="Alex gave a clear, consistent account and was visibly upset "
            "when describing the push.",
        ),
        actions.interview_record(
            actor=lead,
            investigation=investigation,
            interviewee_name="Sam Example-Teammate",
            role=IntervieweeRole.WITNESS,
            held_at=now - timedelta(hours=18),
            interviewer=worker,
            summary="Sam said they saw the coach holding Alex's arm by the lockers and heard "
            "him say 'that's not good enough'. Sam did not see a push: they were tying their "
            "boots and looked up when they heard a bang.",
            own_words="I heard a bang on the lockers and the coach had Alex by the arm.",
            signed=True,
            signed_on=timezone.localdate(),
        ),
        actions.interview_record(
            actor=lead,
            investigation=investigation,
            person=coach.person if coach else None,
            interviewee_name="" if coach else "Mark Example-Coach",
            role=IntervieweeRole.ADULT_CONCERNED,
            held_at=now - timedelta(hours=4),
            interviewer=worker,
            summary="The coach said he took Alex by the arm to stop them walking off while he "
            "spoke to them, and denied pushing Alex. He said Alex may have stepped back into "
            "the lockers.",
            interviewer_opinion="The coach accepted holding Alex's arm but minimised it.",
        ),
    ]
    register = evidence_actions.evidence_record(
        actor=lead,
        investigation=investigation,
        item="Session register, Tuesday's practice",
        source="Riverside Academy PE department",
        obtained_on=timezone.localdate() - timedelta(days=1),
        description="Who was present, and when the session ended.",
        file_name="session-register.txt",
        file_data=REGISTER,
    )
    evidence_actions.custody_record(
        actor=lead,
        evidence=register,
        from_whom="PE teacher (synthetic)",
        to_whom="Cass Example-Worker, investigator",
        transferred_at=now - timedelta(hours=22),
        purpose="Copy for the investigation file.",
    )
    alex, sam, _coach = interviews
    for kind, text, basis, items in (
        (
            FindingKind.ESTABLISHED_FACT,
            "The coach held Alex by the upper arm in the changing room after Tuesday's "
            "practice; Sam saw it and the coach accepts it.",
            interviews,
            [register],
        ),
        (
            FindingKind.ALLEGATION_NOT_ESTABLISHED,
            "That the coach pushed Alex against the lockers: Alex says so; Sam heard a bang "
            "but did not see a push; the coach denies it.",
            [alex, sam],
            [],
        ),
        (
            FindingKind.OPINION,
            "The investigator's view: holding a child by the arm to stop them leaving is "
            "inconsistent with the club's code of conduct, whatever happened next.",
            [],
            [],
        ),
    ):
        actions.finding_record(
            actor=lead,
            investigation=investigation,
            kind=kind,
            text=text,
            interviews=basis,
            evidence=items,
        )
    return investigation
