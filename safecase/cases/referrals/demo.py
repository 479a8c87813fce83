"""Synthetic referrals and tasks for the demo cases (all invented), made through the real
actions: on the allegation against the after-school football coach, a police referral and a
LADO referral with its reference and response; on a child-protection case of Riverside's, if
the demo has one, a referral to children's social care; and a few tasks.

``world`` is the demo world (safecase.demo.personas.DemoWorld: ``users`` and
``organisations`` by key); it is not imported here, as the cases package never reaches into
the demo package. Idempotent: does nothing once the allegation case has a referral.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from safecase.accounts.models import Membership
from safecase.cases.casetasks import actions as task_actions
from safecase.cases.models import Case
from safecase.cases.referrals import actions
from safecase.cases.referrals.models import ExternalReferral
from safecase.cases.referrals.selectors import agencies_for
from safecase.core.actors import Actor

# The demo's allegation case (safecase.demo.cases.ALLEGATION_TITLE).
ALLEGATION_TITLE = "Allegation against the after-school football coach (synthetic)"


def _actor(world: Any, persona: str) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user, organisation=world.organisations["secondary"])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def build_demo_referrals(world: Any) -> None:
    """Runs after build_demo_cases."""
    school = world.organisations["secondary"]
    allegation = Case.objects.filter(organisation=school, title=ALLEGATION_TITLE).first()
    if allegation is None or allegation.is_closed:
        return  # the demo cases were not built
    if ExternalReferral.objects.filter(case=allegation).exists():
        return
    lead, worker = _actor(world, "lead"), _actor(world, "case_worker")
    agency = {a.code: a for a in agencies_for(school.pk)}
    now = timezone.now()
    lado = actions.referral_make(
        actor=lead,
        case=allegation,
        agency=agency["lado"],
        made_at=now - timedelta(hours=20),
        method="phone",
        contact_name="Duty LADO, Northshire County Council (synthetic)",
        contact_details="lado@northshire.example.invalid, 01632 960111",
        their_reference="LADO-NS-2026-0117",
        summary="Shared the pupil's account, the PE teacher's record and the coach's role. "
        "Asked for advice on the harm threshold and on the coach's sessions meanwhile.",
    )
    actions.referral_record_response(
        actor=lead,
        referral=lado,
        version=lado.version,
        response="The LADO considers the harm threshold met and will convene an allegations "
        "management meeting. The coach should not run sessions until it has met; the school "
        "is not to investigate before the police have said whether they will.",
        received_on=timezone.localdate(),
        outcome="Allegations management meeting to be arranged",
    )
    actions.referral_make(
        actor=lead,
        case=allegation,
        agency=agency["police"],
        made_at=now - timedelta(hours=18),
        method="email",
        contact_name="Child abuse investigation team, Northshire Police (synthetic)",
        contact_details="cait@northshire-police.example.invalid",
        summary="On the LADO's advice: the pupil's account of being grabbed and pushed "
        "against the lockers, with the bruising seen by the PE teacher.",
    )
    task_actions.case_task_create(
        actor=lead,
        case=allegation,
        title="Agree dates for the allegations management meeting with the LADO",
        owner=worker.user,  # type: ignore[arg-type]
        due_on=timezone.localdate() + timedelta(days=3),
    )
    task_actions.case_task_create(
        actor=lead,
        case=allegation,
        title="Confirm in writing that the coach is not running sessions",
        owner=lead.user,  # type: ignore[arg-type]
        due_on=timezone.localdate() + timedelta(days=1),
    )
    child_protection = (
        Case.objects.filter(organisation=school, case_type__code="child_protection", status="open")
        .order_by("opened_at")
        .first()
    )
    if child_protection is not None:
        actions.referral_make(
            actor=lead,
            case=child_protection,
            agency=agency["childrens_social_care"],
            made_at=now - timedelta(hours=5),
            method="online_form",
            contact_name="Northshire children's services front door (synthetic)",
            contact_details="Online referral form",
            their_reference="CSC-NS-2026-4471",
            summary="Referred under the child-protection threshold: the disclosure, the marks "
            "seen and the family's circumstances as known to the school.",
        )
