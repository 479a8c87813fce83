"""Synthetic children, concerns, triage and actions for the demo organisation (all invented).

Made through the real actions, so the demo exercises the same rules and audit trail as real use.
Three concerns about one child within a month give the lead a pattern alert to look at.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from safecase.accounts.models import Membership
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Concern
from safecase.core.actors import Actor
from safecase.demo.personas import DemoWorld
from safecase.people import actions as people_actions
from safecase.people.models import Person

CHILDREN = (
    ("Jamie", "Example-Child", (2013, 3, 14), ["send"]),
    ("Riley", "Sample-Pupil", (2012, 9, 2), ["young_carer"]),
    ("Alex", "Demo-Student", (2014, 1, 23), []),
)

# (child index, days ago, category, location, fact, own words, urgent)
CONCERNS = (
    (
        0,
        20,
        "neglect",
        "Main entrance",
        "Jamie arrived at 08:40 without a coat; it was snowing. "
        "Jamie was shivering and said they had not had breakfast.",
        "There wasn't any food.",
        False,
    ),
    (
        0,
        9,
        "neglect",
        "Dining hall",
        "Jamie took two extra sandwiches from the lunch table and put them in their bag.",
        "",
        False,
    ),
    (
        0,
        2,
        "physical",
        "Playground by the bike shed",
        "A purple bruise about 3 cm across on Jamie's left forearm, oval.",
        "My step-dad grabbed me when I dropped the plate.",
        True,
    ),
    (
        1,
        12,
        "young_carer",
        "Form room",
        "Riley fell asleep in registration for the third time this week.",
        "I was up with Mum again.",
        False,
    ),
)


def _actor(world: DemoWorld, persona: str) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user, organisation=world.organisations["secondary"])
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def build_demo_concerns(world: DemoWorld) -> None:
    """Idempotent: does nothing once Riverside has concerns."""
    school = world.organisations["secondary"]
    if Concern.objects.filter(organisation=school).exists():
        return
    lead = _actor(world, "lead")
    reporter = _actor(world, "reporter")
    people: list[Person] = []
    for given, family, (y, m, d), flags in CHILDREN:
        people.append(
            people_actions.person_create(
                actor=lead,
                kind="child",
                given_names=given,
                family_name=family,
                date_of_birth=timezone.datetime(y, m, d).date(),
                flags=flags,
            )
        )
    now = timezone.now()
    for index, days_ago, category, place, fact, words, urgent in CONCERNS:
        child = people[index]
        draft = concern_actions.concern_save_draft(
            actor=reporter,
            concern=None,
            version=None,
            people=[{"name": f"{child.given_names} {child.family_name}", "details": "Year 8"}],
            category_codes=[category],
            happened_at=now - timedelta(days=days_ago, hours=2),
            location=place,
            fact=fact,
            own_words=words,
            recorder_role="Form tutor",
            is_urgent=urgent,
        )
        concern = concern_actions.concern_submit(
            actor=reporter, concern=draft, version=draft.version
        )
        concern_actions.concern_link_person(
            actor=lead, concern_person=concern.people.get(), person=child
        )
        if days_ago > 5:
            concern.refresh_from_db()
            concern_actions.concern_triage(
                actor=lead,
                concern=concern,
                version=concern.version,
                level_of_need=2,
                rag="green",
                initial_risk="Low immediate risk; a pattern may be emerging.",
                decision="monitor",
                rationale="Single low-level indicator; monitor and speak with the family.",
                threshold_considered="Level 3 (child in need) not met on this alone.",
                review_on=timezone.localdate() + timedelta(days=14),
            )
    concern_actions.action_create(
        actor=lead,
        concern=Concern.objects.filter(organisation=school).order_by("submitted_at").first(),  # type: ignore[arg-type]
        description="Phone Jamie's parent about breakfast club",
        owner=world.users["deputy"],
        due_on=timezone.localdate() + timedelta(days=1),
    )
