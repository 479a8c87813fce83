"""Pattern alerts through the API: only the concerns the reader may see, keyset pages, review
with its required note, a second review as 409 (alerts carry no version), scope and audit."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from conftest import actor_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Concern, PatternAlert, PatternKind
from safecase.concerns.tests.test_patterns import make_lead_too, restrict_to_deputy
from safecase.demo.personas import DemoWorld
from safecase.notifications.models import Notification, NotificationKind

from .test_people_concerns_api import events, make_submitted, send

pytestmark = pytest.mark.django_db


def raise_alert(world: DemoWorld, persona: str = "reporter", **extra: Any) -> PatternAlert:
    """Three concerns about one person within a month: the default rule opens an alert. Each
    concern is somewhere new unless ``extra`` says where, so no place alert opens as well."""
    concerns = [
        make_submitted(world, persona, **{"location": f"Place {uuid.uuid4().hex[:8]}", **extra})
        for _ in range(3)
    ]
    lead = "other_org" if persona == "other_org" else "lead"
    found = concern_actions.concern_evaluate_patterns(
        actor=actor_for(world, lead), concern=concerns[-1]
    )
    (alert,) = [a for a in found if a.kind == PatternKind.REPEATED_ABOUT_PERSON]
    return alert


LOW_LEVEL: dict[str, Any] = {
    "kind": "low_level_adult",
    "people": [{"name": "Mr Staff Example", "role": "subject"}],
}


def _summary(client: Any, alert: PatternAlert) -> str:
    rows = client.get("/api/v1/alerts").json()["results"]
    (row,) = [r for r in rows if r["id"] == str(alert.pk)]
    return str(row["summary"])


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_open_alerts_show_only_concerns_the_reader_may_see(world: DemoWorld, api: Any) -> None:
    about_child = raise_alert(world)
    # Low-level concerns about an adult are the lead's alone: so is an alert made of them.
    about_adult = raise_alert(world, **LOW_LEVEL)
    elsewhere = raise_alert(world, "other_org")
    lead = api("lead").get("/api/v1/alerts")
    assert set(_ids(lead)) == {str(about_child.pk), str(about_adult.pk)}
    row = next(r for r in lead.json()["results"] if r["id"] == str(about_child.pk))
    assert row["kind"] == "repeated_person" and "3 concerns about" in row["summary"]
    assert len(row["concerns"]) == 3
    assert set(row["concerns"][0]) == {"id", "kind", "is_urgent", "happened_at", "submitted_at"}
    assert row["reviewed_at"] is None and row["reviewed_by"] is None
    assert _ids(api("deputy").get("/api/v1/alerts")) == [str(about_child.pk)]
    assert _ids(api("other_org").get("/api/v1/alerts")) == [str(elsewhere.pk)]
    assert _ids(api("primary_lead").get("/api/v1/alerts")) == []
    for persona in ("reporter", "case_worker", "org_admin", "auditor", "partner_with_share"):
        assert api(persona).get("/api/v1/alerts").status_code == 403


def test_an_alert_lists_only_the_visible_concerns_behind_it(world: DemoWorld, api: Any) -> None:
    """A place alert made of two concerns about children and one low-level concern."""
    place = {"location": "Changing rooms"}
    concerns = [make_submitted(world, **place) for _ in range(2)]
    concerns.append(make_submitted(world, **{**LOW_LEVEL, **place}))
    found = concern_actions.concern_evaluate_patterns(
        actor=actor_for(world, "lead"), concern=concerns[-1]
    )
    (alert,) = [a for a in found if a.kind == PatternKind.RECURRING_LOCATION]

    def shown(persona: str) -> set[str]:
        rows = api(persona).get("/api/v1/alerts").json()["results"]
        (row,) = [r for r in rows if r["id"] == str(alert.pk)]
        return {c["id"] for c in row["concerns"]}

    assert shown("lead") == {str(c.pk) for c in concerns}
    assert shown("deputy") == {str(c.pk) for c in concerns[:2]}
    # The summary counts only those too: the deputy may not know of the low-level concern.
    assert _summary(api("lead"), alert) == "3 concerns at “Changing rooms” in 30 days"
    assert _summary(api("deputy"), alert) == "2 concerns at “Changing rooms” in 30 days"
    alert.refresh_from_db()
    assert alert.summary == "3 concerns at “Changing rooms” in 30 days"  # stored as raised


def test_a_lead_restricted_out_of_an_alerts_concerns(world: DemoWorld, api: Any) -> None:
    """An allegation against the lead: concerns restricted to the deputy (a lead as well). Out
    of one, the lead is told of the others; out of all, of nothing at all."""
    make_lead_too(world)
    deputy = actor_for(world, "deputy")
    concerns = [make_submitted(world, location=f"Place {i}") for i in range(3)]
    restrict_to_deputy(world, concerns[0])
    (some,) = concern_actions.concern_evaluate_patterns(actor=deputy, concern=concerns[-1])
    others = [make_submitted(world, people=[{"name": "Sam Hidden"}]) for _ in range(3)]
    for concern in others:
        restrict_to_deputy(world, concern)
    found = concern_actions.concern_evaluate_patterns(actor=deputy, concern=others[-1])
    (hidden,) = [a for a in found if a.kind == PatternKind.REPEATED_ABOUT_PERSON]

    assert _ids(api("lead").get("/api/v1/alerts")) == [str(some.pk)]
    assert _summary(api("lead"), some) == "2 concerns about Jamie Example-Child in 30 days"
    assert _summary(api("deputy"), some) == "3 concerns about Jamie Example-Child in 30 days"
    assert _summary(api("deputy"), hidden) == "3 concerns about Sam Hidden in 30 days"
    told = Notification.objects.filter(kind=NotificationKind.PATTERN_ALERT)
    assert {(n.recipient_id, n.target_id) for n in told} == {
        (world.users["lead"].pk, some.pk),
        (world.users["deputy"].pk, some.pk),
        *((world.users["deputy"].pk, a.pk) for a in found),
    }


def test_alerts_page_newest_first(world: DemoWorld, api: Any) -> None:
    first = raise_alert(world)
    second = raise_alert(world, people=[{"name": "Sam Second-Child", "role": "subject"}])
    client = api("lead")
    page = client.get("/api/v1/alerts?page_size=1")
    assert _ids(page) == [str(second.pk)] and page.json()["next"]
    rest = client.get(page.json()["next"])
    assert _ids(rest) == [str(first.pk)] and rest.json()["next"] is None
    assert client.get("/api/v1/alerts?page_size=0").status_code == 400
    wrong_types = base64.urlsafe_b64encode(json.dumps(["x", "not-a-uuid"]).encode()).decode()
    bad_cursor = client.get(f"/api/v1/alerts?cursor={wrong_types}")
    assert bad_cursor.status_code == 404


def test_reviewing_needs_a_note_then_happens_once(world: DemoWorld, api: Any) -> None:
    alert = raise_alert(world)
    url = f"/api/v1/alerts/{alert.pk}/review"
    for body, field in (({}, "note"), ({"note": ""}, "note"), ({"note": "ok"}, "note")):
        refused = send(api("lead"), "POST", url, body)
        assert refused.status_code == 400 and list(refused.json()) == [field], body
    alert.refresh_from_db()
    assert alert.reviewed_at is None and events(AuditAction.PATTERN_ALERT_REVIEWED) == 0
    note = "Discussed with the head of year; early help assessment started."
    reviewed = send(api("deputy"), "POST", url, {"note": f"  {note} "})
    assert reviewed.status_code == 200, reviewed.content
    data = reviewed.json()
    assert data["id"] == str(alert.pk) and data["review_note"] == note
    assert data["reviewed_by"]["id"] == str(world.users["deputy"].pk)
    assert data["reviewed_at"] is not None and len(data["concerns"]) == 3
    event = AuditEvent.objects.get(action=AuditAction.PATTERN_ALERT_REVIEWED)
    assert event.channel == "api" and event.subject_id == str(alert.pk)
    assert _ids(api("lead").get("/api/v1/alerts")) == []
    # A second review is a conflict; the first stands.
    again = send(api("lead"), "POST", url, {"note": "I looked at this one as well."})
    assert again.status_code == 409
    assert again.json() == {"detail": "Someone has already reviewed this alert."}
    alert.refresh_from_db()
    assert alert.review_note == note and alert.reviewed_by == world.users["deputy"]
    assert events(AuditAction.PATTERN_ALERT_REVIEWED) == 1


def test_ignores_fields_it_does_not_take(world: DemoWorld, api: Any) -> None:
    alert = raise_alert(world)
    body = {
        "note": "Reviewed with the deputy; nothing further.",
        "reviewed_by": str(world.users["case_worker"].pk),
        "reviewed_at": "2000-01-01T00:00:00Z",
        "summary": "Nothing to see",
        "organisation_id": str(world.organisations["primary"].pk),
    }
    assert send(api("lead"), "POST", f"/api/v1/alerts/{alert.pk}/review", body).status_code == 200
    alert.refresh_from_db()
    assert alert.reviewed_by == world.users["lead"]
    assert alert.reviewed_at.year > 2000 and "3 concerns" in alert.summary
    assert alert.organisation == world.organisations["secondary"]


def test_review_is_scoped_like_the_list(world: DemoWorld, api: Any) -> None:
    ours = raise_alert(world)
    lead_only = raise_alert(world, **LOW_LEVEL)
    theirs = raise_alert(world, "other_org")
    note = {"note": "Looked at this carefully today."}

    def review(persona: str, alert: PatternAlert | str) -> int:
        alert_id = alert.pk if isinstance(alert, PatternAlert) else alert
        return send(api(persona), "POST", f"/api/v1/alerts/{alert_id}/review", note).status_code

    assert review("lead", theirs) == 404
    assert review("other_org", ours) == 404
    assert review("primary_lead", ours) == 404
    assert review("deputy", lead_only) == 404  # made only of concerns the deputy may not see
    assert review("lead", "00000000-0000-0000-0000-000000000000") == 404
    assert review("lead", "not-a-uuid") == 404
    for persona in ("reporter", "case_worker", "org_admin", "auditor"):
        assert review(persona, ours) == 403
    assert not PatternAlert.objects.filter(reviewed_at__isnull=False).exists()
    # Every refusal of an alert that exists is on the audit trail.
    assert events(AuditAction.ACCESS_DENIED) == 8


def test_a_review_that_lands_between_lookup_and_write_is_a_conflict(
    world: DemoWorld, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone reviews first after this request found the alert open: 409, theirs stands."""
    alert = raise_alert(world)
    original = concern_actions.pattern_alert_review

    def someone_else_first(**kwargs: Any) -> PatternAlert:
        fresh = PatternAlert.objects.get(pk=alert.pk)
        original(actor=actor_for(world, "deputy"), alert=fresh, note="The deputy got here first.")
        return original(**kwargs)

    monkeypatch.setattr(concern_actions, "pattern_alert_review", someone_else_first)
    response = send(
        api("lead"), "POST", f"/api/v1/alerts/{alert.pk}/review", {"note": "And me as well."}
    )
    assert response.status_code == 409
    alert.refresh_from_db()
    assert alert.reviewed_by == world.users["deputy"]


def test_the_alert_list_has_constant_queries(
    world: DemoWorld, api: Any, django_assert_max_num_queries: Any
) -> None:
    raise_alert(world)
    client = api("lead")
    with django_assert_max_num_queries(12) as few:
        assert len(client.get("/api/v1/alerts").json()["results"]) == 1
    for i in range(4):
        raise_alert(world, people=[{"name": f"Child Number {i}", "role": "subject"}])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/alerts").json()["results"]) == 5
    assert Concern.objects.count() == 15


def test_the_schema_describes_the_alert_endpoints(world: DemoWorld, api: Any) -> None:
    schema = api("lead").get("/api/v1/schema/?format=json").json()
    review = schema["paths"]["/api/v1/alerts/{alert_id}/review"]["post"]
    assert "a second review answers 409" in review["description"]
    assert {"200", "400", "404", "409"} <= set(review["responses"])
    listing = schema["paths"]["/api/v1/alerts"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"cursor", "page_size"}
    assert "PatternKindEnum" in schema["components"]["schemas"]
