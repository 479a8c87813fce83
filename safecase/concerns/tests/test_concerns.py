"""Recording, submitting, correcting and triaging concerns; who sees what."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from conftest import actor_for, client_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions, selectors
from safecase.concerns.models import Category, Concern, Triage
from safecase.concerns.quality import hints_for
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.demo.personas import DemoWorld
from safecase.people.actions import person_create

pytestmark = pytest.mark.django_db


def submitted_concern(world: DemoWorld, persona: str = "reporter", **extra: Any) -> Concern:
    actor = actor_for(world, persona)
    fields: dict[str, Any] = {
        "people": [{"name": "Jamie Example-Child", "details": "Year 8", "role": "subject"}],
        "category_codes": ["physical"],
        "happened_at": timezone.now() - timedelta(hours=2),
        "location": "Playground",
        "fact": "A purple bruise, about 3 cm, on the left forearm.",
        "own_words": "My step-dad grabbed me.",
        "opinion": "I think Jamie was frightened.",
        **extra,
    }
    draft = actions.concern_save_draft(actor=actor, concern=None, version=None, **fields)
    return actions.concern_submit(actor=actor, concern=draft, version=draft.version)


def triage(world: DemoWorld, concern: Concern, **extra: Any) -> Triage:
    fields: dict[str, Any] = {
        "level_of_need": 3,
        "rag": "amber",
        "initial_risk": "Possible physical harm at home.",
        "decision": "refer",
        "rationale": "Disclosure of physical harm by a parent: refer to children's social care.",
        **extra,
    }
    fields.setdefault("version", concern.version)
    return actions.concern_triage(actor=actor_for(world, "lead"), concern=concern, **fields)


def test_a_draft_is_private_and_a_submitted_concern_never_changes(world: DemoWorld) -> None:
    reporter = actor_for(world, "reporter")
    draft = actions.concern_save_draft(
        actor=reporter,
        concern=None,
        version=None,
        people=[{"name": "Jamie Example-Child"}],
        category_codes=["neglect"],
    )
    assert not selectors.concerns_visible_to(actor_for(world, "lead")).filter(pk=draft.pk).exists()
    with pytest.raises(NotPermitted):
        actions.concern_save_draft(
            actor=actor_for(world, "lead"),
            concern=draft,
            version=draft.version,
            people=[],
            category_codes=[],
        )
    concern = submitted_concern(world)
    with pytest.raises(Conflict):
        actions.concern_save_draft(
            actor=reporter, concern=concern, version=concern.version, people=[], category_codes=[]
        )
    concern.refresh_from_db()
    assert concern.fact.startswith("A purple bruise")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"people": []}, "name at least one person"),
        ({"category_codes": []}, "at least one category"),
        ({"fact": "", "own_words": ""}, "what you saw or heard"),
        ({"happened_at": None}, "when it happened"),
    ],
)
def test_submitting_an_incomplete_concern_says_what_is_missing(
    world: DemoWorld, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        submitted_concern(world, **change)
    assert not Concern.objects.filter(status="submitted").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CONCERN_SUBMITTED).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category_codes": ["astrology"]}, "Choose categories"),
        ({"happened_at": timezone.now() + timedelta(days=1)}, "future"),
        ({"body_marks": [{"side": "front", "region": "left_hand", "description": ""}]}, "describe"),
        (
            {"body_marks": [{"side": "top", "region": "head", "description": "x"}]},
            "side and a place",
        ),
        ({"kind": "gossip"}, "kind of concern"),
    ],
)
def test_bad_drafts_are_refused_and_nothing_is_saved(
    world: DemoWorld, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        submitted_concern(world, **change)
    assert not Concern.objects.exists()


def test_an_urgent_concern_emails_the_leads_without_details(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submitted_concern(world, is_urgent=True)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world.users["lead"].email, world.users["deputy"].email])
    assert "Jamie" not in mail.outbox[0].body and "bruise" not in mail.outbox[0].body


def test_reporters_see_their_own_concerns_only(world: DemoWorld) -> None:
    mine = submitted_concern(world, "reporter")
    theirs = submitted_concern(world, "case_worker")
    visible = set(selectors.concerns_visible_to(actor_for(world, "reporter")))
    assert visible == {mine}
    team = set(selectors.concerns_visible_to(actor_for(world, "deputy")))
    assert team == {mine, theirs}
    assert set(selectors.concerns_visible_to(actor_for(world, "other_org"))) == set()
    assert set(selectors.concerns_visible_to(actor_for(world, "org_admin"))) == set()


def test_low_level_concerns_about_adults_are_for_the_lead_only(world: DemoWorld) -> None:
    concern = submitted_concern(world, "case_worker", kind="low_level_adult")
    assert concern in selectors.concerns_visible_to(actor_for(world, "lead"))
    assert concern not in selectors.concerns_visible_to(actor_for(world, "deputy"))
    assert concern in selectors.concerns_visible_to(actor_for(world, "case_worker"))  # their own


def test_triage_needs_a_rationale_and_a_decision_not_to_refer_a_review_date(
    world: DemoWorld,
) -> None:
    concern = submitted_concern(world)
    with pytest.raises(DomainError, match="rationale"):
        triage(world, concern, rationale="ok")
    with pytest.raises(DomainError, match="threshold"):
        triage(world, concern, decision="monitor", threshold_considered="")
    with pytest.raises(DomainError, match="future date"):
        triage(
            world,
            concern,
            decision="nfa",
            threshold_considered="Level 2 not met.",
            review_on=date(2000, 1, 1),
        )
    assert not Triage.objects.exists()
    review_on = timezone.localdate() + timedelta(days=14)
    triage(
        world, concern, decision="monitor", threshold_considered="Below CIN.", review_on=review_on
    )
    concern.refresh_from_db()
    assert concern.triaged_at is not None and concern.review_due_on == review_on
    lead = actor_for(world, "lead")
    assert concern not in selectors.triage_queue(lead)
    Concern.objects.filter(pk=concern.pk).update(review_due_on=timezone.localdate())
    assert concern in selectors.triage_queue(lead)  # back on its review date (T5)


def test_a_stale_triage_is_refused(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    read_version = concern.version  # two leads open the same concern
    triage(world, concern, version=read_version)
    with pytest.raises(Conflict):
        triage(world, concern, version=read_version)
    assert Triage.objects.count() == 1


def test_only_the_team_may_triage(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    for persona in ("reporter", "case_worker", "org_admin", "other_org"):
        with pytest.raises(NotPermitted):
            actions.concern_triage(
                actor=actor_for(world, persona),
                concern=concern,
                version=concern.version,
                level_of_need=1,
                rag="green",
                initial_risk="x",
                decision="refer",
                rationale="long enough rationale",
            )


def test_the_queue_puts_urgent_first_then_oldest(world: DemoWorld) -> None:
    old = submitted_concern(world)
    urgent = submitted_concern(world, is_urgent=True)
    new = submitted_concern(world)
    Concern.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    client = client_for(world.users["lead"])
    page = client.get("/concerns/queue/")
    assert [c.pk for c in page.context["page"].items] == [urgent.pk, old.pk, new.pk]
    assert b"Overdue" in page.content


def test_a_queue_row_lists_its_people_as_added_and_its_categories_in_order(
    world: DemoWorld,
) -> None:
    """Names in the order they were written, categories by their position, then label (the
    page's own query joins them)."""
    named = submitted_concern(
        world,
        people=[
            {"name": "Zoe Example", "role": "subject"},
            {"name": "Adam Example", "role": "alleged"},
            {"name": "Mia Example", "role": "other"},
        ],
        category_codes=["bullying", "physical", "neglect"],
    )
    Category.objects.filter(code="bullying").update(position=0)
    rows = {
        r.pk: r
        for r in client_for(world.users["lead"]).get("/concerns/queue/").context["page"].items
    }
    assert rows[named.pk].about == "Zoe Example, Adam Example, Mia Example"
    assert rows[named.pk].categories == "Bullying, Physical abuse, Neglect"


def test_addenda_keep_the_original(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    client = client_for(world.users["reporter"])
    refused = client.post(f"/concerns/{concern.pk}/addendum/", {"reason": "", "text": "x"})
    assert refused.status_code == 422
    ok = client.post(
        f"/concerns/{concern.pk}/addendum/",
        {"reason": "Wrong arm", "text": "The bruise was on the right forearm."},
    )
    assert ok.status_code == 302
    concern.refresh_from_db()
    assert "left forearm" in concern.fact
    assert concern.addenda.get().reason == "Wrong arm"


def test_the_chronology_shows_what_the_viewer_may_see_in_event_order(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    person = person_create(
        actor=lead, kind="child", given_names="Jamie", family_name="Example-Child"
    )
    first = submitted_concern(world, happened_at=timezone.now() - timedelta(days=10))
    second = submitted_concern(world, happened_at=timezone.now() - timedelta(days=1))
    llc = submitted_concern(world, "case_worker", kind="low_level_adult")
    for concern in (first, second, llc):
        actions.concern_link_person(actor=lead, concern_person=concern.people.get(), person=person)
    triage(world, first)
    kinds = [(e.kind, e.concern_id) for e in selectors.person_chronology(lead, person)]
    assert kinds[0][0] == "Triage decision" or kinds[0][1] == second.pk
    assert {cid for _, cid in kinds} == {first.pk, second.pk, llc.pk}
    deputy_view = selectors.person_chronology(actor_for(world, "deputy"), person)
    assert llc.pk not in {e.concern_id for e in deputy_view}
    page = client_for(world.users["lead"]).get(f"/people/{person.pk}/")
    assert b"Chronology" in page.content and b"Triage decision" in page.content


def test_quality_hints_explain_themselves() -> None:
    hints = hints_for(
        fact="J.S. told me something. I think she was upset.",
        own_words="",
        happened_at=None,
        location="",
        names=["J.S."],
    )
    codes = {h.code for h in hints}
    assert codes == {
        "no_time",
        "no_place",
        "opinion_in_fact",
        "vague",
        "initials",
        "disclosure_without_words",
    }
    assert all(len(h.message) > 30 for h in hints)
    assert (
        hints_for(
            fact="I saw a 3 cm bruise.",
            own_words="",
            happened_at=timezone.now(),
            location="Hall",
            names=["Jamie Example-Child"],
        )
        == []
    )


def test_recording_through_the_form_saves_a_draft_then_submits(world: DemoWorld) -> None:
    client = client_for(world.users["reporter"])
    data = {
        "kind": "child",
        "person_0_name": "Jamie Example-Child",
        "person_0_role": "subject",
        "happened_on": "2026-11-20",
        "happened_time": "10:15",
        "location": "Playground",
        "categories": ["physical"],
        "fact": "A purple bruise on the left forearm.",
        "mark_0_side": "front",
        "mark_0_region": "left_forearm",
        "mark_0_description": "Purple, 3 cm",
        "save": "1",
    }
    saved = client.post("/concerns/new/", data)
    assert saved.status_code == 302
    concern = Concern.objects.get()
    assert concern.status == "draft" and concern.body_map[0]["region"] == "left_forearm"
    submitted = client.post(
        f"/concerns/{concern.pk}/edit/", {**data, "version": concern.version, "submit": "1"}
    )
    assert submitted.status_code == 302
    concern.refresh_from_db()
    assert concern.status == "submitted"
    bad = client.post("/concerns/new/", {**data, "happened_on": "31/31/2026"})
    assert bad.status_code == 422 and Concern.objects.count() == 1


def test_a_day_without_a_time_recorded_before_noon_is_not_in_the_future(world: DemoWorld) -> None:
    # Found when the browser journey ran at 01:50 London time: "today" stood at 12:00, which
    # was later than now, and the reporter was told it "cannot be in the future".
    with time_machine.travel(datetime(2026, 12, 10, 8, 30, tzinfo=ZoneInfo("Europe/London"))):
        client = client_for(world.users["reporter"])
        saved = client.post(
            "/concerns/new/",
            {
                "kind": "child",
                "person_0_name": "Jamie Example-Child",
                "person_0_role": "subject",
                "happened_on": "2026-12-10",
                "location": "Playground",
                "categories": ["physical"],
                "fact": "A purple bruise on the left forearm.",
                "save": "1",
            },
        )
        assert saved.status_code == 302
        concern = Concern.objects.get()
        assert concern.happened_at_approximate
        assert concern.happened_at <= timezone.now()
        assert timezone.localtime(concern.happened_at).date().isoformat() == "2026-12-10"


def test_every_concern_action_is_audited(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    triage(world, concern)
    lead = actor_for(world, "lead")
    action = actions.action_create(
        actor=lead,
        concern=concern,
        description="Call social care",
        owner=world.users["deputy"],
        due_on=timezone.localdate() + timedelta(days=1),
    )
    actions.action_complete(actor=actor_for(world, "deputy"), action=action)
    actions.concern_add_addendum(actor=lead, concern=concern, reason="More", text="Detail")
    logged = list(
        AuditEvent.objects.filter(action__regex=r"^(concern|action)\.")
        .values_list("action", flat=True)
        .order_by("occurred_at")
    )
    assert logged == [
        "concern.draft_saved",
        "concern.submitted",
        "concern.triaged",
        "action.created",
        "action.completed",
        "concern.addendum_added",
    ]
    narrative = "purple bruise"
    assert all(narrative not in str(e.changes).lower() for e in AuditEvent.objects.all())


def test_queue_and_my_concerns_cost_the_same_queries_at_any_size(
    world: DemoWorld, django_assert_max_num_queries: Any
) -> None:
    submitted_concern(world)
    lead = client_for(world.users["lead"])
    reporter = client_for(world.users["reporter"])
    lead.get("/concerns/queue/")
    reporter.get("/concerns/mine/")
    with django_assert_max_num_queries(15) as queue_small:
        lead.get("/concerns/queue/")
    with django_assert_max_num_queries(15) as mine_small:
        reporter.get("/concerns/mine/")
    for _ in range(55):
        submitted_concern(world)
    with django_assert_max_num_queries(15) as queue_large:
        page = lead.get("/concerns/queue/")
    with django_assert_max_num_queries(15) as mine_large:
        reporter.get("/concerns/mine/")
    assert len(queue_small.captured_queries) == len(queue_large.captured_queries)
    assert len(mine_small.captured_queries) == len(mine_large.captured_queries)
    assert len(page.context["page"].items) == 50 and page.context["page"].has_next


def test_a_share_lets_a_partner_read_but_never_write(world: DemoWorld) -> None:
    from safecase.access.actions import share_grant

    concern = submitted_concern(world)
    share_grant(
        actor=actor_for(world, "lead"),
        record=concern,
        to_organisation=world.organisations["primary"],
        purpose="Sibling at Oakfield",
        lawful_basis="Art. 6(1)(e)",
    )
    partner = actor_for(world, "primary_lead")
    assert concern in selectors.concerns_visible_to(partner)
    with pytest.raises(NotPermitted):
        actions.concern_add_addendum(actor=partner, concern=concern, reason="x", text="y")
    with pytest.raises(NotPermitted):
        actions.concern_link_person(actor=partner, concern_person=concern.people.get(), person=None)
    with pytest.raises(NotPermitted):
        actions.concern_triage(
            actor=partner,
            concern=concern,
            version=concern.version,
            level_of_need=1,
            rag="green",
            initial_risk="x",
            decision="refer",
            rationale="long enough reason",
        )


def test_the_lead_marks_significant_entries_and_the_chronology_filters(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    person = person_create(
        actor=lead, kind="child", given_names="Jamie", family_name="Example-Child"
    )
    old = submitted_concern(world, happened_at=timezone.now() - timedelta(days=40))
    new = submitted_concern(world, category_codes=["neglect"])
    for concern in (old, new):
        actions.concern_link_person(actor=lead, concern_person=concern.people.get(), person=person)
    client = client_for(world.users["lead"])
    client.post(f"/concerns/{old.pk}/significance/", {"significant": "1", "person": str(person.pk)})
    old.refresh_from_db()
    assert old.is_significant
    assert AuditEvent.objects.filter(action=AuditAction.CONCERN_SIGNIFICANCE_CHANGED).count() == 1
    only = selectors.ChronologyFilter
    ids = lambda f: {e.concern_id for e in selectors.person_chronology(lead, person, only=f)}  # noqa: E731
    assert ids(only(significant_only=True)) == {old.pk}
    assert ids(only(category="neglect")) == {new.pk}
    assert ids(only(date_from=(timezone.now() - timedelta(days=10)).date())) == {new.pk}
    page = client.get(f"/people/{person.pk}/", {"significant": "1", "from": "not-a-date"})
    assert page.status_code == 200 and b"Significant" in page.content
    assert (
        client_for(world.users["reporter"])
        .post(f"/concerns/{old.pk}/significance/", {"significant": "0"})
        .status_code
        == 403
    )


def test_autosave_saves_the_draft_quietly_and_refuses_a_stale_one(world: DemoWorld) -> None:
    client = client_for(world.users["reporter"])
    data = {"kind": "child", "person_0_name": "Jamie Example-Child", "fact": "Started typing"}
    first = client.post("/concerns/new/", data, HTTP_X_AUTOSAVE="1")
    assert first.status_code == 200 and first.json()["saved"]
    concern = Concern.objects.get()
    assert first.json()["edit_url"] == f"/concerns/{concern.pk}/edit/"
    second = client.post(
        first.json()["edit_url"],
        {**data, "fact": "More", "version": first.json()["version"]},
        HTTP_X_AUTOSAVE="1",
    )
    assert second.json()["saved"]
    stale = client.post(
        first.json()["edit_url"], {**data, "version": first.json()["version"]}, HTTP_X_AUTOSAVE="1"
    )
    assert stale.status_code == 409
    concern.refresh_from_db()
    assert concern.fact == "More" and concern.status == "draft"


def test_the_person_page_shows_the_chronology_a_page_at_a_time(
    world: DemoWorld, django_assert_max_num_queries: Any
) -> None:
    lead = actor_for(world, "lead")
    person = person_create(
        actor=lead, kind="child", given_names="Jamie", family_name="Example-Child"
    )
    for _ in range(3):
        concern = submitted_concern(world)
        actions.concern_link_person(actor=lead, concern_person=concern.people.get(), person=person)
    client = client_for(world.users["lead"])
    client.get(f"/people/{person.pk}/")
    with django_assert_max_num_queries(30) as few:
        client.get(f"/people/{person.pk}/")
    for _ in range(60):
        concern = submitted_concern(world)
        actions.concern_link_person(actor=lead, concern_person=concern.people.get(), person=person)
    with django_assert_max_num_queries(30) as many:
        page = client.get(f"/people/{person.pk}/")
    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(page.context["chronology"]) == 50 and page.context["chronology_total"] == 63
    second = client.get(f"/people/{person.pk}/", {"older": page.context["chronology_older"]})
    assert len(second.context["chronology"]) == 13
    assert second.context["chronology_older"] is None
    assert client.get(f"/people/{person.pk}/", {"older": "x"}).status_code == 200
