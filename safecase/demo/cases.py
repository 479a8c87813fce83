"""A synthetic allegation case for the demo organisation (all invented), made through the real
actions: an allegation against the after-school football coach, opened from a pupil's
disclosure, with the child and the coach on it, a case worker allocated and a LADO referral
under way, so a newcomer can walk it on through investigation, decision and learning.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from safecase.accounts.models import Membership
from safecase.cases import actions as case_actions
from safecase.cases.choices import Stage, SubjectRole, TeamRole
from safecase.cases.models import Case, CaseType
from safecase.concerns import actions as concern_actions
from safecase.core.actors import Actor
from safecase.demo.personas import DemoWorld
from safecase.people import actions as people_actions
from safecase.people.models import Person

COACH = ("Mark", "Example-Coach", date(1984, 6, 2))
ALLEGATION_TITLE = "Allegation against the after-school football coach (synthetic)"


def _actor(world: DemoWorld, persona: str) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user, organisation=world.organisations["secondary"])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def build_demo_cases(world: DemoWorld) -> None:
    """Idempotent: does nothing once Riverside has a case. Runs after build_demo_concerns."""
    school = world.organisations["secondary"]
    if Case.objects.filter(organisation=school).exists():
        return
    lead, reporter = _actor(world, "lead"), _actor(world, "reporter")
    child = Person.objects.filter(organisation=school, given_names="Alex").first()
    if child is None:
        return  # the demo concerns were not built: nothing to hang the case on
    given, family, born = COACH
    coach = people_actions.person_create(
        actor=lead,
        kind="adult_concerned",
        given_names=given,
        family_name=family,
        date_of_birth=born,
    )
    draft = concern_actions.concern_save_draft(
        actor=reporter,
        concern=None,
        version=None,
        people=[
            {"name": f"{child.given_names} {child.family_name}", "details": "Year 7"},
            {"name": f"{given} {family}", "details": "Football coach", "role": "alleged"},
        ],
        category_codes=["physical"],
        happened_at=timezone.now() - timedelta(days=1, hours=3),
        location="Sports hall changing rooms",
        fact="After football practice Alex was crying and holding their upper arm. Alex said "
        "the coach had grabbed them and pushed them against the lockers.",
        own_words="He grabbed my arm really hard and shoved me because I missed the pass.",
        recorder_role="PE teacher",
        is_urgent=True,
    )
    concern = concern_actions.concern_submit(actor=reporter, concern=draft, version=draft.version)
    case = case_actions.case_open(
        actor=lead,
        case_type=CaseType.objects.get(organisation__isnull=True, code="allegation"),
        title=ALLEGATION_TITLE,
        reason="A pupil alleges physical harm by a member of staff: the harm threshold may be "
        "met (KCSIE Part 4).",
        concern=concern,
    )
    for person, role in ((child, SubjectRole.SUBJECT), (coach, SubjectRole.ADULT_CONCERNED)):
        case_actions.case_add_subject(
            actor=lead, case=case, version=case.version, person=person, role=role
        )
    case_actions.case_allocate(
        actor=lead,
        case=case,
        version=case.version,
        user=world.users["case_worker"],
        role=TeamRole.CASE_WORKER,
        reason="Cass runs staff investigations and does not coach the team.",
    )
    case_actions.case_advance_stage(
        actor=lead,
        case=case,
        version=case.version,
        to_stage=Stage.EXTERNAL_REFERRAL,
        reason="Referred to the LADO by phone within one working day; the coach is not to "
        "run sessions until the LADO's advice.",
    )


def build_demo_case_parts(world: DemoWorld) -> None:
    """What each part of a case adds to the demo cases (risk, referrals, investigation...),
    in the order a case meets them. Each builder is idempotent. Runs after build_demo_cases."""
    from safecase.cases.allegations.demo import build_demo_allegations
    from safecase.cases.decisions.demo import build_demo_decisions
    from safecase.cases.investigations.demo import build_demo_investigations
    from safecase.cases.learning.demo import build_demo_learning
    from safecase.cases.notes.demo import build_demo_notes
    from safecase.cases.referrals.demo import build_demo_referrals
    from safecase.cases.risk.demo import build_demo_risk

    # The investigation comes before the decision, the learning after it.
    for build in (
        build_demo_risk,
        build_demo_allegations,
        build_demo_referrals,
        build_demo_investigations,
        build_demo_decisions,
        build_demo_learning,
        build_demo_notes,
    ):
        build(world)
