"""The main pages and API lists run the same number of queries whatever the size of the data.

Each case renders a page for a small data set (made through the real actions, with at least one
of every kind of row the page shows, so every prefetch fires), counts the queries, then adds many
more of the rows that page lists (in bulk: concerns with categories, named and linked people,
addenda, triages, actions and pattern alerts; people with identifiers; members; tokens) and
asserts that the count is exactly the same, and that the page really does show more.

Absolute numbers are not asserted (they change as the pages are tuned); a generous ceiling is,
so that a page cannot hide an N+1 in a high but "constant" count.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import actor_for, client_for
from safecase.accounts import auth_actions
from safecase.accounts.models import ApiToken, Membership, MembershipRole, User, hash_secret
from safecase.accounts.tests.stepping_up import stepped_up_client
from safecase.concerns import actions as concern_actions
from safecase.concerns import chronology
from safecase.concerns.choices import ActionStatus, ConcernStatus, PersonRole
from safecase.concerns.models import (
    Addendum,
    Attachment,
    Category,
    Concern,
    ConcernAction,
    ConcernPerson,
    PatternAlert,
    PatternKind,
    Triage,
)
from safecase.core.actors import Actor
from safecase.core.tests.test_files import png
from safecase.demo.personas import DemoWorld
from safecase.insight.search import reindex_all
from safecase.notifications import actions as notification_actions
from safecase.notifications.models import Notification, NotificationKind
from safecase.people import actions as people_actions
from safecase.people.models import Person, PersonIdentifier

pytestmark = pytest.mark.django_db

# Generous, so that tuning the pages never trips it, yet an N+1 over a full page (25 to 50 rows)
# cannot hide under it.
CEILING = 40
# Rows added of each listed kind: more than one 50-row page, so pages are full and paginate.
MORE = 60
FAMILY = "Quercusby"  # an invented family name, shared by the child and the look-alikes
CATEGORIES = ("physical", "neglect")
# The test client's response (it carries .context and .json() besides the HttpResponse).
Response = Any


def nhs_number(serial: int) -> str:
    """A synthetic NHS number with a valid modulus-11 check digit (not a real person's)."""
    for candidate in itertools.count(900_000_000 + serial * 7):
        digits = [int(d) for d in f"{candidate:09d}"]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 10:
            continue
        return f"{candidate:09d}{0 if check == 11 else check}"
    raise AssertionError("unreachable")


@dataclass
class Scene:
    world: DemoWorld
    lead: Actor
    reporter: Actor
    child: Person
    concerns: list[Concern]


def _record(reporter: Actor, name: str, category: str, days_ago: int, *, urgent: bool) -> Concern:
    draft = concern_actions.concern_save_draft(
        actor=reporter,
        concern=None,
        version=None,
        people=[
            {"name": name, "details": "Year 8", "role": PersonRole.SUBJECT},
            {"name": "Mr Example-Adult", "details": "Step-parent", "role": PersonRole.ALLEGED},
        ],
        category_codes=[category, "neglect"] if category != "neglect" else [category],
        happened_at=timezone.now() - timedelta(days=days_ago, hours=3),
        location="Playground",
        fact=f"{name} had a bruise on the forearm (synthetic test concern).",
        own_words="I fell over.",
        is_urgent=urgent,
    )
    return concern_actions.concern_submit(actor=reporter, concern=draft, version=draft.version)


@pytest.fixture
def scene(world: DemoWorld) -> Scene:
    """Riverside with one child and one of everything the pages show, made by the actions."""
    lead = actor_for(world, "lead")
    reporter = actor_for(world, "reporter")
    child = people_actions.person_create(
        actor=lead,
        kind="child",
        given_names="Jamie",
        family_name=FAMILY,
        date_of_birth=date(2013, 3, 14),
        flags=["send"],
        identifiers=[("nhs", nhs_number(1)), ("la_child_id", "LA-0001")],
    )
    # A look-alike, so the person page's duplicate panel has a row to draw.
    people_actions.person_create(
        actor=lead,
        kind="child",
        given_names="Jamey",
        family_name=FAMILY,
        date_of_birth=date(2013, 3, 14),
        identifiers=[("nhs", nhs_number(2))],
    )
    concerns = [
        _record(reporter, f"Jamie {FAMILY}", "physical", 9, urgent=False),
        _record(reporter, f"Jamie {FAMILY}", "neglect", 5, urgent=True),
        _record(reporter, f"Jamie {FAMILY}", "physical", 2, urgent=False),
    ]
    for concern in concerns:
        named = concern.people.get(role=PersonRole.SUBJECT)
        concern_actions.concern_link_person(actor=lead, concern_person=named, person=child)
    first = Concern.objects.get(pk=concerns[0].pk)
    concern_actions.concern_triage(
        actor=lead,
        concern=first,
        version=first.version,
        level_of_need=2,
        rag="green",
        initial_risk="Low immediate risk.",
        decision="monitor",
        rationale="A single indicator: monitor and speak with the family.",
        threshold_considered="Level 3 not met on this alone.",
        review_on=timezone.localdate() + timedelta(days=14),
    )
    concern_actions.concern_add_addendum(
        actor=reporter, concern=first, reason="Spelling", text="The bruise was on the left arm."
    )
    for owner, due in ((world.users["reporter"], 3), (world.users["deputy"], 0)):
        concern_actions.action_create(
            actor=lead,
            concern=first,
            description="Phone the parent",
            owner=owner,
            due_on=timezone.localdate() + timedelta(days=due),
        )
    concern_actions.concern_mark_significant(actor=lead, concern=first, significant=True)
    concern_actions.attachment_add(
        actor=lead, concern=first, name="photo.png", data=png(), reason="Photo of the coat peg"
    )
    # A draft of the reporter's own, for "my concerns".
    concern_actions.concern_save_draft(
        actor=reporter,
        concern=None,
        version=None,
        people=[{"name": "Riley Example"}],
        category_codes=["neglect"],
        fact="Draft, not yet sent.",
    )
    # Three concerns about one child in a month: the rules open a pattern alert.
    alerts = concern_actions.concern_evaluate_patterns(
        actor=Actor.system("patterns", organisation=world.organisations["secondary"]),
        concern=concerns[-1],
    )
    assert alerts, "the small data set should hold an open pattern alert"
    for persona in ("lead", "reporter"):
        notification_actions.notify(
            actor=Actor.system("tests", organisation=world.organisations["secondary"]),
            organisation_id=world.organisations["secondary"].pk,
            recipients=[world.users[persona]],
            kind=NotificationKind.URGENT_CONCERN,
            target_id=concerns[1].pk,
        )
        auth_actions.api_token_create(
            actor=actor_for(world, persona), name="Laptop", days=30, with_mfa=True
        )
    return Scene(world=world, lead=lead, reporter=reporter, child=child, concerns=concerns)


def grow(scene: Scene, n: int = MORE) -> None:
    """Add ``n`` more of every kind of row the pages list, in bulk (no audit events: this is
    volume for counting queries, not records), then rebuild the search index and the
    chronology lines (which the actions would have kept)."""
    world = scene.world
    org = world.organisations["secondary"]
    reporter, lead, deputy = (world.users[p] for p in ("reporter", "lead", "deputy"))
    now = timezone.now()
    today = timezone.localdate()
    categories = list(Category.objects.filter(organisation__isnull=True, code__in=CATEGORIES))
    assert len(categories) == len(CATEGORIES)
    Category.objects.bulk_create(
        Category(organisation=org, code=f"local-{i}", label=f"Local category {i}", position=50 + i)
        for i in range(10)
    )

    people = [
        Person(
            organisation=org,
            kind="child",
            given_names=f"Jamie{i}",
            family_name=FAMILY,
            date_of_birth=date(2013, 3, 14),
            flags=["send"] if i % 2 else [],
            created_by=lead,
        )
        for i in range(n)
    ]
    Person.objects.bulk_create(people)
    PersonIdentifier.objects.bulk_create(
        PersonIdentifier(organisation=org, person=p, scheme=scheme, value=value)
        for i, p in enumerate(people)
        for scheme, value in (("nhs", nhs_number(100 + i)), ("la_child_id", f"LA-{1000 + i}"))
    )

    def concern(i: int, *, status: str, triaged: bool) -> Concern:
        submitted = now - timedelta(days=1 + i % 20, minutes=i)
        return Concern(
            organisation=org,
            status=status,
            recorded_by=reporter,
            is_urgent=i % 3 == 0,
            happened_at=submitted - timedelta(hours=2),
            location="Dining hall",
            fact=f"Jamie {FAMILY} took food again (synthetic {i}).",
            own_words="I was hungry.",
            submitted_at=submitted if status == ConcernStatus.SUBMITTED else None,
            triaged_at=submitted + timedelta(hours=1) if triaged else None,
            is_significant=i % 4 == 0,
        )

    waiting = [concern(i, status=ConcernStatus.SUBMITTED, triaged=False) for i in range(n)]
    decided = [concern(i, status=ConcernStatus.SUBMITTED, triaged=True) for i in range(n)]
    drafts = [concern(i, status=ConcernStatus.DRAFT, triaged=False) for i in range(n)]
    made = Concern.objects.bulk_create(waiting + decided + drafts)
    category_link = Concern.categories.through
    category_link.objects.bulk_create(
        category_link(concern_id=c.pk, category_id=cat.pk) for c in made for cat in categories
    )
    ConcernPerson.objects.bulk_create(
        ConcernPerson(
            organisation=org,
            concern=c,
            name_as_recorded=f"Jamie {FAMILY}",
            details_as_recorded="Year 8",
            role=PersonRole.SUBJECT,
            person=scene.child if c.status == ConcernStatus.SUBMITTED else None,
        )
        for c in made
    )
    ConcernPerson.objects.bulk_create(
        ConcernPerson(
            organisation=org, concern=c, name_as_recorded=f"Parent {i}", role=PersonRole.ALLEGED
        )
        for i, c in enumerate(made)
    )
    submitted = waiting + decided
    Addendum.objects.bulk_create(
        Addendum(organisation=org, concern=c, author=reporter, reason=f"Note {k}", text="More.")
        for c in submitted
        for k in range(2)
    )
    Triage.objects.bulk_create(
        Triage(
            organisation=org,
            concern=c,
            triaged_by=lead,
            level_of_need=2,
            rag="amber",
            initial_risk="Some risk.",
            decision="monitor",
            rationale="Monitor and review (synthetic).",
            threshold_considered="Level 3 not met.",
            review_on=today + timedelta(days=10),
        )
        for c in decided
    )
    ConcernAction.objects.bulk_create(
        ConcernAction(
            organisation=org,
            concern=c,
            description=f"Follow up {i}",
            owner=reporter if i % 2 else deputy,
            # Some overdue (the lead's home counts them), some done.
            due_on=today + timedelta(days=(i % 7) - 2),
            status=ActionStatus.DONE if i % 5 == 0 else ActionStatus.OPEN,
            created_by=lead,
        )
        for i, c in enumerate(submitted)
    )
    alerts = PatternAlert.objects.bulk_create(
        PatternAlert(
            organisation=org,
            kind=PatternKind.REPEATED_ABOUT_PERSON,
            key=f"synthetic-{i}",
            summary=f"Several concerns about one child ({i})",
        )
        for i in range(n)
    )
    alert_link = PatternAlert.concerns.through
    alert_link.objects.bulk_create(
        alert_link(patternalert_id=a.pk, concern_id=c.pk)
        for i, a in enumerate(alerts)
        for c in (waiting[i], decided[i], waiting[(i + 1) % n])
    )

    # The first concern's own page lists its addenda, triages and actions.
    first = scene.concerns[0]
    Addendum.objects.bulk_create(
        Addendum(organisation=org, concern=first, author=reporter, reason=f"Note {i}", text="Yes.")
        for i in range(n)
    )
    ConcernAction.objects.bulk_create(
        ConcernAction(
            organisation=org,
            concern=first,
            description=f"Task {i}",
            owner=deputy,
            due_on=today + timedelta(days=i),
            created_by=lead,
        )
        for i in range(n)
    )
    Attachment.objects.bulk_create(
        Attachment(
            organisation=org,
            concern=first,
            uploaded_by=lead,
            storage_name=f"synthetic/{uuid.uuid4().hex}",  # listed, never opened
            display_name=f"photo-{i}.png",
            mime="image/png",
            size=100 + i,
            sha256=f"{i:064x}",
            reason="More photos",
        )
        for i in range(n)
    )
    Notification.objects.bulk_create(
        Notification(
            recipient=recipient,
            organisation=org,
            kind=NotificationKind.ACTION_ASSIGNED,
            target_url_name="concerns:mine",
            text="An action was set for you; open your concerns and actions to see it.",
            read_at=now if i % 3 == 0 else None,
        )
        for recipient in (lead, reporter)
        for i in range(n)
    )

    users = User.objects.bulk_create(
        User(email=f"member{i}.{uuid.uuid4().hex[:6]}@test.invalid", full_name=f"Member {i}")
        for i in range(n)
    )
    memberships = Membership.objects.bulk_create(
        Membership(user=u, organisation=org) for u in users
    )
    MembershipRole.objects.bulk_create(
        MembershipRole(membership=m, role=role)
        for m in memberships
        for role in ("reporter", "case_worker")
    )
    ApiToken.objects.bulk_create(
        ApiToken(
            user=owner,
            organisation=org,
            name=f"Token {i}",
            prefix=uuid.uuid4().hex[:12],
            key_hash=hash_secret(uuid.uuid4().hex),
            expires_at=now + timedelta(days=30),
        )
        for owner in (lead, reporter)
        for i in range(n)
    )
    reindex_all()
    chronology.rebuild()


# --- How much each page shows (so that growing the data visibly reached the page) -----------


def _html_rows(marker: str) -> Callable[[Response], int]:
    return lambda response: response.content.decode().count(marker)


def _context_len(*keys: str) -> Callable[[Response], int]:
    def measure(response: Response) -> int:
        total = 0
        for key in keys:
            value = response.context[key]
            total += len(getattr(value, "items", value))
        return total

    return measure


def _home_work(response: Response) -> int:
    return sum(response.context["work"].values())


def _api_results(response: Response) -> int:
    return len(response.json()["results"])


def _api_chronology(response: Response) -> int:
    body = response.json()
    return len(body["entries"] if isinstance(body, dict) and "entries" in body else body)


def _bytes(response: Response) -> int:
    return len(response.content)


def _csv_lines(response: Response) -> int:
    return int(response.content.count(b"\n"))


@dataclass(frozen=True)
class Page:
    name: str
    persona: str
    url: Callable[[Scene], str]
    shown: Callable[[Response], int]


PAGES = (
    Page("triage queue", "lead", lambda s: "/concerns/queue/", _context_len("page", "alerts")),
    Page(
        "triage queue, second page",
        "lead",
        lambda s: "/concerns/queue/",  # replaced by the first page's next link below
        _context_len("page", "alerts"),
    ),
    Page(
        "person page with chronology",
        "lead",
        lambda s: f"/people/{s.child.pk}/",
        lambda r: r.context["chronology_total"] + len(r.context["duplicates"]),
    ),
    Page(
        "person page, chronology filtered by category",
        "lead",
        lambda s: f"/people/{s.child.pk}/?category=neglect",
        lambda r: r.context["chronology_total"],
    ),
    Page(
        "chronology CSV export",
        "lead",
        lambda s: f"/people/{s.child.pk}/chronology.csv",
        _csv_lines,
    ),
    Page(
        "chronology PDF export",
        "lead",
        lambda s: f"/people/{s.child.pk}/chronology.pdf",
        _bytes,
    ),
    Page("search", "lead", lambda s: f"/search/?q={FAMILY}", _context_len("hits")),
    Page("search for words", "lead", lambda s: "/search/?q=bruise+OR+food", _context_len("hits")),
    Page("search as the reporter", "reporter", lambda s: f"/search/?q={FAMILY}", _bytes),
    Page(
        "my concerns", "reporter", lambda s: "/concerns/mine/", _context_len("page", "my_actions")
    ),
    Page(
        "concern page",
        "lead",
        lambda s: f"/concerns/{s.concerns[0].pk}/",
        lambda r: sum(len(r.context[k]) for k in ("addenda", "triages", "actions", "attachments")),
    ),
    Page("notifications", "lead", lambda s: "/notifications/", _context_len("page")),
    Page("notifications, unread", "reporter", lambda s: "/notifications/?show=unread", _bytes),
    Page("the lead's home", "lead", lambda s: "/", _home_work),
    Page("the reporter's home", "reporter", lambda s: "/", _home_work),
    Page("people list", "lead", lambda s: "/people/", _context_len("page")),
    Page("people list, searched", "lead", lambda s: f"/people/?q={FAMILY}", _context_len("page")),
    Page("API triage queue", "lead", lambda s: "/api/v1/concerns/queue", _api_results),
    Page("API my concerns", "reporter", lambda s: "/api/v1/concerns/mine", _api_results),
    Page("API my actions", "reporter", lambda s: "/api/v1/actions/mine", _api_results),
    Page("API people", "lead", lambda s: "/api/v1/people", _api_results),
    Page("API people, searched", "lead", lambda s: f"/api/v1/people?q={FAMILY}", _api_results),
    Page(
        "API chronology",
        "lead",
        lambda s: f"/api/v1/people/{s.child.pk}/chronology",
        _api_chronology,
    ),
    Page(
        "API a concern's files",
        "lead",
        lambda s: f"/api/v1/concerns/{s.concerns[0].pk}/attachments",
        _api_results,
    ),
    Page("API pattern alerts", "lead", lambda s: "/api/v1/alerts", _api_results),
    Page("API categories", "lead", lambda s: "/api/v1/categories", _api_results),
    Page("API memberships", "org_admin", lambda s: "/api/v1/memberships", _api_results),
    Page("API tokens", "lead", lambda s: "/api/v1/tokens", _api_results),
)


def _count(client: Client, url: str) -> tuple[int, Response, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(ctx.captured_queries), response, [q["sql"] for q in ctx.captured_queries]


def _second_page_url(client: Client) -> str:
    response = client.get("/concerns/queue/")
    cursor = response.context["page"].next_cursor
    assert cursor, "the grown queue should run to a second page"
    return f"/concerns/queue/?after={cursor}"


def _shape(sql: str) -> str:
    """A query with its literal values taken out, so repeats of one query can be counted."""
    return re.sub(r"'[^']*'|\b\d+(\.\d+)?\b|%s", "?", sql)[:300]


def _diff(small: list[str], large: list[str]) -> str:
    """The queries run more often with more data: where the extra ones come from."""
    before, after = Counter(map(_shape, small)), Counter(map(_shape, large))
    grown = [(n - before[q], q) for q, n in after.items() if n > before[q]]
    return "\n".join(f"  +{extra} x {q}" for extra, q in sorted(grown, reverse=True)[:5])


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_query_count_does_not_grow_with_the_data(scene: Scene, page: Page) -> None:
    # Stepped up, as the chronology downloads ask for a fresh code first (security bar A5).
    client = stepped_up_client(scene.world.users[page.persona])
    url = page.url(scene)
    client.get(url)  # warm-up: the first request after sign-in settles the session
    small_count, small_response, small_sql = _count(client, url)
    assert _count(client, url)[0] == small_count, "the count should be stable between requests"

    grow(scene)
    if page.name == "triage queue, second page":
        url = _second_page_url(client)
    large_count, large_response, large_sql = _count(client, url)

    assert page.shown(large_response) > page.shown(small_response), (
        f"{page.name}: the added rows did not reach the page, so this case proves nothing"
    )
    assert large_count == small_count, (
        f"{page.name} ran {small_count} queries with a few rows and {large_count} with "
        f"{MORE} more of each: a query per row (N+1)? Extra queries:\n"
        + _diff(small_sql, large_sql)
    )
    assert large_count <= CEILING, f"{page.name} ran {large_count} queries (ceiling {CEILING})"


def test_the_chronology_shows_every_kind_of_entry(scene: Scene) -> None:
    """Guards the premise above: the small data set already has each kind the page draws."""
    client = client_for(scene.world.users["lead"])
    response = client.get(f"/people/{scene.child.pk}/")
    kinds = {entry.kind for entry in response.context["chronology"]}
    assert {"Concern", "Addendum", "Triage decision", "Action"} <= kinds
    assert response.context["duplicates"], "the look-alike should be offered as a duplicate"


def test_the_small_queue_holds_urgent_waiting_and_an_alert(scene: Scene) -> None:
    client = client_for(scene.world.users["lead"])
    response = client.get("/concerns/queue/")
    items = response.context["page"].items
    assert any(c.is_urgent for c in items) and any(not c.is_urgent for c in items)
    assert response.context["alerts"]
