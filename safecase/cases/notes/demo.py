"""Synthetic notes and supervision for the demo's allegation case (all invented), made through
the real actions: notes of several types and visibilities, a reflective supervision session
on the case with Sam Supervisor, and a four-weekly schedule for Cass Worker with one missed
session, so the supervisor's page and home panel have something to show.

Idempotent: does nothing once the case has a note. Runs after build_demo_cases (the lead wires
it into the demo command)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from django.utils import timezone

from safecase.accounts.models import Membership
from safecase.cases.models import Case
from safecase.cases.notes import actions
from safecase.cases.notes.choices import NoteKind, NoteVisibility
from safecase.cases.notes.models import CaseNote
from safecase.core.actors import Actor


class DemoWorld(Protocol):
    """What this builder reads of safecase.demo.personas.DemoWorld (not imported: the cases
    package may not depend on the demo, by the import contract)."""

    users: dict[str, Any]
    organisations: dict[str, Any]


def _actor(world: DemoWorld, persona: str) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user, organisation=world.organisations["secondary"])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def build_demo_notes(world: DemoWorld) -> None:
    school = world.organisations["secondary"]
    # The demo's allegation against the football coach (safecase.demo.cases).
    case = (
        Case.objects.filter(organisation=school, case_type__code="allegation")
        .order_by("opened_at")
        .first()
    )
    if case is None or case.is_closed or CaseNote.objects.filter(case=case).exists():
        return
    lead, worker = _actor(world, "lead"), _actor(world, "case_worker")
    supervisor = _actor(world, "supervisor")
    now = timezone.now()
    actions.note_add(
        actor=worker,
        case=case,
        kind=NoteKind.CONTACT,
        visibility=NoteVisibility.SAFEGUARDING_TEAM,
        occurred_at=now - timedelta(days=1, hours=2),
        fact="Phoned Alex's parent. She said Alex had a bruise on the upper arm that evening "
        "and did not want to go to football on Saturday.",
        opinion="The parent was calm and clear; her account matches the PE teacher's.",
    )
    actions.note_add(
        actor=lead,
        case=case,
        kind=NoteKind.DISCUSSION,
        visibility=NoteVisibility.SAFEGUARDING_TEAM,
        occurred_at=now - timedelta(days=1),
        fact="Spoke with the LADO by phone. Advice: the coach does not run sessions until the "
        "strategy discussion; the school does not interview the coach yet.",
    )
    actions.note_add(
        actor=worker,
        case=case,
        kind=NoteKind.OTHER,
        visibility=NoteVisibility.CASE_TEAM,
        occurred_at=now - timedelta(hours=20),
        fact="Booked the meeting room for the strategy discussion on Thursday.",
    )
    actions.note_add(
        actor=lead,
        case=case,
        kind=NoteKind.DISCUSSION,
        visibility=NoteVisibility.NAMED,
        named_people=[world.users["deputy"]],
        occurred_at=now - timedelta(hours=18),
        fact="The coach's line manager told me the coach is going through a divorce and has "
        "been off sick twice this term.",
        opinion="Relevant to support for the coach, not to the facts of the allegation.",
    )
    actions.note_add(
        actor=supervisor,
        case=case,
        kind=NoteKind.MANAGEMENT_OVERSIGHT,
        visibility=NoteVisibility.SAFEGUARDING_TEAM,
        occurred_at=now - timedelta(hours=6),
        fact="Reviewed the case: referral to the LADO made within one working day; interim "
        "measure in place; the child and the parent have been spoken to.",
        opinion="Proportionate so far. Keep Alex's voice at the centre of the strategy discussion.",
    )
    actions.supervision_record(
        actor=supervisor,
        case=case,
        supervisee=world.users["case_worker"],
        held_at=now - timedelta(days=2),
        discussion="Cass reflected on keeping an open mind: the coach is well liked and the "
        "first account came from an upset child. We went through what is known first-hand and "
        "what is not yet.",
        decisions="Gather the PE teacher's written account before the strategy discussion.",
        actions=[
            {
                "text": "Ask the PE teacher for a signed, dated account.",
                "owner": world.users["case_worker"],
                "due_on": timezone.localdate() + timedelta(days=2),
            },
            {"text": "Read the KCSIE Part 4 guidance on supporting the member of staff."},
        ],
        next_session_on=timezone.localdate() + timedelta(days=26),
    )
    # A four-weekly schedule whose first period (38 to 11 days ago) had no session: one missed.
    actions.schedule_set(
        actor=supervisor,
        worker=world.users["case_worker"],
        every_weeks=4,
        starts_on=timezone.localdate() - timedelta(days=38),
    )
